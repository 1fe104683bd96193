package main

import (
	"fmt"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// labCommands are the subcommands of "dialtone lab".
func labCommands() map[string]func(c *cli, cfg *config.Config, args []string) int {
	return map[string]func(c *cli, cfg *config.Config, args []string) int{
		"init":     cmdLabInit,
		"deliver":  cmdLabDeliver,
		"backup":   cmdLabBackup,
		"fail":     cmdLabFail,
		"mailbox":  cmdLabMailbox,
		"status":   cmdLabStatus,
		"verify":   cmdLabVerify,
		"repair":   cmdLabRepair,
		"add":      cmdLabAdd,
		"activate": cmdLabActivate,
		"generate": cmdLabGenerate,
		"mount":    cmdLabMount,
		"dismount": cmdLabDismount,
		"move":     cmdLabMove,
		"serve":    cmdLabServe,
	}
}

const labUsage = `Usage: dialtone lab SUBCOMMAND [flags]

  init [-mailboxes=N]                               build the simulated organization from the configuration
  deliver (-to=ADDRESS | -database=NAME) [-count=N] [-json]
                                                    deliver test messages (queued while a database is down)
  backup DATABASE [-name=SET]                       take a full backup
  fail database NAME [-mode=lost|corrupt]           lose a database's files, or corrupt them
  fail server NAME                                  take a server down with every database on it
  fail logs DATABASE [-from=GENERATION]             lose its logs (or the database and its logs from GENERATION on)
  fail items DATABASE -count=N                      make N items unreadable for restore requests
  fail backup DATABASE [-name=SET]                  destroy a backup set
  repair server NAME                                rebuild a failed server (Setup.exe /Mode:RecoverServer)
  add copy DATABASE -server=NAME                    add and seed a passive copy (Add-MailboxDatabaseCopy)
  activate DATABASE -server=NAME                    activate a passive copy from its own files (Move-ActiveMailboxDatabase)
  mailbox ADDRESS [-json]                           list a mailbox's items
  status [-json]                                    databases and mailboxes
  generate -servers=N -databases-per-server=N -mailboxes-per-database=N [-fail-server=EX001] [-out=DIR]
                                                    write a large lab and its HCL topology (benchmarks)
  verify [-accept-lost]                             exit 0 only if every accepted message is delivered exactly once
  mount DATABASE | dismount DATABASE                mount or dismount by hand (drift for the next refresh)
  move mailbox ADDRESS -to=DATABASE                 point one mailbox at another database by hand (Set-Mailbox -Database)
  serve [-smtp=127.0.0.1:2525] [-allow-remote]      an SMTP listener delivering through the lab's transport, until SIGINT/SIGTERM
`

// cmdLab dispatches the lab subcommands. Each loads the configuration first: the lab
// folder is the lab provider's path.
func cmdLab(c *cli, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprint(c.stderr, labUsage)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	sub, ok := labCommands()[args[0]]
	if !ok {
		fmt.Fprintf(c.stderr, "%s unknown lab subcommand %q.\n\n%s", c.paint(red, "Error:"), args[0], labUsage)
		return exitError
	}
	if args[0] == "generate" { // it writes the configuration: there is none to load yet
		return sub(c, nil, args[1:])
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	return sub(c, cfg, args[1:])
}

// withLab opens the lab, runs fn and closes it.
func withLab(c *cli, cfg *config.Config, fn func(l *lab.Lab) int) int {
	l, err := openLab(c, cfg)
	if err != nil {
		return c.errorf("%v", err)
	}
	defer func() {
		if err := l.Close(); err != nil {
			c.log.Warn("closing the lab", "error", err)
		}
	}()
	return fn(l)
}
