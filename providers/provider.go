// Package providers defines the contract between dialtone's planner and the systems that
// carry out a recovery: the Provider interface and the vocabulary of operations. The
// concrete providers live in sub-packages (lab, exchange); only cmd/dialtone wires them.
package providers

import (
	"context"
	"time"

	"github.com/dialtone/dialtone/state"
)

// Provider carries out operations against one Exchange organization (real or simulated).
type Provider interface {
	// Read reports the organization as it is now: servers, databases, mailboxes.
	Read(ctx context.Context) (*state.Observed, error)

	// Apply carries out one operation and blocks until it is finished (asynchronous
	// work such as restore requests is started and watched until done). Every
	// operation is idempotent: Apply first checks whether the effect is already in
	// place (a re-run after a crash) and then does only what is missing. progress may
	// be nil; long operations call it with done/total units.
	// An error means the operation did not finish; it is safe to call Apply again.
	Apply(ctx context.Context, op Operation, progress func(done, total int64)) (Result, error)

	// Capabilities says which operations the provider can do by itself; the planner
	// turns the others into manual steps.
	Capabilities() Capabilities
}

// MailboxStreamer is implemented by providers whose Read can hand the mailboxes to a
// callback one at a time instead of building Observed.Mailboxes, so that a refresh can
// update the state's mailboxes in place (state.MailboxRefresh): one map of 500,000
// mailboxes alive instead of two.
type MailboxStreamer interface {
	// ReadStream is Read with every mailbox passed to fn and Observed.Mailboxes nil. m
	// and its strings are only valid during the call: fn copies what it keeps.
	ReadStream(ctx context.Context, fn func(m *state.Mailbox)) (*state.Observed, error)
}

// ScopedReader is implemented by providers that can read the mailboxes of some
// databases only, so that a refresh before a plan scales with the failure, not the
// organization.
type ScopedReader interface {
	// ReadScoped is Read with the mailboxes of the named databases only (servers,
	// databases and restore requests in full); Observed.MailboxScope lists the databases
	// whose mailboxes were read, so that the state keeps what it knew of the others.
	ReadScoped(ctx context.Context, databases []string) (*state.Observed, error)
}

// Clock is implemented by providers whose operations run on a clock of their own: the
// lab with a latency model, whose time runs faster than the wall clock's when it is
// scaled. Apply records step times on it, so that they show the modelled durations.
type Clock interface{ Now() time.Time }

// Parallel is implemented by providers that can carry out several operations at once
// with resources of their own per operation (the exchange provider's PowerShell
// sessions): apply tells them its -parallelism before it walks the plan.
type Parallel interface{ SetParallelism(n int) }

// Concurrency is implemented by providers that carry out fewer operations at once
// than apply may start (the exchange provider: a PowerShell session per operation, its
// pool capped below Exchange's throttling policy). Apply starts no more steps at once
// than that: steps started beyond it would queue inside the provider in the order they
// came, and apply's own order (priority, then the steps users wait for) would no
// longer decide which step gets the next session.
type Concurrency interface {
	// Concurrency is how many operations the provider carries out at once when apply
	// runs up to parallelism steps at once (at most parallelism; 0: no limit of its own).
	Concurrency(parallelism int) int
}

// Closer is implemented by providers that hold resources.
type Closer interface{ Close() error }

// Capabilities lists the operations a provider can carry out without a person.
type Capabilities struct {
	RestoreBackup bool // OpRestoreBackup
	MoveFiles     bool // OpCopyFiles, OpMoveFiles
	RenameFiles   bool // OpKeepFiles (a rename in place on the file's own volume)
	DeleteFiles   bool // OpDeleteFiles
	ReplayLogs    bool // OpReplayLogs (eseutil /r)
	RecoverServer bool // OpRecoverServer (Setup.exe /Mode:RecoverServer): no provider does it today
}

// Checker is implemented by providers that can check a precondition cheaply right before
// a step runs (the world may have moved since the plan). Check returns nil when the
// precondition holds, else an error saying what is wrong (the limit, the object).
type Checker interface {
	Check(ctx context.Context, c Check) error
}

// CheckKind names a precondition a provider can check.
type CheckKind string

const (
	CheckServerUp        CheckKind = "server_up"        // Server is up
	CheckMountSlot       CheckKind = "mount_slot"       // Server can mount one more non-recovery database
	CheckRecoverySlot    CheckKind = "recovery_slot"    // no recovery database is mounted on Server (other than Database)
	CheckDiskRoom        CheckKind = "disk_room"        // Server has Bytes free
	CheckBackupExists    CheckKind = "backup_exists"    // backup set Backup of Database exists
	CheckDatabaseMounted CheckKind = "database_mounted" // Database is mounted
	CheckNotMounted      CheckKind = "not_mounted"      // Database is not mounted
	CheckClean           CheckKind = "clean"            // Database's files are in Clean Shutdown (or its log range is complete)
)

// Check is one precondition a provider is asked to verify.
type Check struct {
	Kind     CheckKind `json:"kind"`
	Server   string    `json:"server,omitempty"`
	Database string    `json:"database,omitempty"`
	Backup   string    `json:"backup,omitempty"`
	Bytes    int64     `json:"bytes,omitempty"`
}

// Result is what a finished operation reports.
type Result struct {
	// Skipped is true when the operation found nothing to do for a good reason
	// (a merge whose source mailbox is absent from the recovery database).
	Skipped bool
	// AlreadyDone is true when the effect was found already in place.
	AlreadyDone bool
	// Detail is a short human summary ("copied 34 items", "mounted", ...).
	Detail string
	// Count is the number of units the operation handled (mailboxes re-homed, items copied).
	Count int64
	// Wrote lists the files the operation wrote, the folders it created and, for a
	// database it created, that database's log stream. The apply walk records them in
	// the state with the step: clean-up deletes nothing else. A re-run that finds its own
	// copies already in place reports them again.
	Wrote []state.Written
	// Deleted lists the records of Operation.Recorded that delete_files removed (or found
	// already gone), so that the state forgets them.
	Deleted []state.Written
}

// OpKind names an operation of the vocabulary.
type OpKind string

// The operations, with the fields of Operation each one uses. Paths are the Windows
// paths of the configuration; a provider maps them to its own storage.
const (
	// OpCopyFiles copies every file of a database (the .edb at EdbFilePath and the
	// contents of LogFolderPath, whatever survives) into the folder DestFolder, keeping
	// names; or, when DestEdbFilePath is set, the .edb to DestEdbFilePath (renamed when
	// the names differ) and the log folder's files into DestLogFolderPath. Nothing is
	// deleted. Fields: Database, Server, EdbFilePath, LogFolderPath, DestFolder or
	// DestEdbFilePath and DestLogFolderPath.
	OpCopyFiles OpKind = "copy_files"

	// OpKeepFiles keeps a failed database's surviving files out of the way of what
	// follows without copying the database: the .edb at EdbFilePath is renamed into the
	// folder DestFolder on its own volume (atomic, and instant whatever its size), and
	// the files of LogFolderPath are copied there (they also stay where they are, so
	// that the surviving log range can still be read). Nothing is deleted or
	// overwritten. Fields: Database, Server, EdbFilePath, LogFolderPath, DestFolder.
	OpKeepFiles OpKind = "keep_files"

	// OpCreateDatabase is New-MailboxDatabase (with -Recovery when Recovery). The
	// database is created dismounted. Fields: Database, Server, EdbFilePath, LogFolderPath,
	// Recovery, Settings (only OfflineAddressBook, which New-MailboxDatabase takes).
	OpCreateDatabase OpKind = "create_database"

	// OpRestartStore is Restart-Service MSExchangeIS on Server, where Microsoft's recovery
	// database procedure has it: after the recovery database Database is created, before
	// its first mount (2016, 2019 and SE: "Restore data using a recovery database" step 4;
	// 2013 likewise). Every database mounted on Server is dismounted while the store
	// restarts, a dial tone database too, and mail for them queues meanwhile; after it,
	// the provider mounts again each database that was mounted before and each of
	// Databases (those the plan expects mounted there, named in its impact) that the
	// store did not mount by itself (MountAtStartup $false). Done already when the store
	// has loaded Database (started since Database was created, or Database is mounted).
	// Fields: Server, Database, Databases.
	OpRestartStore OpKind = "restart_information_store"

	// OpRehomeMailboxes points every mailbox whose database is Database at Target
	// (Get-Mailbox -Database X -ResultSize Unlimited | Set-Mailbox -Database Y). Fields: Database, Target.
	OpRehomeMailboxes OpKind = "rehome_mailboxes"

	// OpMountDatabase is Mount-Database (never -Force). Mounting a dirty database replays
	// its logs past the checkpoint. A mount delivers queued mail for its mailboxes.
	// Fields: Database, Server.
	OpMountDatabase OpKind = "mount_database"

	// OpDismountDatabase is Dismount-Database; leaves the database clean. Fields: Database, Server.
	OpDismountDatabase OpKind = "dismount_database"

	// OpSetAllowFileRestore is Set-MailboxDatabase -AllowFileRestore. Fields: Database, Value.
	OpSetAllowFileRestore OpKind = "set_allow_file_restore"

	// OpRestoreBackup restores the backup set Backup of database Source into the files
	// of database Database (its EdbFilePath and LogFolderPath), keeping file names: the
	// .edb restored keeps the name Source's file had when it was backed up (a renamed
	// database keeps its file name), and Database's EdbFilePath must end with it.
	// The restored database is dirty (restored to another location). Fields: Database,
	// Server, Source, Backup, EdbFilePath, LogFolderPath.
	OpRestoreBackup OpKind = "restore_backup"

	// OpCopyLogs copies the log files of the log stream of database Source found in
	// SourceFolder into LogFolderPath (the logs newer than a backup, before the first
	// mount). Fields: Database, Server, Source, SourceFolder, LogFolderPath.
	OpCopyLogs OpKind = "copy_logs"

	// OpReplayLogs is eseutil /r: replay the logs of prefix LogPrefix (the log stream of
	// the database that wrote them, from the state: E00 only by default) in
	// LogFolderPath into the .edb at EdbFilePath until it is clean. Fields: Database,
	// Server, EdbFilePath, LogFolderPath, LogPrefix, AcceptDataLoss.
	OpReplayLogs OpKind = "replay_logs"

	// OpMoveFiles moves a database's file set: the .edb at EdbFilePath to DestEdbFilePath
	// (renaming it when the names differ) and the files of LogFolderPath into
	// DestLogFolderPath. It copies, verifies, then deletes the source: no moment exists
	// where the only copy is in flight. Fields: Database (whose files), Server,
	// EdbFilePath, LogFolderPath, DestEdbFilePath, DestLogFolderPath.
	OpMoveFiles OpKind = "move_files"

	// OpMergeMailbox is New-MailboxRestoreRequest -Name RequestName -SourceDatabase
	// Source -SourceStoreMailbox ExchangeGuid -TargetMailbox Mailbox, watched until it
	// is done. When the source mailbox is absent from Source, it is skipped (Result.Skipped).
	// An existing request of that name is resumed or reported, never created twice.
	// With TargetIsArchive it restores into the mailbox's archive (-TargetIsArchive).
	// Fields: Source, Mailbox, ExchangeGuid, RequestName, ConflictResolution, BadItemLimit,
	// TargetIsArchive.
	OpMergeMailbox OpKind = "merge_mailbox"

	// OpRemoveRestoreRequests is Get-MailboxRestoreRequest -Status Completed |
	// Remove-MailboxRestoreRequest for requests whose source is Source. Fields: Source.
	OpRemoveRestoreRequests OpKind = "remove_restore_requests"

	// OpRemoveDatabase is Remove-MailboxDatabase (AD object only; files stay).
	// Fields: Database.
	OpRemoveDatabase OpKind = "remove_database"

	// OpDeleteFiles deletes what dialtone wrote of a removed database's files: of the
	// records in Recorded (set by the apply walk from the state, never by a plan), the
	// file at EdbFilePath, the files in LogFolderPath and that folder's log stream, then
	// the recorded folders holding them, each only once it is empty. Nothing that is not
	// recorded is deleted, nothing is deleted recursively, and a path that is, holds or
	// lies inside another database's files is refused (see Guard). What stays, and why,
	// is in Result.Detail. Fields: Database, Server, EdbFilePath, LogFolderPath, Recorded.
	OpDeleteFiles OpKind = "delete_files"

	// OpRecoverServer rebuilds a lost server under its own name (Setup.exe
	// /Mode:RecoverServer after a same-named Windows install with the same drive
	// letters). Manual on every provider today. Fields: Server.
	OpRecoverServer OpKind = "recover_server"

	// OpAddCopies adds a passive copy of Database on each server of Servers and seeds
	// it (Add-MailboxDatabaseCopy), giving a database its availability group's
	// protection back. Manual on every provider: Add-MailboxDatabaseCopy is not in
	// dialtone's cmdlet reference file, so no checked command line can do it. Fields:
	// Database, Servers.
	OpAddCopies OpKind = "add_copies"

	// OpResubmitQueues is Get-Queue -Server S | Retry-Queue -Resubmit $true, on each
	// transport server S of Servers (those up when planned), for the queues holding mail
	// for Database, so queued mail reaches its users' new home. A server that cannot be
	// reached is skipped and reported, not a failure. Fields: Database, Target, Servers.
	OpResubmitQueues OpKind = "resubmit_queues"

	// OpRepointProfiles is the manual repointing of mail profiles of clients without
	// Autodiscover at Server. Fields: Server, Mailboxes (the addresses), Instructions.
	OpRepointProfiles OpKind = "repoint_profiles"

	// OpRehomeSystemMailboxes re-homes the system mailboxes and archives of Database to
	// Target (the Get-Mailbox switches of exchange-recovery.md 1.4). Fields: Database, Target.
	OpRehomeSystemMailboxes OpKind = "rehome_system_mailboxes"

	// OpSetExcludedFromProvisioning is Set-MailboxDatabase -IsExcludedFromProvisioning.
	// Fields: Database, Value.
	OpSetExcludedFromProvisioning OpKind = "set_excluded_from_provisioning"

	// OpSetDatabaseSettings is Set-MailboxDatabase -Identity Database with one parameter
	// per entry of Settings (Exchange property name -> value in the canonical form of
	// state/settings.go): quotas, journaling, retention, MountAtStartup, provisioning.
	// An AD write: it works while the database's server is down. Fields: Database, Settings.
	OpSetDatabaseSettings OpKind = "set_database_settings"

	// OpRenameDatabase is Set-MailboxDatabase -Identity Database -Name Target: the AD
	// object takes another name; its files keep theirs, and mailboxes follow (homeMDB is
	// a link to the object, not a name). Fields: Database, Target.
	OpRenameDatabase OpKind = "rename_database"

	// OpResumeRestoreRequest is Set-MailboxRestoreRequest -BadItemLimit N followed by
	// Resume-MailboxRestoreRequest for a Failed request (never a new request). Fields:
	// Mailbox, RequestName, BadItemLimit.
	OpResumeRestoreRequest OpKind = "resume_restore_request"

	// OpManual is a step a person does; Instructions says what. Apply stops at it until
	// it is confirmed.
	OpManual OpKind = "manual"
)

// Operation is one unit of work of the vocabulary. Only the fields its Kind documents
// are set; the rest are zero (and omitted from JSON).
type Operation struct {
	Kind OpKind `json:"kind"`

	Database      string `json:"database,omitempty"`
	Server        string `json:"server,omitempty"`
	EdbFilePath   string `json:"edb_file_path,omitempty"`
	LogFolderPath string `json:"log_folder_path,omitempty"`
	Recovery      bool   `json:"recovery,omitempty"`

	Target string `json:"target,omitempty"` // rehome: the database mailboxes move to; rename: the new name
	Value  bool   `json:"value,omitempty"`  // set_allow_file_restore

	// SourceServer is the server holding SourceFolder or the source files when it is not
	// Server (files copied between servers); DestServer likewise for DestFolder/Dest*.
	SourceServer string `json:"source_server,omitempty"`
	DestServer   string `json:"dest_server,omitempty"`
	// LogPrefix is the log file prefix (E00, E01, ...) of the logs replay_logs replays:
	// that of the database that wrote them, as the state knows it.
	LogPrefix string `json:"log_prefix,omitempty"`
	// AcceptDataLoss lets replay_logs finish although logs at the end are missing
	// (eseutil /r /a): the transactions in them are lost. Set only from the admin's
	// written decision (restore.accept_data_loss).
	AcceptDataLoss bool `json:"accept_data_loss,omitempty"`

	Source       string `json:"source,omitempty"` // restore_backup/copy_logs: the failed database; merge: the RDB
	Backup       string `json:"backup,omitempty"`
	SourceFolder string `json:"source_folder,omitempty"`

	DestFolder        string `json:"dest_folder,omitempty"`
	DestEdbFilePath   string `json:"dest_edb_file_path,omitempty"`
	DestLogFolderPath string `json:"dest_log_folder_path,omitempty"`

	Mailbox            string `json:"mailbox,omitempty"`
	ExchangeGuid       string `json:"exchange_guid,omitempty"`
	RequestName        string `json:"request_name,omitempty"`
	ConflictResolution string `json:"conflict_resolution,omitempty"`
	BadItemLimit       int    `json:"bad_item_limit,omitempty"`
	// TargetIsArchive: the merge restores into the archive of Mailbox (-TargetIsArchive);
	// ExchangeGuid is then the archive's ArchiveGuid in Source.
	TargetIsArchive bool `json:"target_is_archive,omitempty"`

	Mailboxes []string `json:"mailboxes,omitempty"` // repoint_profiles
	// Databases are the databases of Server a restart_information_store interrupts (mounted
	// there at that point of the plan): they are mounted again after it.
	Databases []string `json:"databases,omitempty"`
	Servers   []string `json:"servers,omitempty"` // resubmit_queues: the transport servers asked; add_copies: the copies' servers

	// Settings are the database settings set_database_settings sets (and create_database
	// gives at creation where New-MailboxDatabase takes them), by Exchange property name.
	Settings map[string]string `json:"settings,omitempty"`

	Instructions string `json:"instructions,omitempty"`

	// Recorded is what the state records dialtone wrote on Server (delete_files only).
	// The apply walk sets it from the state right before the step runs; it is never part
	// of a plan, so no plan file can widen what a clean-up may delete.
	Recorded []state.Written `json:"-"`
}
