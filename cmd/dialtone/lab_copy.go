package main

import (
	"fmt"

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
		fmt.Fprintf(c.stdout, "Server %s holds a passive copy of %s, seeded from the active copy (Add-MailboxDatabaseCopy).\n", server, name)
		return exitOK
	})
}
