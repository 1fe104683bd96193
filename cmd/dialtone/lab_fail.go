package main

import (
	"fmt"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

const labFailUsage = "lab fail database NAME [-mode=lost|corrupt] | lab fail server NAME | lab fail logs DATABASE"

// cmdLabFail injects a failure into the lab: a database lost or corrupt, a server
// down, or a database's transaction logs lost.
func cmdLabFail(c *cli, cfg *config.Config, args []string) int {
	if len(args) == 0 {
		return c.errorf("lab fail needs what fails: %s", labFailUsage)
	}
	what := args[0]
	if what != "database" && what != "server" && what != "logs" {
		return c.errorf("lab fail %q: unknown failure; use %s", what, labFailUsage)
	}
	fs := newFlagSet(c, "lab fail "+what, labFailUsage)
	mode := "lost"
	if what == "database" {
		fs.StringVar(&mode, "mode", "lost", "lost (files gone, logs survive) or corrupt (will not mount)")
	}
	name, rest := splitPositional(args[1:])
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 || name == "" {
		return c.errorf("lab fail %s needs one name: %s", what, labFailUsage)
	}
	if mode != "lost" && mode != "corrupt" {
		return c.errorf("-mode=%q: use lost or corrupt", mode)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		var err error
		var done string
		switch what {
		case "database":
			err = l.FailDatabase(name, mode)
			done = fmt.Sprintf("Database %s is now %s.", name, mode)
		case "server":
			err = l.FailServer(name)
			done = fmt.Sprintf("Server %s is down.", name)
		case "logs":
			err = l.FailLogs(name)
			done = fmt.Sprintf("The transaction logs of %s are lost.", name)
		}
		if err != nil {
			return c.errorf("failing %s %s: %v", what, name, err)
		}
		fmt.Fprintln(c.stdout, done)
		return exitOK
	})
}
