package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabMailbox lists a mailbox's items.
func cmdLabMailbox(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab mailbox", "lab mailbox ADDRESS [-json]")
	asJSON := fs.Bool("json", false, `print {"address","database","items":[{"message_id","subject"}]}`)
	addr, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if addr == "" && fs.NArg() == 1 {
		addr = fs.Arg(0)
	} else if fs.NArg() > 0 || addr == "" {
		return c.errorf("lab mailbox needs one mailbox address")
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		m, err := l.Mailbox(addr)
		if err != nil {
			return c.errorf("mailbox %s: %v", addr, err)
		}
		if err := views.NewLab(c.streams(), *asJSON).Mailbox(m); err != nil {
			return c.errorf("%v", err)
		}
		return exitOK
	})
}
