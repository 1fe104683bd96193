package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

const labAddUsage = "lab add copy DATABASE -server=NAME"

// cmdLabAdd adds and seeds a passive copy of a database (Add-MailboxDatabaseCopy): what
// an admin does at the manual step add_copies_back of a recovery of a replicated
// database, before "dialtone confirm".
func cmdLabAdd(c *cli, cfg *config.Config, args []string) int {
	if len(args) == 0 || args[0] != "copy" {
		return c.errorf("usage: dialtone %s", labAddUsage)
	}
	fs := newFlagSet(c, "lab add copy", labAddUsage)
	server := ""
	fs.StringVar(&server, "server", "", "the server that gets the copy")
	name, rest := splitPositional(args[1:])
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 || name == "" || server == "" {
		return c.errorf("usage: dialtone %s", labAddUsage)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		if err := l.AddCopy(name, server); err != nil {
			return c.errorf("adding a copy of %s on %s: %v", name, server, err)
		}
		views.NewLabAdmin(c.streams()).CopyAdded(name, server)
		return exitOK
	})
}

const labActivateUsage = "lab activate DATABASE -server=NAME"

// cmdLabActivate is Move-ActiveMailboxDatabase DATABASE -ActivateOnServer NAME: what the
// plan advises when a recovery is refused because a healthy copy survives.
func cmdLabActivate(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab activate", labActivateUsage)
	server := ""
	fs.StringVar(&server, "server", "", "the server whose copy becomes the active one")
	name, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 || name == "" || server == "" {
		return c.errorf("usage: dialtone %s", labActivateUsage)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		res, err := l.ActivateCopy(name, server)
		if err != nil {
			return c.errorf("activating %s on %s: %v", name, server, err)
		}
		views.NewLabAdmin(c.streams()).Activated(name, server, res.Detail)
		return exitOK
	})
}
