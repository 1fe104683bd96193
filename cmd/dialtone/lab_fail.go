package main

import (
	"fmt"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabFail injects a failure: "lab fail database NAME [-mode=lost|corrupt]".
func cmdLabFail(c *cli, cfg *config.Config, args []string) int {
	if len(args) == 0 || args[0] != "database" {
		return c.errorf("lab fail needs what fails: \"lab fail database NAME [-mode=lost|corrupt]\" (server and logs failures come later)")
	}
	fs := newFlagSet(c, "lab fail database", "lab fail database NAME [-mode=lost|corrupt]")
	mode := fs.String("mode", "lost", "lost (files gone) or corrupt (will not mount)")
	db, rest := splitPositional(args[1:])
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if db == "" && fs.NArg() == 1 {
		db = fs.Arg(0)
	} else if fs.NArg() > 0 || db == "" {
		return c.errorf("lab fail database needs one database name")
	}
	if *mode != "lost" && *mode != "corrupt" {
		return c.errorf("-mode=%q: use lost or corrupt", *mode)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		if err := l.FailDatabase(db, *mode); err != nil {
			return c.errorf("failing %s: %v", db, err)
		}
		fmt.Fprintf(c.stdout, "Database %s is now %s.\n", db, *mode)
		return exitOK
	})
}
