package planner

import (
	"strconv"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// dbSpec is one database a recovery works with, as the configuration names it.
type dbSpec struct {
	Name, Server, Edb, Logs string
}

// recCtx is one recovery resolved against configuration and state: every name, path
// and count its steps need, so that step builders only assemble.
type recCtx struct {
	name     string
	rec      *config.Recovery
	from, to int // config.StageIndex of the recorded and the requested stage

	failed, dt, rdb dbSpec
	preserve        string // copy of the failed database's surviving files
	holdEdb         string // recovered .edb while the swap is under way
	holdLogs        string
	prefix          string // log file prefix of the failed database's stream
	dtPrefix        string // log file prefix of the dial tone database's stream
	dtPreserve      string // copy of a lost dial tone database's surviving logs

	// failedSettings are the failed database's settings as they were before this
	// recovery changed any (nil: never read); carry what is carried where (dbsettings.go).
	failedSettings map[string]string
	carry          carryPlan
	// dtMinor and failedMinor are the Exchange 15.x minor versions of the dial tone and
	// the failed database's servers (2 when unknown: taken as current).
	dtMinor, failedMinor int
	finalName            string // recovery.final_name: the name users' database takes at complete
	// copyServers are the servers that held passive copies of the failed database (the
	// state's report and the configuration's copies): a manual step at complete adds
	// them back to the users' final database (copies.go).
	copyServers []string
	// unrecordedCopies are those of copyServers the recovery's state has not recorded
	// (state.Recovery.CopyServers): the recovery's first planned step records them.
	unrecordedCopies []string

	failedKnown   bool // the failed database is in the state
	failedMounted bool
	transport     []string    // servers up, whose transport queues are resubmitted
	failedBuild   string      // the failed server's Exchange build (Setup /Mode:RecoverServer runs the same)
	serverPaths   []string    // the files of every configured database of the failed server (its rebuild keeps their drives)
	version       ems.Version // the Exchange version the commands are written for (the failed server's)

	requestName string
	conflict    string
	badItems    int
	priority    []string

	mailboxes []*state.Mailbox // on the failed or the dial tone database, in merge order
	// archives are the mailboxes (homed anywhere) whose archive is on the failed or the
	// dial tone database and whose ArchiveGuid is known, by address: each gets a merge of
	// its own into the archive (archives.go).
	archives []*state.Mailbox
	done     map[string]*state.StepRecord

	// What the failure drills of exchange-recovery.md section 4 change (failures.go).
	doSwap     bool          // false: merge forward (alternate_server_stay without a swap)
	noBackup   bool          // restore.backup = "none": the dial tone database stays, old mail is lost
	acceptLoss bool          // restore.accept_data_loss
	backup     *state.Backup // the backup set restored, when the state knows it
	logGap     uint64        // first log generation after the backup that is missing (0: none known)
	dtLost     bool          // the dial tone database's files are lost before the swap
	dtBackup   *state.Backup // the newest backup of the dial tone database, if any
	dtRepair   bool          // the lost dial tone database is restored in place first (dialtone_lost.go)
	dtGap      uint64        // first log generation of the dial tone database after its backup that is missing
	failedUp   bool          // the failed database's server is up
	logsGone   bool          // the state says no log of the failed database survives
	// intact says what was found of the failed database's own files when they are used
	// as they are instead of a restore (intact.go); "" when the backup is restored.
	intact     string
	failedReqs map[string]*state.RestoreRequest // Failed restore requests of this recovery, by mailbox
	// failedArchiveReqs are the Failed restore requests into archives, by mailbox.
	failedArchiveReqs map[string]*state.RestoreRequest
	dataLoss          []DataLoss
	notes             []string
	// written is the state's record of what dialtone wrote, by upper-cased server name:
	// the recovery's servers only (cleanup.go).
	written map[string][]state.Written
	// unrecovered are the databases of the failed server no recovery block recovers,
	// mounted by this recovery after the rebuild (unrecovered.go).
	unrecovered []unrecoveredOn
}

// stageWanted reports whether the plan moves this recovery through stage index i.
func (rc *recCtx) stageWanted(i int) bool { return i > rc.from && i <= rc.to }

func (rc *recCtx) id(key string) string { return "recovery." + rc.name + "." + key }

func (rc *recCtx) mergeID(address string) string {
	return "recovery." + rc.name + ".merge[" + strconv.Quote(address) + "]"
}

// newStep makes a step of this recovery; dependencies, preconditions and outages are
// filled in afterwards, when the plan's order is known.
func (rc *recCtx) newStep(key string, stage, number int, phase Phase, risk Risk, op providers.Operation, summary string, cmds ...string) *Step {
	if cmds == nil {
		cmds = []string{}
	}
	return &Step{
		ID:        rc.id(key),
		Recovery:  rc.name,
		Stage:     config.Stages[stage],
		Phase:     phase,
		Number:    number,
		Summary:   summary,
		Operation: op,
		Risk:      risk,
		Commands:  cmds,
	}
}

// manual marks a step a person carries out because the provider cannot; the
// operation keeps its kind so that a later provider can still do it.
func manual(s *Step, canDo bool, instructions string) {
	if canDo {
		return
	}
	s.Manual = true
	s.Operation.Instructions = instructions
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
