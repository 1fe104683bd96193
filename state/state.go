package state

import "time"

// FormatVersion is the version of the state document this code writes. Version 2
// (mailboxes as rows, mailboxes_rows.go) replaced 1 (mailboxes as objects); Decode
// reads both, and a decoded state always says FormatVersion.
const FormatVersion = 2

// State is the recorded picture of the organization and of every recovery's progress.
// Maps are keyed by name (servers, databases, recoveries), by primary SMTP address
// (mailboxes) and by request name (restore requests); encoding/json sorts map keys, so
// the JSON form is deterministic.
type State struct {
	FormatVersion int    `json:"format_version"`
	Lineage       string `json:"lineage"` // set once when the state is created; never changes
	Serial        uint64 `json:"serial"`  // raised on every write

	Servers         map[string]*Server         `json:"servers"`
	Databases       map[string]*Database       `json:"databases"`
	Mailboxes       map[string]*Mailbox        `json:"mailboxes"`
	Recoveries      map[string]*Recovery       `json:"recoveries"`
	RestoreRequests map[string]*RestoreRequest `json:"restore_requests"`
	Backups         map[string]*Backup         `json:"backups,omitempty"`
	// Written records what dialtone wrote on the servers (written.go), by Written.Key.
	Written map[string]*Written `json:"written,omitempty"`

	// Settings are the privileged provider and backend settings (name -> value as
	// shown, never a secret) in effect when a command last wrote the state, so that a
	// plan shows any change to them.
	Settings map[string]string `json:"settings,omitempty"`

	// Unsealed is true when the document read had no checksum line (Decode): written or
	// edited outside dialtone. Backends refuse it unless told to accept it.
	Unsealed bool `json:"-"`
}

// Server is a Mailbox server as last observed.
type Server struct {
	Name    string `json:"name"`
	Site    string `json:"site,omitempty"`
	Edition string `json:"edition,omitempty"` // "standard" | "enterprise"
	Version string `json:"version,omitempty"`
	Up      bool   `json:"up"`

	SchemaVersion          string `json:"schema_version,omitempty"`           // databases' CurrentSchemaVersion
	CapacityBytes          int64  `json:"capacity_bytes,omitempty"`           // disk of the database volumes; 0 unknown
	UsedBytes              int64  `json:"used_bytes,omitempty"`               // taken by database files and logs
	MaximumActiveDatabases int    `json:"maximum_active_databases,omitempty"` // 0: unset
}

// Database is a mailbox database (AD object plus the state of its files) as last observed.
type Database struct {
	Name             string `json:"name"`
	Server           string `json:"server"`
	EdbFilePath      string `json:"edb_file_path"`
	LogFolderPath    string `json:"log_folder_path"`
	LogFilePrefix    string `json:"log_file_prefix,omitempty"` // E00, E01, ...: base name of its log files
	Recovery         bool   `json:"recovery"`                  // a recovery database (RDB)
	Mounted          bool   `json:"mounted"`
	Clean            bool   `json:"clean"`    // header says Clean Shutdown
	FilesOK          bool   `json:"files_ok"` // the .edb exists and is readable (false: lost or corrupt)
	AllowFileRestore bool   `json:"allow_file_restore"`

	SizeBytes int64 `json:"size_bytes,omitempty"` // .edb plus logs on disk
	// Logs describes the log stream that survives in LogFolderPath (nil: unknown).
	Logs *LogRange `json:"logs,omitempty"`
	// Settings are the database's own settings (quotas, journaling, retention,
	// provisioning; settings.go), by Exchange property name; nil: not read.
	Settings map[string]string `json:"settings,omitempty"`
	// Copies are the database's passive copies on other servers (a database
	// availability group), in the provider's order; nil: none.
	Copies []DatabaseCopy `json:"copies,omitempty"`
}

// DatabaseCopy is a passive copy of a database on another server.
type DatabaseCopy struct {
	Server string `json:"server"`
	// Healthy: the copy can be activated (Move-ActiveMailboxDatabase): its server is up
	// and its status is one Active Manager activates (Healthy, DisconnectedAndHealthy,
	// DisconnectedAndResynchronizing, SeedingSource; Get-MailboxDatabaseCopyStatus). A
	// lost, failed or unreachable copy is not.
	Healthy bool   `json:"healthy"`
	Status  string `json:"status,omitempty"` // as the provider reports it: Healthy, Failed, ServiceDown, ...
	// ContentIndex is the copy's search catalog state (ContentIndexState: Healthy,
	// Crawling, Failed, ...; "" when the provider does not report one). A copy whose
	// catalog is not Healthy can still be activated, with -SkipClientExperienceChecks.
	ContentIndex string `json:"content_index,omitempty"`
	// ReplayLag is the copy's replay lag time as Exchange shows it ("7.00:00:00";
	// Get-MailboxDatabase ReplayLagTimes), "" when it is 0: a lagged copy holds the mail
	// in logs not yet replayed, and Microsoft does not count it as highly available.
	ReplayLag string `json:"replay_lag,omitempty"`
	// ActivationSuspended: an admin blocked the copy from activation (suspended it for
	// activation only; Get-MailboxDatabaseCopyStatus); it is activated only by hand.
	ActivationSuspended bool `json:"activation_suspended,omitempty"`
}

// LogRange is the span of log generations of a database's stream, and the holes in it.
// The span covers the generations present and those the provider knows were written and
// then destroyed (a lost tail): Last is then the newest generation written, and the
// destroyed ones are in Missing.
type LogRange struct {
	First   uint64   `json:"first"`
	Last    uint64   `json:"last"`
	Missing []uint64 `json:"missing,omitempty"` // generations absent from First to Last (ends included), ascending
}

// Backup is a backup set of one database as the provider reports it.
type Backup struct {
	Set        string    `json:"set"`
	Database   string    `json:"database"`
	Taken      time.Time `json:"taken"`
	Generation uint64    `json:"generation"` // last log generation the backup contains
	SizeBytes  int64     `json:"size_bytes,omitempty"`
}

// Mailbox is a user's mailbox: its identity and the database it points to (homeMDB).
type Mailbox struct {
	Address      string `json:"address"`
	ExchangeGuid string `json:"exchange_guid"`
	Database     string `json:"database"`

	// Kind is "" for a user mailbox, else the system mailbox kind (arbitration, auditlog,
	// auxauditlog, monitoring): Get-Mailbox returns those only with their switch.
	Kind            string `json:"kind,omitempty"`
	ArchiveDatabase string `json:"archive_database,omitempty"`
	// ArchiveGuid names the archive mailbox inside its database (Get-Mailbox
	// ArchiveGuid): a restore request into the archive reads the source by it.
	ArchiveGuid string `json:"archive_guid,omitempty"`
	// NoAutodiscover marks clients that need their profile repointed by hand after a
	// re-home to another server.
	NoAutodiscover bool `json:"no_autodiscover,omitempty"`

	// refreshed marks a mailbox observed by a MailboxRefresh in progress (markSeen,
	// markNew; always 0 outside one).
	refreshed uint8
}

// Recovery is the recorded progress of one recovery block.
type Recovery struct {
	Name  string `json:"name"`
	Stage string `json:"stage"` // last stage fully reached ("" before the first)
	// Steps holds every finished step of this recovery by step ID.
	Steps map[string]*StepRecord `json:"steps"`
	// Started holds steps that were started (their preconditions checked) but not
	// recorded finished: a re-run after a crash resumes them without checking again,
	// since their own effect may be what a check would now refuse.
	Started map[string]time.Time `json:"started,omitempty"`
	// Touching holds, for each started step, the objects its operation may change
	// ("database.DTDB01", "mailboxes.DB01>DTDB01"): a refresh after an interruption
	// attributes what changed there to that step, not to someone outside dialtone.
	Touching map[string][]string `json:"touching,omitempty"`
	// SettingsBefore holds, by database, the settings this recovery changed on it as they
	// were before its first change (MountAtStartup and provisioning of the failed
	// database): later stages restore or carry these, not dialtone's own values.
	SettingsBefore map[string]map[string]string `json:"settings_before,omitempty"`
	// CopyServers are the servers that held passive copies of the failed database when
	// the recovery began (CopyServers change): the copies its last step adds back to the
	// users' final database, known even once the failed database's object is removed.
	CopyServers []string `json:"copy_servers,omitempty"`
}

// StepRecord is one finished step.
type StepRecord struct {
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Result   string    `json:"result"` // "done" | "skipped" | "already_done" | "confirmed"
	Detail   string    `json:"detail,omitempty"`
	// ConfirmedBy is who confirmed a manual step (user@host), with Finished as when.
	ConfirmedBy string `json:"confirmed_by,omitempty"`
}

// RestoreRequest is a mailbox restore request (merge) as last observed.
type RestoreRequest struct {
	Name           string `json:"name"`
	SourceDatabase string `json:"source_database"`
	TargetMailbox  string `json:"target_mailbox"`
	Status         string `json:"status"` // Queued | InProgress | Completed | Failed | ...
	BadItemLimit   int    `json:"bad_item_limit,omitempty"`
	BadItems       int    `json:"bad_items,omitempty"`
}

// New returns an empty state with a fresh lineage and serial 0.
func New(lineage string) *State {
	return &State{
		FormatVersion:   FormatVersion,
		Lineage:         lineage,
		Servers:         map[string]*Server{},
		Databases:       map[string]*Database{},
		Mailboxes:       map[string]*Mailbox{},
		Recoveries:      map[string]*Recovery{},
		RestoreRequests: map[string]*RestoreRequest{},
	}
}

// Observed is what a provider reports of the organization: the refreshable part of a State.
type Observed struct {
	Servers   map[string]*Server
	Databases map[string]*Database
	Mailboxes map[string]*Mailbox
	// MailboxScope, when not nil, says the provider read only the mailboxes of these
	// databases (a refresh that scales with the failure, not the organization):
	// Refresh keeps what the state knew of the mailboxes of the other databases.
	MailboxScope []string
	// Backups by "<database>/<set>" (nil: the provider cannot tell).
	Backups map[string]*Backup
	// RestoreRequests by identity "<address>\<name>" as the provider reports them (nil:
	// unknown); each request's Name is that identity too.
	RestoreRequests map[string]*RestoreRequest
}

// Change is one recorded effect on the state. Exactly one field is set. Changes are
// what the journal holds: small, so that a checkpoint costs the step, not the state.
type Change struct {
	PutDatabase    *Database `json:"put_database,omitempty"`
	DeleteDatabase string    `json:"delete_database,omitempty"`
	// Rehome points every mailbox whose database is From at To.
	Rehome               *Rehome         `json:"rehome,omitempty"`
	Stage                *StageMark      `json:"stage,omitempty"`
	StepDone             *StepDone       `json:"step_done,omitempty"`
	StepStarted          *StepStarted    `json:"step_started,omitempty"`
	PutRestoreRequest    *RestoreRequest `json:"put_restore_request,omitempty"`
	DeleteRestoreRequest string          `json:"delete_restore_request,omitempty"`
	// Wrote records files and folders a step wrote; Forgot drops records of what a
	// clean-up deleted (written.go).
	Wrote          []Written       `json:"wrote,omitempty"`
	Forgot         []Written       `json:"forgot,omitempty"`
	SettingsBefore *SettingsBefore `json:"settings_before,omitempty"`
	// ForgetStarted drops the start marks of steps no plan will run again.
	ForgetStarted *ForgetStarted `json:"forget_started,omitempty"`
	// CopyServers records the servers that held copies of a recovery's failed database.
	CopyServers *CopyServers `json:"copy_servers,omitempty"`
}

// CopyServers is a Change that records, with a recovery's first step, the servers that
// held passive copies of its failed database (Recovery.CopyServers). Servers already
// recorded (names compared case-insensitively, as Exchange does) stay once, in the
// order first recorded: a replay changes nothing.
type CopyServers struct {
	Recovery string   `json:"recovery"`
	Servers  []string `json:"servers"`
}

// ForgetStarted is a Change that drops the start marks (Recovery.Started and
// Touching) of steps that were started, never finished, and are not in the plan an
// apply has just carried out in full: a step that failed and is not planned again
// must not keep a claim on the objects it may have touched, or a later refresh would
// attribute changes made outside dialtone to it.
type ForgetStarted struct {
	Recovery string   `json:"recovery"`
	IDs      []string `json:"ids"`
}

// SettingsBefore is a Change that records a database's settings before a recovery
// changed them. A value already recorded for a property is kept: the first is the
// original.
type SettingsBefore struct {
	Recovery string            `json:"recovery"`
	Database string            `json:"database"`
	Settings map[string]string `json:"settings"`
}

// Rehome is a Change that re-points mailboxes from one database to another: those of
// Kinds (RehomeAll when empty, as records before it existed meant).
type Rehome struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Kinds string `json:"kinds,omitempty"`
}

// The Kinds of a Rehome. A step that re-homes the user mailboxes must not record the
// system mailboxes moved too: they move with a step of their own, and a state saying
// otherwise counts one more mailbox than the step moved and, after an interruption
// between the two, reports the system mailbox as moved back outside dialtone.
const (
	RehomeAll    = ""
	RehomeUsers  = "users"  // Kind == "": Get-Mailbox -Database without a switch
	RehomeSystem = "system" // Kind != "" and archives (ArchiveDatabase)
)

// StageMark is a Change that records the stage a recovery has reached.
type StageMark struct {
	Recovery string `json:"recovery"`
	Stage    string `json:"stage"`
	// Steps are the IDs of the steps of that stage in the plan that raised it; a
	// journal replay refuses the mark unless every one is recorded finished
	// (ReplayChanges).
	Steps []string `json:"steps,omitempty"`
}

// StepStarted is a Change that records that a step passed its preconditions and its
// operation began.
type StepStarted struct {
	Recovery string    `json:"recovery"`
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	// Objects are what the step's operation may change (Recovery.Touching).
	Objects []string `json:"objects,omitempty"`
}

// StepDone is a Change that records a finished step of a recovery.
type StepDone struct {
	Recovery string     `json:"recovery"`
	Record   StepRecord `json:"record"`
}
