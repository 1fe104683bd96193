package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabBackup takes a full backup (database file and logs) of one database.
func cmdLabBackup(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab backup", "lab backup DATABASE [-name=SET]")
	name := fs.String("name", "nightly", "backup set name (the recovery's restore.backup)")
	db, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if db == "" && fs.NArg() == 1 {
		db = fs.Arg(0)
	} else if fs.NArg() > 0 || db == "" {
		return c.errorf("lab backup needs one database name, such as \"lab backup DB01\"")
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		if err := l.Backup(db, *name); err != nil {
			return c.errorf("backing up %s: %v", db, err)
		}
		views.NewLabAdmin(c.streams()).BackedUp(*name, db)
		return exitOK
	})
}

// splitPositional lets a leading positional argument come before the flags
// ("lab backup DB01 -name=x"): it returns it and the rest.
func splitPositional(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}
