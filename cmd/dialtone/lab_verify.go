package main

import (
	"fmt"
	"io"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabVerify checks the ledger: every accepted message in its owner's mailbox
// exactly once. Exit 0 only then.
func cmdLabVerify(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab verify", "lab verify")
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
		writeVerify(c, c.stdout, r)
		if !r.OK() {
			return exitError
		}
		return exitOK
	})
}

// writeVerify prints a verification report: the counts, then every message ID that
// is missing, duplicated, still queued or unexpected.
func writeVerify(c *cli, w io.Writer, r *lab.VerifyReport) {
	verdict := c.paint(green, "Verification passed:")
	if !r.OK() {
		verdict = c.paint(red, "Verification FAILED:")
	}
	fmt.Fprintf(w, "%s %d messages accepted, %d delivered exactly once, %d missing, %d duplicated, %d still queued, %d unexpected.\n",
		verdict, r.Accepted, r.Delivered, len(r.Missing), len(r.Duplicated), len(r.Queued), len(r.Unexpected))
	for _, l := range []struct {
		name string
		ids  []string
	}{{"missing", r.Missing}, {"duplicated", r.Duplicated}, {"still queued", r.Queued}, {"unexpected", r.Unexpected}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %s:\n    %s\n", l.name, joinSorted(l.ids))
		}
	}
}
