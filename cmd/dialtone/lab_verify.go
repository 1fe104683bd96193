package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabVerify checks the ledger: every accepted message in its owner's mailbox
// exactly once. Messages an injected failure destroyed beyond any recovery are listed
// as lost with their reasons; they fail the verification unless -accept-lost, which
// fails only on what a recovery should have saved (missing, duplicated, queued,
// unexpected).
func cmdLabVerify(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab verify", "lab verify [-accept-lost]")
	acceptLost := fs.Bool("accept-lost", false, "pass although messages were lost to injected failures (the plan declared them lost)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab verify takes no arguments")
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		r, err := l.Verify()
		if err != nil {
			return c.errorf("verifying the lab: %v", err)
		}
		writeVerify(c, c.stdout, r, *acceptLost)
		if !r.OKExceptLost() || (!*acceptLost && len(r.Lost) > 0) {
			return exitError
		}
		return exitOK
	})
}

// writeVerify prints a verification report: the counts, then every message ID that
// is missing, duplicated, still queued, unexpected or lost (with the reason).
func writeVerify(c *cli, w io.Writer, r *lab.VerifyReport, acceptLost bool) {
	verdict := c.paint(green, "Verification passed:")
	switch {
	case !r.OKExceptLost() || (!acceptLost && len(r.Lost) > 0):
		verdict = c.paint(red, "Verification FAILED:")
	case len(r.Lost) > 0:
		verdict = c.paint(yellow, "Verification passed, with accepted losses:")
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
