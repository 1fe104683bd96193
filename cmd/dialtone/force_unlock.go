package main

import "github.com/dialtone/dialtone/cmd/dialtone/internal/views"

// cmdForceUnlock removes a stale lock whose holder is gone.
func cmdForceUnlock(c *cli, args []string) int {
	fs := newFlagSet(c, "force-unlock", "force-unlock LOCK_ID")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return c.errorf("force-unlock needs the lock ID, as printed by the command that found the lock held")
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	b, path, err := backendFor(c, cfg)
	if err != nil {
		return c.errorf("%v", err)
	}
	if err := b.ForceUnlock(c.ctx, fs.Arg(0)); err != nil {
		return c.errorf("unlocking %s: %v", path, err)
	}
	views.Unlocked(c.streams(), path)
	return exitOK
}
