package ems

// The command lines of each operation. Each function is the one description of its
// operation's Exchange Management Shell syntax: the planner shows what it returns, the
// runbook writes it and the Exchange provider runs it.

// NewDatabase is New-MailboxDatabase (with -Recovery for a recovery database).
// -Server is always given: Microsoft's example leaves it out, the cmdlet requires it.
func NewDatabase(name, server, edb, logs string, recovery bool) Line {
	c := New("New-MailboxDatabase")
	if recovery {
		c.Switch("Recovery")
	}
	return c.Str("Name", name).Str("Server", server).Str("EdbFilePath", edb).Str("LogFolderPath", logs).Line()
}

// MountDatabase is Mount-Database, never with -Force: -Force mounts an empty database
// where the expected file is missing, which would silently replace restored data.
func MountDatabase(db string) Line { return New("Mount-Database").Str("Identity", db).Line() }

// DismountDatabase is Dismount-Database.
func DismountDatabase(db string) Line {
	return New("Dismount-Database").Str("Identity", db).NoConfirm().Line()
}

// RestartStore is Restart-Service MSExchangeIS (Microsoft's recovery database procedure,
// step 4: after creating a recovery database, before mounting it). It runs on the
// server whose store restarts (inside Invoke-Command -ComputerName there), and it
// interrupts every database mounted on that server.
func RestartStore() Line { return New("Restart-Service").Word("Name", "MSExchangeIS").Line() }

// RemoveDatabase is Remove-MailboxDatabase (the AD object; the files stay).
func RemoveDatabase(db string) Line {
	return New("Remove-MailboxDatabase").Str("Identity", db).NoConfirm().Line()
}

// MailboxStatistics lists the mailboxes a database holds (Get-MailboxStatistics).
func MailboxStatistics(db string) Line {
	return New("Get-MailboxStatistics").Str("Database", db).Line()
}

// SetAllowFileRestore is Set-MailboxDatabase -AllowFileRestore.
func SetAllowFileRestore(db string, v bool) Line {
	return New("Set-MailboxDatabase").Str("Identity", db).Bool("AllowFileRestore", v).Line()
}

// ProvisioningReason is the reason dialtone gives when it excludes a dial tone database
// from provisioning (at least 10 characters, as Exchange 2016 and later want).
const ProvisioningReason = "dialtone: temporary dial tone database"

// SetExcludedFromProvisioning is Set-MailboxDatabase -IsExcludedFromProvisioning. From
// Exchange 2016 on, excluding a database requires -IsExcludedFromProvisioningReason;
// Exchange 2013 has no such parameter.
func SetExcludedFromProvisioning(db string, excluded bool, v Version) Line {
	c := New("Set-MailboxDatabase").Str("Identity", db).Bool("IsExcludedFromProvisioning", excluded)
	if excluded && v != V2013 {
		c.Str("IsExcludedFromProvisioningReason", ProvisioningReason)
	}
	return c.Line()
}

// systemFilter keeps out the object classes the database portability procedure
// filters out before re-homing.
const systemFilter = "(SystemAttendantMailbox|ExOleDbSystemMailbox)"

// RehomeUsers points the user mailboxes of from at to (database portability, 2.2 step
// 6, with -ResultSize Unlimited: Get-Mailbox stops at 1,000 without it).
func RehomeUsers(from, to string) Line {
	return Pipe(New("Get-Mailbox").Str("Database", from).Word("ResultSize", "Unlimited"),
		New("Where-Object").Word("Property", "ObjectClass").Switch("NotMatch").Str("Value", systemFilter),
		New("Set-Mailbox").Str("Database", to).NoConfirm())
}

// SystemSwitches are the Get-Mailbox switches of the system mailboxes re-homed with
// Set-Mailbox and the same switch in version v: arbitration, audit log (2016 and later),
// auxiliary audit log (2016 and later) and public folder mailboxes. Health (monitoring)
// mailboxes are not among them: Set-Mailbox has no -Monitoring, and Managed
// Availability creates them for each database.
func SystemSwitches(v Version) []string {
	var out []string
	get, set := Ref().Cmdlet("Get-Mailbox"), Ref().Cmdlet("Set-Mailbox")
	for _, sw := range []string{"Arbitration", "AuditLog", "AuxAuditLog", "PublicFolder"} {
		if g, s := get.Param(sw), set.Param(sw); g != nil && s != nil && g.In(v) && s.In(v) {
			out = append(out, sw)
		}
	}
	return out
}

// RehomeSystem points the system mailboxes of one Get-Mailbox switch of from at to.
func RehomeSystem(from, to, sw string) Line {
	return Pipe(New("Get-Mailbox").Str("Database", from).Word("ResultSize", "Unlimited").Switch(sw),
		New("Set-Mailbox").Switch(sw).Str("Database", to).NoConfirm())
}

// ArchiveDNVar is the variable in which ArchivesOn keeps the distinguished name of the
// database whose archives it finds.
const ArchiveDNVar = "dtArchiveDN"

// ArchivesOn finds the mailboxes whose archive is on db, whatever the primary mailbox's
// home, with a filter that Exchange evaluates in the directory: only those mailboxes
// are read, not the organization's. In Exchange Server the ArchiveDatabase filter takes
// the database's distinguished name, so the DN is looked up into $dtArchiveDN first and
// the filter names the variable, its single quotes doubled, as Microsoft's recipient
// filter documentation writes it ("Filterable properties for the -Filter parameter",
// ArchiveDatabase; "Recipient filters": a variable inside a filter, enclosed in double
// quotation marks). The filter is constant code: db reaches PowerShell only as the
// quoted -Identity. The lines must run in one session.
func ArchivesOn(db string) []Line {
	return []Line{
		Set(ArchiveDNVar, New("Get-MailboxDatabase").Str("Identity", db), New("Select-Object").Word("ExpandProperty", "DistinguishedName")),
		Pipe(New("Get-Mailbox").Word("ResultSize", "Unlimited").Code("Filter", ArchiveFilter)),
	}
}

// ArchiveFilter is the -Filter of ArchivesOn: constant code, the one double-quoted
// string dialtone writes.
const ArchiveFilter = `"ArchiveDatabase -eq '$($` + ArchiveDNVar + ` -replace "'","''")'"`

// RehomeArchives points the archives kept on from at to, whatever the primary
// mailbox's home: ArchivesOn piped to Set-Mailbox -ArchiveDatabase. The lines run in
// one session (the first sets the variable the second reads).
func RehomeArchives(from, to string) []Line {
	lines := ArchivesOn(from)
	last := &lines[len(lines)-1]
	last.Pipe = append(last.Pipe, *New("Set-Mailbox").Str("ArchiveDatabase", to).NoConfirm())
	return lines
}

// RehomeAllSystem is every line of re-homing from's system mailboxes and archives in
// version v.
func RehomeAllSystem(from, to string, v Version) []Line {
	var out []Line
	for _, sw := range SystemSwitches(v) {
		out = append(out, RehomeSystem(from, to, sw))
	}
	return append(out, RehomeArchives(from, to)...)
}

// ResubmitQueues sends the mail queued on server for db back through categorisation,
// so that it reaches the users' new home (Retry-Queue -Resubmit). Get-Queue and
// Retry-Queue act on one transport server at a time.
func ResubmitQueues(server, db string) Line {
	return Pipe(New("Get-Queue").Str("Server", server),
		New("Where-Object").Word("Property", "NextHopDomain").Switch("EQ").Str("Value", db),
		New("Retry-Queue").Bool("Resubmit", true).NoConfirm())
}

// RestoreRequest is one New-MailboxRestoreRequest of a merge: named, from a mailbox of
// a recovery database into a live mailbox.
type RestoreRequest struct {
	Name, SourceDatabase string
	// SourceStoreMailbox (the ExchangeGuid) and TargetMailbox (the address) are values;
	// in a runbook loop they are the loop's variables, written as code (Loop).
	SourceStoreMailbox, TargetMailbox string
	Loop                              bool
	Conflict                          string // "" is KeepSourceItem, Exchange's default
	BadItemLimit                      int
	// TargetIsArchive restores into the target's archive; SourceStoreMailbox is then the
	// source archive's ArchiveGuid.
	TargetIsArchive bool
}

// DefaultConflict is Exchange's -ConflictResolutionOption default.
const DefaultConflict = "KeepSourceItem"

// acceptLargeDataLoss adds -AcceptLargeDataLoss where a limit exceeds 50: Exchange
// refuses larger limits without it (2013 and later put the rule on -LargeItemLimit, the
// Set- page still on -BadItemLimit, so dialtone passes it whenever either exceeds 50).
// The one place this rule is written.
func acceptLargeDataLoss(c *Cmd, limit int) {
	if limit > 50 {
		c.Switch("AcceptLargeDataLoss")
	}
}

// NewRestoreRequest is New-MailboxRestoreRequest.
func NewRestoreRequest(r RestoreRequest) Line {
	conflict := r.Conflict
	if conflict == "" {
		conflict = DefaultConflict
	}
	c := New("New-MailboxRestoreRequest").Str("Name", r.Name).Str("SourceDatabase", r.SourceDatabase)
	if r.Loop {
		c.Code("SourceStoreMailbox", r.SourceStoreMailbox).Code("TargetMailbox", r.TargetMailbox)
	} else {
		c.Str("SourceStoreMailbox", r.SourceStoreMailbox).Str("TargetMailbox", r.TargetMailbox)
	}
	c.Word("ConflictResolutionOption", conflict).Int("BadItemLimit", r.BadItemLimit)
	acceptLargeDataLoss(c, r.BadItemLimit)
	if r.TargetIsArchive {
		c.Switch("TargetIsArchive")
	}
	return c.Line()
}

// GetRestoreRequest finds mailbox's restore request of that name.
func GetRestoreRequest(mailbox, name string) *Cmd {
	return New("Get-MailboxRestoreRequest").Str("TargetMailbox", mailbox).Str("Name", name)
}

// SetRestoreRequestLimit raises the bad item limit of mailbox's request (after it
// failed on bad items).
func SetRestoreRequestLimit(mailbox, name string, limit int) Line {
	set := New("Set-MailboxRestoreRequest").Int("BadItemLimit", limit)
	acceptLargeDataLoss(set, limit)
	return Pipe(GetRestoreRequest(mailbox, name), set)
}

// ResumeRestoreRequest resumes mailbox's Failed or suspended request.
func ResumeRestoreRequest(mailbox, name string) Line {
	return Pipe(GetRestoreRequest(mailbox, name), New("Resume-MailboxRestoreRequest").NoConfirm())
}

// RemoveRestoreRequests removes the requests of source in status (Completed,
// CompletedWithWarning), all of them (-ResultSize Unlimited: the default stops at 1,000).
func RemoveRestoreRequests(source, status string) Line {
	return Pipe(ListRestoreRequests(source, status), New("Remove-MailboxRestoreRequest").NoConfirm())
}

// ListRestoreRequests lists the restore requests of source, in status when given.
func ListRestoreRequests(source, status string) *Cmd {
	c := New("Get-MailboxRestoreRequest").Str("SourceDatabase", source)
	if status != "" {
		c.Word("Status", status)
	}
	return c.Word("ResultSize", "Unlimited")
}

// Replay is eseutil /r with the log prefix of the logs replayed (the prefix of the
// database that wrote them), with /a when the admin accepted losing the logs after a gap.
func Replay(prefix, logs, edbFolder string, acceptLoss bool) Line {
	c := New("eseutil").Pos("/r", false).Pos(prefix, true).Pos("/l", false).Pos(logs, true).Pos("/d", false).Pos(edbFolder, true)
	if acceptLoss {
		c.Pos("/a", false)
	}
	return c.Line()
}

// Header is eseutil /mh: the database header (Clean or Dirty Shutdown, log range).
func Header(edb string) Line { return New("eseutil").Pos("/mh", false).Pos(edb, true).Line() }

// CheckLogs is eseutil /ml on the logs of one prefix in a folder.
func CheckLogs(prefixPath string) Line {
	return New("eseutil").Pos("/ml", false).Pos(prefixPath, true).Line()
}
