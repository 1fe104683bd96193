package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

const labFailUsage = "lab fail database NAME [-mode=lost|corrupt] [-server=SERVER] | lab fail server NAME | lab fail logs DATABASE [-from=GENERATION] | " +
	"lab fail items DATABASE -count=N | lab fail backup DATABASE [-name=SET]"

// cmdLabFail injects a failure into the lab (exchange-recovery.md section 4): a
// database lost or corrupt, a server down, a database's transaction logs lost (all of
// them, or the database with every generation from -from on), bad items that restore
// requests cannot read, or a backup set destroyed.
func cmdLabFail(c *cli, cfg *config.Config, args []string) int {
	if len(args) == 0 {
		return c.errorf("lab fail needs what fails: %s", labFailUsage)
	}
	what := args[0]
	switch what {
	case "database", "server", "logs", "items", "backup":
	default:
		return c.errorf("lab fail %q: unknown failure; use %s", what, labFailUsage)
	}
	fs := newFlagSet(c, "lab fail "+what, labFailUsage)
	mode := "lost"
	var from uint64
	count := 0
	set := "nightly"
	onServer := ""
	switch what {
	case "database":
		fs.StringVar(&mode, "mode", "lost", "lost (files gone, logs survive) or corrupt (will not mount)")
		fs.StringVar(&onServer, "server", "", "fail only this server's copy: the database's own server (the active copy) or one holding a passive copy; every copy when unset")
	case "logs":
		fs.Uint64Var(&from, "from", 0, "lose the database and its log generations from GENERATION on (decimal or 0x hex); 0: every log, the database stays")
	case "items":
		fs.IntVar(&count, "count", 0, "how many items to make unreadable (the first ones by mailbox address, then message ID)")
	case "backup":
		fs.StringVar(&set, "name", "nightly", "the backup set to destroy")
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
	if what == "items" && count < 1 {
		return c.errorf("lab fail items %s needs -count=N (1 or more): how many items restore requests cannot read", name)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		var err error
		f := views.LabFailure{What: what, Name: name}
		switch what {
		case "database":
			err = l.FailDatabaseOn(name, mode, onServer)
			f.Mode, f.OnServer = mode, onServer
		case "server":
			err = l.FailServer(name)
		case "logs":
			if f.From = from; from == 0 {
				err = l.FailLogs(name)
			} else {
				err = l.FailLogsAfter(name, from)
			}
		case "items":
			err = l.FailItems(name, count)
			f.Count = count
		case "backup":
			err = l.FailBackup(name, set)
			f.Set = set
		}
		if err != nil {
			return c.errorf("failing %s %s: %v", what, name, err)
		}
		lost := 0
		if what != "server" && what != "items" {
			if r, verr := l.Verify(); verr == nil {
				lost = len(r.Lost)
			}
		}
		views.NewLabAdmin(c.streams()).Failed(f, lost)
		return exitOK
	})
}

const labRepairUsage = "lab repair server NAME"

// cmdLabRepair rebuilds a failed server the way Setup.exe /Mode:RecoverServer does on a
// same-named replacement: the server is up again, its databases dismounted, its data
// volumes as the failure left them. This is what an admin does at the manual step
// recover_server of an alternate_server recovery, before "dialtone confirm".
func cmdLabRepair(c *cli, cfg *config.Config, args []string) int {
	if len(args) != 2 || args[0] != "server" {
		return c.errorf("usage: dialtone %s", labRepairUsage)
	}
	name := args[1]
	return withLab(c, cfg, func(l *lab.Lab) int {
		if err := l.RepairServer(name); err != nil {
			return c.errorf("repairing server %s: %v", name, err)
		}
		views.NewLabAdmin(c.streams()).Repaired(name)
		return exitOK
	})
}
