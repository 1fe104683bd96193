package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
)

// What an admin does by hand at the console, for rehearsing drift: the next refresh
// (refresh, plan, apply) reports it under "Changed outside dialtone".

// cmdLabMount mounts a database by hand (Mount-Database).
func cmdLabMount(c *cli, cfg *config.Config, args []string) int {
	return labMountOp(c, cfg, args, "mount", providers.OpMountDatabase)
}

// cmdLabDismount dismounts a database by hand (Dismount-Database).
func cmdLabDismount(c *cli, cfg *config.Config, args []string) int {
	return labMountOp(c, cfg, args, "dismount", providers.OpDismountDatabase)
}

func labMountOp(c *cli, cfg *config.Config, args []string, verb string, kind providers.OpKind) int {
	fs := newFlagSet(c, "lab "+verb, "lab "+verb+" DATABASE")
	db, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if db == "" || fs.NArg() > 0 {
		return c.errorf("lab %s needs one database name, such as \"lab %s DB02\"", verb, verb)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		res, err := l.Apply(c.ctx, providers.Operation{Kind: kind, Database: db}, nil)
		if err != nil {
			return c.errorf("%s %s: %v", verb, db, err)
		}
		views.NewLabAdmin(c.streams()).Mounted(db, verb, res.AlreadyDone)
		return exitOK
	})
}

// cmdLabMove is "lab move mailbox ADDRESS -to=DATABASE": points one mailbox at another
// database by hand (Set-Mailbox -Database); its items stay where they were.
func cmdLabMove(c *cli, cfg *config.Config, args []string) int {
	if len(args) == 0 || args[0] != "mailbox" {
		return c.errorf("usage: lab move mailbox ADDRESS -to=DATABASE")
	}
	fs := newFlagSet(c, "lab move mailbox", "lab move mailbox ADDRESS -to=DATABASE")
	to := fs.String("to", "", "the database the mailbox points at afterwards")
	addr, rest := splitPositional(args[1:])
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if addr == "" || *to == "" || fs.NArg() > 0 {
		return c.errorf("usage: lab move mailbox ADDRESS -to=DATABASE")
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		from, err := l.MoveMailbox(addr, *to)
		if err != nil {
			return c.errorf("moving %s: %v", addr, err)
		}
		views.NewLabAdmin(c.streams()).Moved(addr, *to, from)
		return exitOK
	})
}
