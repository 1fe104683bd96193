package config

import (
	"github.com/hashicorp/hcl/v2"
)

// Kinds of addressable blocks.
const (
	KindServer   = "server"
	KindDatabase = "database"
	KindRecovery = "recovery"
	KindDrill    = "drill"
)

// Addr names a block: server.EX01, database.DB01, recovery.db01-outage.
type Addr struct {
	Kind string
	Name string
}

func (a Addr) String() string { return a.Kind + "." + a.Name }

// Options of a recovery block.
const (
	OptionSameServer          = "same_server"
	OptionAlternateServer     = "alternate_server"
	OptionAlternateServerStay = "alternate_server_stay"
)

// Stages of a recovery, in order. StageNone is the stage of a recovery that has not
// started; it is never written in HCL.
const (
	StageNone     = ""
	StageDialTone = "dial_tone"
	StageRestored = "restored"
	StageSwapped  = "swapped"
	StageMerged   = "merged"
	StageComplete = "complete"
)

// Stages lists the stages a recovery moves through, in order (StageNone excluded).
var Stages = []string{StageDialTone, StageRestored, StageSwapped, StageMerged, StageComplete}

// StageIndex returns the position of a stage: -1 for StageNone, 0 for dial_tone, ...
// and -2 for an unknown stage.
func StageIndex(stage string) int {
	if stage == StageNone {
		return -1
	}
	for i, s := range Stages {
		if s == stage {
			return i
		}
	}
	return -2
}

// Config is the static configuration of one working directory: every *.hcl file in it.
// Maps are keyed by block name. A Config returned with error diagnostics may be partial.
type Config struct {
	Backend    *Backend  // nil: local backend at DefaultStatePath
	Provider   *Provider // nil: lab provider at DefaultLabPath
	Servers    map[string]*Server
	Databases  map[string]*Database
	Recoveries map[string]*Recovery
	Drills     map[string]*Drill

	// Variables are the variable blocks with the values in effect for this load.
	Variables map[string]*Variable
	// SensitiveValues holds the text of every sensitive variable's value (strings of 3
	// characters or more). Config refuses a sensitive value anywhere it would reach a
	// plan; Redact replaces these in any other text before it is shown.
	SensitiveValues map[string]bool

	// Files holds every parsed file by the name diagnostics use (relative to the
	// loaded directory), for rendering diagnostics with source snippets.
	Files map[string]*hcl.File
	// Sources holds the raw bytes of every loaded file by the same names.
	Sources map[string][]byte
}

const (
	DefaultStatePath = "dialtone.state.json"
	DefaultLabPath   = "lab"
)

// Backend is the dialtone { backend "TYPE" { ... } } block.
type Backend struct {
	Type string // "local" | "pg"
	Path string // local: state file path, relative to the working directory

	// pg: ConnStr is the PostgreSQL connection string (usually var.x with sensitive = true,
	// or left empty to take DIALTONE_PG_CONN_STR); SchemaName the schema holding the
	// state tables (default "dialtone").
	ConnStr    string
	SchemaName string
	// ConnStrSensitive is true when ConnStr came from a sensitive variable.
	ConnStrSensitive bool
	// ConnStrVariable is NAME when conn_str is exactly var.NAME ("" otherwise): the
	// connection is privileged, and cmd/dialtone trusts it from the configuration only
	// when that variable was set in the environment or on the command line.
	ConnStrVariable string
	// ConnStrSource is where that variable's value came from (Variable.Source: "-var",
	// "environment variable DIALTONE_VAR_x", a .dtvars file, "default"); "" otherwise.
	ConnStrSource string
	// Backups is how many previous state versions the backend keeps (default 5).
	Backups   int
	DeclRange hcl.Range
}

// Provider is a provider "TYPE" { ... } block.
type Provider struct {
	Type string // "lab" | "exchange"
	Path string // lab: folder of the simulated organization, relative to the working directory

	// lab: the latency model ("" or "none": the lab's own speed; "exchange"), the share
	// of modelled time really waited (0: 1) and overrides of the model's figures
	// (operation or rate -> duration text; providers/lab checks them).
	Latency          string
	TimeScale        float64
	LatencyOverrides map[string]string

	// exchange: how to reach the Exchange Management Shell (see providers/exchange).
	Command          []string // the PowerShell process (default pwsh -NoLogo -NoProfile -NonInteractive -Command -)
	ConnectionURI    string   // remote session URI (http://ex01.contoso.com/PowerShell/); empty: local shell
	Authentication   string   // Kerberos | Negotiate | Basic
	DomainController string   // pinned for the whole run (-DomainController)
	CredentialEnv    string   // prefix of the environment variables holding the credential (NAME_USERNAME, NAME_PASSWORD)
	CredentialFile   string   // or a file holding it; never a literal in HCL
	// NoAutodiscoverAttribute is the custom mailbox attribute (CustomAttribute1-15)
	// holding "NoAutodiscover" for mailboxes whose clients do not use Autodiscover.
	NoAutodiscoverAttribute string
	// MaxSessions caps the pool of PowerShell sessions (1 to MaxSessionsCeiling); 0:
	// the provider's default (12).
	MaxSessions int
	DeclRange   hcl.Range
}

// Server is a server "NAME" block.
type Server struct {
	Name    string
	Site    string
	Edition string // "standard" | "enterprise"
	Version string // Exchange build, e.g. "15.2.1544.4"

	// SchemaVersion is the databases' schema version (CurrentSchemaVersion, e.g. "0.132");
	// empty: unknown, compared by major version only.
	SchemaVersion string
	// CapacityBytes is the free disk of the server's database volumes (from capacity =
	// "500GB"); 0: unknown, checked at apply time.
	CapacityBytes int64
	// MaximumActiveDatabases is the Set-MailboxServer cap; 0: unset (the edition's limit).
	MaximumActiveDatabases int
	DeclRange              hcl.Range
}

// Database is a database "NAME" block.
type Database struct {
	Name          string
	Server        Addr
	ServerRange   hcl.Range
	EdbFilePath   string // absolute Windows path of an .edb file (any name: a renamed database keeps its file)
	LogFolderPath string // absolute Windows path, not a drive root
	// Copies are the servers that hold passive copies of the database (copies = [...],
	// a database availability group), in the order written; CopyRanges their ranges.
	Copies     []Addr
	CopyRanges []hcl.Range
	DeclRange  hcl.Range
}

// Recovery is a recovery "NAME" block: the intent to recover one database.
type Recovery struct {
	Name          string
	Database      Addr
	DatabaseRange hcl.Range
	Option        string // one of the Option* constants
	Stage         string // requested stage: one of Stages
	StageRange    hcl.Range

	DialTone         *DialToneDatabase // required
	RecoveryDatabase *RecoveryDatabase // required
	Restore          *Restore          // required
	Merge            *Merge            // optional; defaults apply when nil

	// Priority orders recoveries planned together (a site failure): lower first; default 100.
	Priority int
	// Swap is false for the "merge forward" variant of alternate_server_stay: no swap, the
	// old data is merged into the dial tone mailboxes (default true).
	Swap bool
	// FinalName is the name the database users live on takes at stage complete
	// (final_name; "" keeps its name). The failed database's own name is the usual
	// choice: its AD object is then removed first (its files stay).
	FinalName      string
	FinalNameRange hcl.Range
	// IgnoreHealthyCopies is the reason a recovery goes ahead although the database has
	// a healthy passive copy (ignore_healthy_copies; "" refuses, naming the copy).
	IgnoreHealthyCopies string
	// OptionRange is the range of the option attribute.
	OptionRange hcl.Range
	DeclRange   hcl.Range
}

// DialToneDatabase is the dial_tone_database block of a recovery.
type DialToneDatabase struct {
	Name          string
	Server        Addr
	ServerRange   hcl.Range
	EdbFilePath   string
	LogFolderPath string
	DeclRange     hcl.Range
}

// RecoveryDatabase is the recovery_database block of a recovery. Server is optional:
// the zero Addr means the option's default, which the planner resolves per option
// (Config.RecoveryServer does it): the failed database's server for same_server and
// alternate_server, the dial tone database's server for alternate_server_stay.
type RecoveryDatabase struct {
	Name        string
	Server      Addr
	ServerRange hcl.Range
	// EdbFilePath's file name is the failed database's file name for same_server and
	// alternate_server_stay (restored files keep their names, and a renamed database
	// keeps its file), the dial tone database's file name for alternate_server (it is
	// made from the dial tone files, 2.3 step 9).
	EdbFilePath   string
	EdbRange      hcl.Range
	LogFolderPath string
	DeclRange     hcl.Range
}

// Restore is the restore block of a recovery.
type Restore struct {
	Backup     string // backup set name the provider knows
	ReplayLogs bool   // copy the failed database's surviving logs in before mounting (default true)
	// AcceptDataLoss is the admin's written decision to go on although data will be lost:
	// no backup (backup = "none": the dial tone database stays, old mail is gone) or logs
	// missing after the backup (mail in the missing logs is gone).
	AcceptDataLoss bool
	DeclRange      hcl.Range
}

// Merge is the merge block of a recovery.
type Merge struct {
	ConflictResolution string    // KeepSourceItem (default) | KeepAll | KeepLatestItem | KeepTargetItem | ForceCopy | UpdateFromSource
	ConflictRange      hcl.Range // the conflict_resolution value, when written
	BadItemLimit       int       // default 0
	Priority           []string  // mailbox addresses merged first, in this order
	DeclRange          hcl.Range
}

// Drill is a drill "NAME" block (lab only): what `dialtone drill` rehearses.
type Drill struct {
	Name    string
	Failure Addr // database.X or server.X
	// FailureRange is the range of the failure reference (added for diagnostics).
	FailureRange hcl.Range
	Mode         string // one of DrillModes
	Mailboxes    int    // per database
	Messages     DrillMessages
	DeclRange    hcl.Range

	// BadItems is how many corrupt items mode "bad_items" plants per mailbox (default 5).
	BadItems int
	// Recovery is the recovery the drill rehearses (recovery.X); the zero Addr means the
	// default: the recovery of the failed database, or for a failed server every recovery
	// of its databases (Config.DrillRecoveries resolves either). RecoveryRange is the
	// range of the recovery attribute.
	Recovery      Addr
	RecoveryRange hcl.Range
	// DatabaseSettings are settings the drill's lab gives the failed databases before
	// the failure, by Exchange property name ("ProhibitSendReceiveQuota" = "10GB"): the
	// drill then proves them carried to users' database (nil: Exchange's defaults).
	DatabaseSettings      map[string]string
	DatabaseSettingsRange hcl.Range
}

// DrillMessages is how many messages a drill delivers per database at each point.
type DrillMessages struct {
	BeforeBackup   int
	AfterBackup    int
	DuringDialTone int
}
