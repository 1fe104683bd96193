package views

import (
	"fmt"
	"strings"
	"time"
)

// LabAdmin is the view of the "lab" subcommands that change the simulated organization
// by hand (init, generate, fail, repair, mount, dismount, move, add copy, activate,
// backup, serve): one sentence each, for people (they have no -json).
type LabAdmin struct{ s Streams }

// NewLabAdmin returns the view of the lab's changes by hand.
func NewLabAdmin(s Streams) LabAdmin { return LabAdmin{s} }

// Built is "lab init": the lab at dir, its size, and the archives seeded (archives per
// database, archived messages in all) when any.
func (v LabAdmin) Built(dir string, servers, databases, perDB, archives, archived int) {
	fmt.Fprintf(v.s.Out, "Lab built in %s: %d servers, %d databases, %d mailboxes per database.\n", dir, servers, databases, perDB)
	if archives > 0 {
		fmt.Fprintf(v.s.Out, "%d user mailboxes per database have an archive there, with %d archived messages in all (in the ledger: lab verify counts them).\n",
			archives, archived)
	}
	fmt.Fprintln(v.s.Out, "plan and apply read it through the lab provider; \"dialtone refresh\" records it in the state now.")
}

// Generated is "lab generate": what was generated in labDir, how long it took, where its
// configuration is, and the failed servers whose databases have recoveries.
func (v LabAdmin) Generated(servers, databases, mailboxes int, labDir string, took time.Duration, configPath string, failed []string) {
	fmt.Fprintf(v.s.Out, "Generated %d servers, %d databases, %d mailboxes in %s (%s); configuration in %s.\n",
		servers, databases, mailboxes, labDir, took.Round(time.Millisecond), configPath)
	if len(failed) > 0 {
		fmt.Fprintf(v.s.Out, "Recoveries for every database of %s; \"dialtone lab fail server NAME\" for each makes it a site failure.\n", strings.Join(failed, ", "))
	}
}

// LabFailure is what "lab fail" broke: What (database, server, logs, items, backup) and
// Name, with what that kind takes.
type LabFailure struct {
	What, Name string
	Mode       string // database: lost or corrupt
	OnServer   string // database: the copy on this server only
	From       uint64 // logs: the first generation lost (0: every log)
	Count      int    // items: how many cannot be read
	Set        string // backup: the set destroyed
}

// Failed is "lab fail": what is broken now and, when lost > 0, how many accepted
// messages the ledger counts as lost.
func (v LabAdmin) Failed(f LabFailure, lost int) {
	var done string
	switch f.What {
	case "database":
		done = fmt.Sprintf("Database %s is now %s.", f.Name, f.Mode)
		if f.OnServer != "" {
			done = fmt.Sprintf("Database %s's copy on %s is now %s.", f.Name, f.OnServer, f.Mode)
		}
	case "server":
		done = fmt.Sprintf("Server %s is down: its databases are dismounted and nothing mounts there until it is rebuilt (\"dialtone lab repair server %s\").", f.Name, f.Name)
	case "logs":
		done = fmt.Sprintf("The transaction logs of %s are lost.", f.Name)
		if f.From != 0 {
			done = fmt.Sprintf("Database %s is lost with its log generations %d (0x%X) and newer.", f.Name, f.From, f.From)
		}
	case "items":
		done = fmt.Sprintf("%d items of %s are now bad: restore requests cannot read them.", f.Count, f.Name)
	case "backup":
		done = fmt.Sprintf("Backup set %s of %s is destroyed.", f.Set, f.Name)
	}
	fmt.Fprintln(v.s.Out, done)
	if lost > 0 {
		fmt.Fprintf(v.s.Out, "The lab's ledger now counts %d accepted messages as lost (no copy left anywhere); \"dialtone lab verify\" lists them.\n", lost)
	}
}

// Repaired is "lab repair server": the server is rebuilt.
func (v LabAdmin) Repaired(server string) {
	fmt.Fprintf(v.s.Out, "Server %s is rebuilt (Setup.exe /Mode:RecoverServer): up, its databases dismounted, its files where the failure left them.\n", server)
}

// Mounted is "lab mount" and "lab dismount" (verb), or already so.
func (v LabAdmin) Mounted(db, verb string, already bool) {
	if already {
		fmt.Fprintf(v.s.Out, "%s is already %sed.\n", db, verb)
		return
	}
	fmt.Fprintf(v.s.Out, "%s %sed by hand.\n", db, verb)
}

// Moved is "lab move mailbox": addr points at to now, its items stay in from.
func (v LabAdmin) Moved(addr, to, from string) {
	fmt.Fprintf(v.s.Out, "%s now points at %s (was %s); its items stay in %s.\n", addr, to, from, from)
}

// CopyAdded is "lab add copy": server holds a passive copy of db.
func (v LabAdmin) CopyAdded(db, server string) {
	fmt.Fprintf(v.s.Out, "Server %s holds a passive copy of %s, seeded from the active copy (Add-MailboxDatabaseCopy).\n", server, db)
}

// Activated is "lab activate": db is active on server; detail says what it mounted.
func (v LabAdmin) Activated(db, server, detail string) {
	fmt.Fprintf(v.s.Out, "%s is active on %s (Move-ActiveMailboxDatabase): %s from the copy's own files.\n", db, server, detail)
}

// BackedUp is "lab backup": the set of db is taken.
func (v LabAdmin) BackedUp(set, db string) {
	fmt.Fprintf(v.s.Out, "Backup set %q of %s taken.\n", set, db)
}

// Serving is "lab serve" listening on addr; Stopped, after Ctrl-C.
func (v LabAdmin) Serving(addr string) {
	fmt.Fprintf(v.s.Out, "Lab SMTP listener on %s: mail for the lab's mailboxes goes through its transport (queued while a database is down). Stop with Ctrl-C.\n", addr)
}

// Stopped is "lab serve" ended by Ctrl-C.
func (v LabAdmin) Stopped() { fmt.Fprintln(v.s.Out, "Lab SMTP listener stopped.") }
