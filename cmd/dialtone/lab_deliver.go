package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabDeliver delivers test messages to one mailbox or round-robin to the mailboxes
// of one database; mail for a database that is not mounted is queued.
func cmdLabDeliver(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab deliver", "lab deliver (-to=ADDRESS [-size=SIZE] [-archive] | -database=NAME) [-count=N] [-json]")
	to := fs.String("to", "", "deliver to this mailbox address")
	db := fs.String("database", "", "deliver round-robin to the mailboxes of this database")
	count := fs.Int("count", 1, "how many messages")
	sizeFlag := fs.String("size", "", `with -to: what each message counts toward the mailbox's size and quota ("3GB"); the lab's messages weigh nothing otherwise`)
	archive := fs.Bool("archive", false, "into the archive of the -to mailbox (as retention moves items there)")
	asJSON := fs.Bool("json", false, `print {"accepted":[{"message_id","to","queued"}]}`)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab deliver takes no arguments (got %q); use -to=ADDRESS or -database=NAME", fs.Arg(0))
	}
	if (*to == "") == (*db == "") {
		return c.errorf("lab deliver needs exactly one of -to=ADDRESS or -database=NAME")
	}
	if *archive && *to == "" {
		return c.errorf("-archive needs -to=ADDRESS: it delivers into that mailbox's archive")
	}
	if *count < 1 {
		return c.errorf("-count=%d: must be at least 1", *count)
	}
	var size int64
	if *sizeFlag != "" {
		if *to == "" {
			return c.errorf("-size goes with -to=ADDRESS")
		}
		n, err := lab.ParseSize(*sizeFlag)
		if err != nil {
			return c.errorf("-size=%q: a size such as 3GB or 500MB", *sizeFlag)
		}
		size = n
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		var acc []lab.Accepted
		var err error
		switch {
		case *archive:
			acc, err = l.DeliverArchive(*to, *count)
		case *to != "":
			acc, err = l.DeliverSized(*to, *count, size)
		default:
			acc, err = l.DeliverToDatabase(*db, *count)
		}
		if err != nil {
			return c.errorf("delivering: %v", err)
		}
		if err := views.NewLab(c.streams(), *asJSON).Delivered(acc); err != nil {
			return c.errorf("%v", err)
		}
		return exitOK
	})
}
