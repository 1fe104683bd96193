package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabStatus prints the lab's databases and mailboxes.
func cmdLabStatus(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab status", "lab status [-json]")
	asJSON := fs.Bool("json", false, `print {"databases":[...],"mailboxes":[...]}`)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab status takes no arguments")
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		s, err := l.Status()
		if err != nil {
			return c.errorf("lab status: %v", err)
		}
		if err := views.NewLab(c.streams(), *asJSON).Status(s); err != nil {
			return c.errorf("%v", err)
		}
		return exitOK
	})
}
