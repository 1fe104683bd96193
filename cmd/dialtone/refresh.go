package main

import "github.com/dialtone/dialtone/cmd/dialtone/internal/views"

// cmdRefresh reads the organization through the provider and records it in the state,
// first saying what changed outside dialtone since the state was last written.
func cmdRefresh(c *cli, args []string) int {
	fs := newFlagSet(c, "refresh", "refresh [-full] [-lock-timeout=DURATION]")
	addLockTimeoutFlag(c, fs)
	addInputFlag(c, fs)
	fs.BoolVar(&c.fullRefresh, "full", false, "read every mailbox of the organization, not only those of the databases the recoveries involve")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("refresh takes no arguments (got %q)", fs.Arg(0))
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	s, err := openSession(c, cfg, "refresh")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer s.close(c)
	b, path, st := s.b, s.path, s.st
	drift, err := refreshDrift(c, s.prov, st)
	if err != nil {
		return c.errorf("%v", err)
	}
	if err := b.Write(c.ctx, st); err != nil {
		return c.errorf("writing state %s: %v", path, err)
	}
	views.Refresh{S: c.streams()}.Refreshed(drift, c.ownDrift, path, st)
	return exitOK
}
