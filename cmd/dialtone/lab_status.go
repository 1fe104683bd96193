package main

import (
	"fmt"

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
		if *asJSON {
			return writeJSON(c, s)
		}
		perDB := map[string]int{}
		for _, m := range s.Mailboxes {
			perDB[m.Database]++
		}
		fmt.Fprintf(c.stdout, "Databases (%d):\n", len(s.Databases))
		for _, d := range s.Databases {
			st := "dismounted"
			if d.Mounted {
				st = "mounted"
			}
			if d.Recovery {
				st += ", recovery database"
			}
			fmt.Fprintf(c.stdout, "  %-10s on %-8s %-30s %d mailboxes\n", d.Name, d.Server, st, perDB[d.Name])
		}
		fmt.Fprintf(c.stdout, "Mailboxes: %d\n", len(s.Mailboxes))
		return exitOK
	})
}
