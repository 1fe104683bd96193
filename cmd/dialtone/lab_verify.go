package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
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
		views.NewLab(c.streams(), false).Verified(r, *acceptLost)
		if !r.OKExceptLost() || (!*acceptLost && len(r.Lost) > 0) {
			return exitError
		}
		return exitOK
	})
}
