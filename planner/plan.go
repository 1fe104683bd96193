// Package planner turns configuration and recorded state into an ordered recovery plan,
// and walks a plan through a provider. Planning is pure: no I/O, same inputs, same
// bytes. Rendering lives in planner/render; wiring of concrete providers in cmd/dialtone.
package planner

import (
	"github.com/dialtone/dialtone/providers"
)

// PlanFormatVersion is the version of the plan document (plan files and JSON output).
const PlanFormatVersion = 1

// Phase is where a step sits in a dial tone recovery.
type Phase string

const (
	PhaseRestoreService Phase = "restore_service"
	PhaseRestoreData    Phase = "restore_data"
	PhaseSwap           Phase = "swap"
	PhaseMerge          Phase = "merge"
	PhaseCleanUp        Phase = "clean_up"
)

// Risk classifies what a step can do to users and data.
type Risk string

const (
	RiskReadOnly   Risk = "read_only"
	RiskReversible Risk = "reversible"
	RiskOutage     Risk = "user_outage"
	RiskDataLoss   Risk = "data_loss_risk"
)

// Outage says how a step moves users' service.
type Outage string

const (
	OutageNone      Outage = ""          // users keep whatever service they have
	OutageContinues Outage = "continues" // users are down during this step (already down before it)
	OutageStarts    Outage = "starts"    // users lose service at this step
	OutageEnds      Outage = "ends"      // service is back when this step finishes
)

// Plan is an ordered list of steps that moves recoveries from their recorded stage to
// the requested one. Steps are stored in apply order.
type Plan struct {
	FormatVersion int    `json:"format_version"`
	Lineage       string `json:"lineage"`       // lineage of the state the plan was made from
	Serial        uint64 `json:"serial"`        // serial of that state
	ConfigDigest  string `json:"config_digest"` // sha256 of the configuration files

	Recoveries []RecoveryChange `json:"recoveries"`
	Steps      []*Step          `json:"steps"`
	Outages    []OutageWindow   `json:"outages"`
	// Notes are plan-wide facts a reviewer needs (recovery databases mounted one at a
	// time on a server, in which order).
	Notes []string `json:"notes,omitempty"`
	// Unrecovered are the databases on failed servers that no recovery block recovers:
	// their users are without service too (a warning in every rendering).
	Unrecovered []UnrecoveredDatabase `json:"unrecovered,omitempty"`

	// Partial is true when -target or -exclude narrowed the plan: it holds Targets (and
	// not Excludes) plus the recoveries PulledIn by their dependencies, nothing else.
	Partial  bool       `json:"partial,omitempty"`
	Targets  []string   `json:"targets,omitempty"`
	Excludes []string   `json:"excludes,omitempty"`
	PulledIn []PulledIn `json:"pulled_in,omitempty"`

	// ConfigFiles is the digest of each configuration file (*.hcl and .dtvars) the plan
	// was made from, by name, so that a stale plan names the file that changed.
	ConfigFiles map[string]string `json:"config_files,omitempty"`
	// Variables records the variable values the plan was made with (sensitive ones only
	// in a salted digest, see VariablesDigest), so that a changed -var makes it stale;
	// nil when the configuration declares no variable.
	Variables *VariablesDigest `json:"variables,omitempty"`

	// Settings are the privileged provider and backend settings in effect (Setting),
	// set by the caller; nil for a provider and backend that have none (lab, local).
	Settings []Setting `json:"settings,omitempty"`

	// Snapshot is what the plan relied on in the (refreshed) state; apply compares it
	// with a fresh snapshot and names what moved.
	Snapshot Snapshot `json:"snapshot"`

	// Drift lists what the refresh before the plan found changed outside dialtone since
	// the state was last written (DetectDrift); the plan is computed from the refreshed
	// state, so it accounts for it. Set by the caller; UI only.
	Drift []Drift `json:"drift,omitempty"`
	// Estimates are expected durations from earlier runs (Estimate); nil when the caller
	// asked for none. UI only.
	Estimates *Estimates `json:"estimates,omitempty"`
}

// RecoveryChange is one recovery the plan moves: from the recorded stage to the requested one.
type RecoveryChange struct {
	Name      string `json:"name"`
	Option    string `json:"option"`
	Database  string `json:"database"`
	Server    string `json:"server"` // the failed database's server
	From      string `json:"from"`   // "" when not started
	To        string `json:"to"`
	Mailboxes int    `json:"mailboxes"`          // mailboxes of the recovered database
	Priority  int    `json:"priority,omitempty"` // recovery.priority: lower is planned first

	// DataLoss lists the mail this plan knowingly gives up, why, and whose decision it is.
	DataLoss []DataLoss `json:"data_loss,omitempty"`
	// Notes say what the plan does differently and why (a stage without steps, merge
	// forward, logs that did not survive).
	Notes []string `json:"notes,omitempty"`
}

// Step is one operation of the plan with everything a reviewer and the apply walk need.
type Step struct {
	ID            string              `json:"id"` // stable: recovery.NAME.STEP or recovery.NAME.merge["addr"]
	Recovery      string              `json:"recovery"`
	Stage         string              `json:"stage"` // the stage this step belongs to
	Phase         Phase               `json:"phase"`
	Number        int                 `json:"number"`  // step number of the exchange-recovery.md table it implements
	Summary       string              `json:"summary"` // one line: "Create dial tone database DTDB01 on EX01"
	Operation     providers.Operation `json:"operation"`
	DependsOn     []string            `json:"depends_on,omitempty"`
	Risk          Risk                `json:"risk"`
	Outage        Outage              `json:"outage,omitempty"`
	Mailboxes     int                 `json:"mailboxes"` // mailboxes affected by this step
	Manual        bool                `json:"manual,omitempty"`
	Async         bool                `json:"async,omitempty"`
	Parallel      bool                `json:"parallel,omitempty"` // may run alongside other parallel steps whose dependencies are met
	Preconditions []Precondition      `json:"preconditions,omitempty"`
	Commands      []string            `json:"commands"` // Exchange Management Shell lines that carry it out
	// SettingsBefore are, for a step that sets database settings (Operation.Settings),
	// the values before it: Exchange's defaults for a database the plan creates, else
	// what the state read. Renderers show the step as a diff; apply records them in the
	// recovery's state (state.Recovery.SettingsBefore), so that a later stage restores
	// the originals, not dialtone's own values.
	SettingsBefore map[string]string `json:"settings_before,omitempty"`
	// RecordCopyServers are, on a recovery's first step, the servers holding copies of
	// its failed database that its state has not recorded yet: apply records them with
	// the step (state.Recovery.CopyServers), so that add_copies_back still knows them
	// once the failed database's object is gone (copies.go).
	RecordCopyServers []string `json:"record_copy_servers,omitempty"`
}

// Precondition is a check made at plan time (and again before the step runs).
type Precondition struct {
	Description string `json:"description"`
	Result      string `json:"result"` // "ok" | "failed" | "at_apply" (cannot be known until apply)
	// Check is what apply asks the provider (providers.Checker) right before the step;
	// nil when the precondition can only be judged at plan time.
	Check *providers.Check `json:"check,omitempty"`
	// Fix says what the admin can change when the check fails.
	Fix string `json:"fix,omitempty"`
}

// OutageWindow is a span of steps during which users of a recovery are without service.
type OutageWindow struct {
	Recovery  string `json:"recovery"`
	FromStep  string `json:"from_step"`
	ToStep    string `json:"to_step"`
	Mailboxes int    `json:"mailboxes"`
	Reason    string `json:"reason"` // "failure until dial tone" | "swap"
}

// Snapshot is the part of the state a plan depends on, compared on apply.
type Snapshot struct {
	Databases map[string]DatabaseSnapshot `json:"databases"`
	Servers   map[string]bool             `json:"servers"` // up
}

// DatabaseSnapshot summarises one database for the staleness check.
type DatabaseSnapshot struct {
	Server    string `json:"server"`
	Mounted   bool   `json:"mounted"`
	Clean     bool   `json:"clean"`
	FilesOK   bool   `json:"files_ok"`
	Mailboxes int    `json:"mailboxes"`
}
