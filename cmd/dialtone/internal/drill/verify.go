package drill

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/planner"
)

// writeFigures prints the per-stage durations.
func (dr *drillRun) writeFigures(start time.Time) {
	c := dr.c
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Stages ==="))
	for _, f := range dr.figures {
		fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s\n", f.Stage, f.Steps, durfmt.Fine(f.Duration))
	}
	fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s (whole drill, preparation included)\n", "total", len(dr.rows), durfmt.Fine(time.Since(start)))
}

// verify checks the ledger: nothing missing, doubled, queued or unexpected, and the
// lost messages exactly those the drill's failure destroyed and the plans declared.
func (dr *drillRun) verify() int {
	c := dr.c
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Verification ==="))
	r, err := dr.l.Verify()
	if err != nil {
		return dr.fail("verifying the lab: %v", err)
	}
	c.host.WriteVerify(r)
	c.record.Verified(r) // the run report tells what happened to the mail

	var problems []string
	if len(dr.expectLost) > 0 && len(dr.allDeclared()) == 0 {
		problems = append(problems, fmt.Sprintf("the failure destroyed %d messages but no plan declared a data loss", len(dr.expectLost)))
	}
	if len(dr.expectLost) == 0 && len(dr.expectBad) == 0 && len(dr.allDeclared()) > 0 {
		problems = append(problems, "a plan declared a data loss the drill's failure does not cause: "+dr.allDeclared()[0].What)
	}
	lost := map[string]bool{}
	badPer := map[string]int{}
	for _, id := range r.Lost {
		lost[id] = true
		if _, ok := dr.expectLost[id]; !ok {
			badPer[strings.ToLower(dr.accepted[id])]++
		}
	}
	var notLost []string
	for id := range dr.expectLost {
		if !lost[id] {
			notLost = append(notLost, id)
		}
	}
	sort.Strings(notLost)
	if len(notLost) > 0 {
		problems = append(problems, fmt.Sprintf("%d messages the drill expected lost are not in the lab's Lost set: %s", len(notLost), strings.Join(notLost, ", ")))
	}
	for _, addr := range slices.Sorted(maps.Keys(unionKeys(badPer, dr.expectBad))) {
		if badPer[addr] != dr.expectBad[addr] {
			problems = append(problems, fmt.Sprintf("%s: %d messages lost beyond what the plans declared (%d bad items skipped by a resumed restore request)",
				addr, badPer[addr], dr.expectBad[addr]))
		}
	}
	if !r.OKExceptLost() {
		problems = append(problems, "messages missing, doubled, still queued or unexpected (listed above)")
	}

	if all := dr.allDeclared(); len(all) > 0 || len(dr.expectBad) > 0 {
		fmt.Fprintln(c.stdout, "\nWhat the plans declared lost:")
		for _, dl := range all {
			fmt.Fprintf(c.stdout, "  - %s\n    why: %s\n    decision: %s\n", dl.What, dl.Why, dl.Decision)
		}
		for _, addr := range slices.Sorted(maps.Keys(dr.expectBad)) {
			fmt.Fprintf(c.stdout, "  - %d bad items of %s, skipped by its resumed restore request (bad_item_limit raised)\n", dr.expectBad[addr], addr)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(c.stdout, "\n%s\n", c.paint(red, "Drill FAILED:"))
		for _, p := range problems {
			fmt.Fprintf(c.stdout, "  - %s\n", p)
		}
		return exitError
	}
	if len(r.Lost) > 0 {
		fmt.Fprintf(c.stdout, "\n%s every accepted message is in its owner's mailbox exactly once, except the %d the plans declared lost, and exactly those are lost.\n",
			c.paint(green, "Drill passed:"), len(r.Lost))
	} else {
		fmt.Fprintf(c.stdout, "\n%s every accepted message is in its owner's mailbox exactly once.\n", c.paint(green, "Drill passed:"))
	}
	return exitOK
}

func (dr *drillRun) allDeclared() []planner.DataLoss {
	var out []planner.DataLoss
	for _, name := range slices.Sorted(maps.Keys(dr.declared)) {
		out = append(out, dr.declared[name]...)
	}
	return out
}

func unionKeys(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k := range a {
		out[k] = 0
	}
	for k := range b {
		out[k] = 0
	}
	return out
}

// deliver delivers n messages round-robin to the mailboxes of db and notes them.
func (dr *drillRun) deliver(db string, n int) error {
	if n <= 0 {
		return nil
	}
	acc, err := dr.l.DeliverToDatabase(db, n)
	for _, a := range acc {
		dr.accepted[a.MessageID] = a.To
		if dr.failed {
			if dr.afterFailure == nil {
				dr.afterFailure = map[string]bool{}
			}
			dr.afterFailure[a.MessageID] = true
		}
	}
	return err
}

// usersOf lists the user mailboxes homed on db, by address.
func (dr *drillRun) usersOf(db string) ([]string, error) {
	s, err := dr.l.Status()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range s.Mailboxes {
		if m.Database == db && m.Kind == "" {
			out = append(out, m.Address)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no user mailbox is homed on %s", db)
	}
	sort.Strings(out)
	return out, nil
}

// homeOf is the database a mailbox is homed on now ("" when unknown).
func (dr *drillRun) homeOf(addr string) string {
	s, err := dr.l.Status()
	if err != nil {
		return ""
	}
	for _, m := range s.Mailboxes {
		if strings.EqualFold(m.Address, addr) {
			return m.Database
		}
	}
	return ""
}

// writeStepTable prints every step of the drill with its stage, duration and result;
// per recovery and stage, only the first five merges, then a count.
func writeStepTable(w io.Writer, rows []runreport.Row) {
	const shown = 5
	width := len("STEP")
	for _, r := range rows {
		width = max(width, len(r.ID))
	}
	fmt.Fprintf(w, "  %-*s  %-10s  %9s  %s\n", width, "STEP", "STAGE", "DURATION", "RESULT")
	type group struct {
		n, failed int
		d         time.Duration
	}
	var key string
	var g group
	flush := func() {
		if g.n > shown {
			fmt.Fprintf(w, "  %-*s  %-10s  %9s  %s\n", width, fmt.Sprintf("... and %d more merges", g.n-shown), "", durfmt.Fine(g.d), fmt.Sprintf("%d failed", g.failed))
		}
		g = group{}
	}
	for _, r := range rows {
		if !strings.Contains(r.ID, ".merge[") && !strings.Contains(r.ID, ".resume_merge[") {
			flush()
			key = ""
			fmt.Fprintf(w, "  %-*s  %-10s  %9s  %s\n", width, r.ID, r.Stage, durfmt.Fine(r.Duration), r.Result)
			continue
		}
		k := r.ID[:strings.Index(r.ID, "[")] + "|" + r.Stage
		if k != key {
			flush()
			key = k
		}
		g.n++
		if g.n <= shown {
			fmt.Fprintf(w, "  %-*s  %-10s  %9s  %s\n", width, r.ID, r.Stage, durfmt.Fine(r.Duration), r.Result)
			continue
		}
		g.d += r.Duration
		if r.Result == "failed" {
			g.failed++
		}
	}
	flush()
}
