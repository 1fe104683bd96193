package views

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers/lab"
)

// Lab is the view of the "lab" commands: what the simulated organization holds, what
// it accepted, what its ledger says.
type Lab interface {
	// Status prints the lab's databases and mailboxes ("lab status").
	Status(s *lab.Status) error
	// Mailbox prints a mailbox's items ("lab mailbox").
	Mailbox(m *lab.MailboxListing) error
	// Delivered prints what transport accepted ("lab deliver").
	Delivered(acc []lab.Accepted) error
	// Verified prints a verification of the ledger ("lab verify", the drill): the
	// counts, then every message missing, duplicated, still queued, unexpected or lost.
	Verified(r *lab.VerifyReport, acceptLost bool)
}

// NewLab returns the human or the JSON lab view.
func NewLab(s Streams, asJSON bool) Lab {
	if asJSON {
		return labJSON{labHuman{s}}
	}
	return labHuman{s}
}

type labHuman struct{ s Streams }

func (h labHuman) Status(s *lab.Status) error {
	w := h.s.Out
	perDB := map[string]int{}
	for _, m := range s.Mailboxes {
		perDB[m.Database]++
	}
	fmt.Fprintf(w, "Databases (%d):\n", len(s.Databases))
	for _, d := range s.Databases {
		st := "dismounted"
		if d.Mounted {
			st = "mounted"
		}
		if d.Recovery {
			st += ", recovery database"
		}
		fmt.Fprintf(w, "  %-10s on %-8s %-30s %d mailboxes\n", d.Name, d.Server, st, perDB[d.Name])
	}
	fmt.Fprintf(w, "Mailboxes: %d\n", len(s.Mailboxes))
	return nil
}

func (h labHuman) Mailbox(m *lab.MailboxListing) error {
	fmt.Fprintf(h.s.Out, "%s on %s: %d items\n", m.Address, m.Database, len(m.Items))
	for _, it := range m.Items {
		fmt.Fprintf(h.s.Out, "  %s  %s\n", it.MessageID, it.Subject)
	}
	return nil
}

func (h labHuman) Delivered(acc []lab.Accepted) error {
	queued := 0
	for _, a := range acc {
		state := "delivered"
		if a.Queued {
			state = "queued"
			queued++
		}
		fmt.Fprintf(h.s.Out, "%s -> %s: %s\n", a.MessageID, a.To, state)
	}
	fmt.Fprintf(h.s.Out, "%d messages accepted, %d queued.\n", len(acc), queued)
	return nil
}

func (h labHuman) Verified(r *lab.VerifyReport, acceptLost bool) { writeVerify(h.s, r, acceptLost) }

// labJSON prints the lab's own documents, indented; a verification stays human (lab
// verify has no -json).
type labJSON struct{ labHuman }

func (j labJSON) Status(s *lab.Status) error { return j.write(s) }

func (j labJSON) Mailbox(m *lab.MailboxListing) error {
	if m.Items == nil {
		m.Items = []lab.Item{}
	}
	return j.write(m)
}

func (j labJSON) Delivered(acc []lab.Accepted) error {
	if acc == nil {
		acc = []lab.Accepted{}
	}
	return j.write(struct {
		Accepted []lab.Accepted `json:"accepted"`
	}{acc})
}

func (j labJSON) write(v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	fmt.Fprintf(j.s.Out, "%s\n", data)
	return nil
}

// writeVerify prints a verification report: the counts, then every message ID that
// is missing, duplicated, still queued, unexpected or lost (with the reason).
func writeVerify(s Streams, r *lab.VerifyReport, acceptLost bool) {
	w := s.Out
	verdict := s.paint(green, "Verification passed:")
	switch {
	case !r.OKExceptLost() || (!acceptLost && len(r.Lost) > 0):
		verdict = s.paint(red, "Verification FAILED:")
	case len(r.Lost) > 0:
		verdict = s.paint(yellow, "Verification passed, with accepted losses:")
	}
	fmt.Fprintf(w, "%s %d messages accepted, %d delivered exactly once, %d missing, %d duplicated, %d still queued, %d unexpected, %d lost.\n",
		verdict, r.Accepted, r.Delivered, len(r.Missing), len(r.Duplicated), len(r.Queued), len(r.Unexpected), len(r.Lost))
	for _, l := range []struct {
		name string
		ids  []string
	}{{"missing", r.Missing}, {"duplicated", r.Duplicated}, {"still queued", r.Queued}, {"unexpected", r.Unexpected}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %s:\n    %s\n", l.name, joinSorted(l.ids))
		}
	}
	writeLost(w, r)
}

// writeLost lists the lost messages grouped by reason, in message ID order.
func writeLost(w io.Writer, r *lab.VerifyReport) {
	if len(r.Lost) == 0 {
		return
	}
	byReason := map[string][]string{}
	var reasons []string
	for _, id := range r.Lost {
		why := r.LostReason[id]
		if _, ok := byReason[why]; !ok {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], id)
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "  lost (accepted, then destroyed by an injected failure; no copy is left anywhere):\n")
	for _, why := range reasons {
		if why == "" {
			why = "no reason recorded"
		}
		fmt.Fprintf(w, "    %s:\n      %s\n", why, strings.Join(byReason[why], "\n      "))
	}
}

func joinSorted(xs []string) string {
	ys := append([]string(nil), xs...)
	sort.Strings(ys)
	return strings.Join(ys, "\n    ")
}
