package main

import (
	"errors"
	"os"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/labconfig"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabInit builds the simulated organization from the configuration's servers and
// databases, with N mailboxes per database, in the lab provider's folder.
func cmdLabInit(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab init", "lab init [-mailboxes=N] [-archives=N]")
	n := fs.Int("mailboxes", 10, "mailboxes per database")
	archives := fs.Int("archives", 0, "user mailboxes per database given an archive on their own database, with 2 archived items each")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab init takes no arguments (got %q)", fs.Arg(0))
	}
	if *n < 0 {
		return c.errorf("-mailboxes=%d: must be 0 or more", *n)
	}
	if *archives < 0 || *archives > *n {
		return c.errorf("-archives=%d: must be between 0 and -mailboxes (%d)", *archives, *n)
	}
	p, err := labPath(c, cfg)
	if err != nil {
		return c.errorf("%v", err)
	}
	if _, err := os.Stat(p); err == nil {
		return c.errorf("lab folder %s already exists: remove it first to build a new organization", p)
	} else if !errors.Is(err, os.ErrNotExist) {
		return c.errorf("lab folder %s: %v", p, err)
	}
	topo := labconfig.Topology(cfg)
	l, err := lab.Init(p, topo, *n)
	if err != nil {
		return c.errorf("building the lab in %s: %v", p, err)
	}
	seeded, err := l.SeedArchives(*archives, 2)
	if err != nil {
		l.Close()
		return c.errorf("archives in the lab %s: %v", p, err)
	}
	if err := l.Close(); err != nil {
		return c.errorf("closing the lab %s: %v", p, err)
	}
	views.NewLabAdmin(c.streams()).Built(p, len(topo.Servers), len(topo.Databases), *n, *archives, len(seeded))
	return exitOK
}
