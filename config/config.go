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
	Type      string // "local"
	Path      string // local: state file path, relative to the working directory
	DeclRange hcl.Range
}

// Provider is a provider "TYPE" { ... } block.
type Provider struct {
	Type      string // "lab"
	Path      string // lab: folder of the simulated organization, relative to the working directory
	DeclRange hcl.Range
}

// Server is a server "NAME" block.
type Server struct {
	Name      string
	Site      string
	Edition   string // "standard" | "enterprise"
	Version   string // Exchange build, e.g. "15.2.1544.4"
	DeclRange hcl.Range
}

// Database is a database "NAME" block.
type Database struct {
	Name          string
	Server        Addr
	ServerRange   hcl.Range
	EdbFilePath   string // absolute Windows path ending in <Name>.edb
	LogFolderPath string // absolute Windows path, not a drive root
	DeclRange     hcl.Range
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
	DeclRange        hcl.Range
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
// the zero Addr means the dial tone database's server.
type RecoveryDatabase struct {
	Name          string
	Server        Addr
	ServerRange   hcl.Range
	EdbFilePath   string // its file name is the failed database's (<DB>.edb): restored files keep their names
	LogFolderPath string
	DeclRange     hcl.Range
}

// Restore is the restore block of a recovery.
type Restore struct {
	Backup     string // backup set name the provider knows
	ReplayLogs bool   // copy the failed database's surviving logs in before mounting (default true)
	DeclRange  hcl.Range
}

// Merge is the merge block of a recovery.
type Merge struct {
	ConflictResolution string   // KeepSourceItem (default) | KeepAll | KeepLatestItem | KeepTargetItem | ForceCopy | UpdateFromSource
	BadItemLimit       int      // default 0
	Priority           []string // mailbox addresses merged first, in this order
	DeclRange          hcl.Range
}

// Drill is a drill "NAME" block (lab only): what `dialtone drill` rehearses.
type Drill struct {
	Name    string
	Failure Addr // database.X (or server.X later)
	// FailureRange is the range of the failure reference (added for diagnostics).
	FailureRange hcl.Range
	Mode         string // "lost" | "corrupt"
	Mailboxes    int    // per database
	Messages     DrillMessages
	DeclRange    hcl.Range
}

// DrillMessages is how many messages a drill delivers per database at each point.
type DrillMessages struct {
	BeforeBackup   int
	AfterBackup    int
	DuringDialTone int
}
