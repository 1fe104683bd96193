// Package drill rehearses the recovery of a working directory on a fresh lab: build,
// fill, back up, inject the drill's failure (exchange-recovery.md section 4) at the
// moment it belongs, then plan and apply every stage in order (carrying out manual
// steps as an admin would and confirming them), and verify the ledger: every accepted
// message in its owner's mailbox exactly once, except exactly the messages the plans
// declared lost. It plans, applies, refreshes and confirms through the command layer's
// own code paths (Host), so that a drill rehearses what an admin will run.
package drill

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/ansi"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// Dir is the folder, under the working directory, where drills run. Each drill gets
// its own subfolder, wiped when the drill starts; the user's own lab and state are
// never touched.
const Dir = ".dialtone-drill"

// drillWho is who the drill records as having carried out manual steps.
const drillWho = "drill"

// Exit statuses of Run, the command's own.
const (
	exitOK    = 0
	exitError = 1
)

const (
	bold  = ansi.Bold
	green = ansi.Green
	red   = ansi.Red
)

// Host is what a drill needs from the command layer: the code paths an admin's
// commands run, so that the drill rehearses exactly them.
type Host interface {
	// NewLab builds a lab of cfg's topology (and latency model) in dir.
	NewLab(dir string, cfg *config.Config, mailboxes int) (*lab.Lab, error)
	// Lock takes the state lock of b (op names the holder).
	Lock(b state.Backend, path, op string) (unlock func() error, err error)
	// Refresh reads the organization through prov into st.
	Refresh(prov providers.Provider, st *state.State) error
	// Diags prints diagnostics.
	Diags(cfg *config.Config, diags hcl.Diagnostics)
	// Apply walks p as "dialtone apply" does, printing its progress (and its closing
	// line when it completes), and returns the steps it ran.
	Apply(b state.Backend, path string, prov providers.Provider, st *state.State, p *planner.Plan) ([]runreport.Row, error)
	// IsWriteError is true when err from Apply is a failure to write the state.
	IsWriteError(err error) bool
	// Confirm records a manual step done, as "dialtone confirm" does; it returns the
	// stage reached when the step was the last of it.
	Confirm(j planner.Journal, st *state.State, p *planner.Plan, id, who string, now time.Time) (string, error)
	// WriteVerify prints what the lab's verification found.
	WriteVerify(r *lab.VerifyReport)
	// JournalPending is how many journal records a read of b replayed.
	JournalPending(b state.Backend) int
	// Errorf prints an error and returns the error exit status.
	Errorf(format string, args ...any) int
}

// Options are one drill's inputs.
type Options struct {
	Host   Host
	Out    io.Writer
	Color  bool
	Ctx    context.Context
	Log    hclog.Logger
	Record *runreport.Recorder // collects the run report's steps and verification
	// ChildEnv adjusts the environment of the child apply (crash_during_swap).
	ChildEnv func(env []string) []string

	Config     *config.Config
	Drill      *config.Drill
	Recoveries []*config.Recovery
	Work       string // the drill's folder, empty and private
	StatePath  string // its state file, as shown to people
	// State are the options of the drill's own state (the limits and the lock holder's
	// name the command line read from the environment).
	State state.LocalOptions
}

// console is the drill's output and the host behind it.
type console struct {
	stdout   io.Writer
	color    bool
	ctx      context.Context
	log      hclog.Logger
	host     Host
	record   *runreport.Recorder
	childEnv func([]string) []string
}

func (c *console) paint(code, s string) string { return ansi.Paint(c.color, code, s) }

func (c *console) errorf(format string, args ...any) int { return c.host.Errorf(format, args...) }

// stageFigure is how long one stage of a drill took.
type stageFigure struct {
	Stage    string
	Steps    int
	Duration time.Duration
}

// drillRun is one drill in progress: the fresh lab and state it works on, what it
// delivered, what it expects to be lost (and why), and what the plans declared.
type drillRun struct {
	c         *console
	cfg       *config.Config
	d         *config.Drill
	recs      []*config.Recovery
	work      string
	statePath string
	stateOpts state.LocalOptions
	l         *lab.Lab
	b         *state.Local
	st        *state.State
	unlock    func() error

	accepted   map[string]string // message ID -> recipient
	expectLost map[string]string // message ID -> why the drill's failure destroys it
	// expectBad is, per mailbox, how many bad items the plan's resumed restore requests
	// skip (mode bad_items): what they failed on, then what they reported in all.
	expectBad map[string]int
	declared  map[string][]planner.DataLoss // recovery -> data-loss decisions of its plans
	figures   []stageFigure
	rows      []runreport.Row

	// afterFailure holds the messages accepted once the drill's failure was injected
	// (queued, then delivered into the dial tone database, or delivered there).
	afterFailure map[string]bool
	failed       bool // the drill's failure is injected: deliveries count in afterFailure

	// settingsWant are the failed databases' settings the drill set (database_settings),
	// as the lab stored them; large is, per failed database, a mailbox made larger than
	// Exchange's default quota (settings.go).
	settingsWant map[string]map[string]string
	large        map[string]string
}

// Run runs one drill in o.Work and returns the exit status: 0 when it passed. The
// lab and the state lock are released when it returns; the folder is the caller's.
func Run(o Options) int {
	dr := &drillRun{c: &console{stdout: o.Out, color: o.Color, ctx: o.Ctx, log: o.Log, host: o.Host, record: o.Record, childEnv: o.ChildEnv},
		cfg: o.Config, d: o.Drill, recs: o.Recoveries, work: o.Work, statePath: o.StatePath, stateOpts: o.State,
		accepted: map[string]string{}, expectLost: map[string]string{}, expectBad: map[string]int{},
		declared: map[string][]planner.DataLoss{}}
	code := dr.run()
	if dr.unlock != nil {
		dr.unlock()
	}
	if dr.l != nil {
		dr.l.Close()
	}
	return code
}

// fail prints a drill failure and returns exitError.
func (dr *drillRun) fail(format string, args ...any) int {
	return dr.c.errorf("drill %s: %s", dr.d.Name, fmt.Sprintf(format, args...))
}

func (dr *drillRun) run() int {
	c, d := dr.c, dr.d
	start := time.Now()
	var names []string
	for _, r := range dr.recs {
		names = append(names, fmt.Sprintf("recovery.%s (%s of %s)", r.Name, r.Option, r.Database.Name))
	}
	fmt.Fprintf(c.stdout, "Drill %q: mode %s (%s), failure %s, rehearsing %s; %d mailboxes per database, in %s\n\n",
		d.Name, d.Mode, ModeLine(d.Mode), d.Failure, strings.Join(names, ", "), d.Mailboxes, dr.work)

	l, err := c.host.NewLab(filepath.Join(dr.work, "lab"), dr.cfg, d.Mailboxes)
	if err != nil {
		return dr.fail("%v", err)
	}
	dr.l = l
	dr.b = state.NewLocal(filepath.Join(dr.work, config.DefaultStatePath), dr.stateOpts)
	if code := dr.lock(); code != exitOK {
		return code
	}
	dr.st = state.New(state.NewLineage())
	if err := dr.b.Write(dr.c.ctx, dr.st); err != nil {
		return dr.fail("creating the state: %v", err)
	}

	if code := dr.prepare(); code != exitOK {
		return code
	}

	for _, stage := range config.Stages {
		fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, fmt.Sprintf("=== Stage %s ===", stage)))
		for _, r := range dr.recs {
			r.Stage = stage
		}
		if code, stop := dr.beforeStage(stage); code != exitOK || stop {
			return code
		}
		t0 := dr.l.Now() // with a latency model, the modelled time
		n0 := len(dr.rows)
		var code int
		if stage == config.StageSwapped && d.Mode == config.DrillModeCrashDuringSwap {
			code = dr.crashDuringSwap()
		} else {
			code = dr.applyStage(stage)
		}
		if code != exitOK {
			return code
		}
		dr.figures = append(dr.figures, stageFigure{Stage: stage, Steps: len(dr.rows) - n0, Duration: dr.l.Now().Sub(t0)})
		if code := dr.afterStage(stage); code != exitOK {
			return code
		}
	}

	if code := dr.checkSettings(); code != exitOK {
		return code
	}

	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Steps ==="))
	writeStepTable(c.stdout, dr.rows)
	dr.writeFigures(start)
	return dr.verify()
}

// lock takes the drill state's lock (taking over one a killed apply left).
func (dr *drillRun) lock() int {
	unlock, err := dr.c.host.Lock(dr.b, dr.statePath, "drill")
	if err != nil {
		return dr.fail("%v", err)
	}
	dr.unlock = unlock
	return exitOK
}

func (dr *drillRun) release() {
	if dr.unlock != nil {
		dr.unlock()
		dr.unlock = nil
	}
}

// failedDatabases are the databases the drill's recoveries recover.
func (dr *drillRun) failedDatabases() []string {
	var out []string
	for _, r := range dr.recs {
		out = append(out, r.Database.Name)
	}
	return out
}

// Pick finds the drill to run (by name, or the only one) and the recoveries it
// rehearses.
func Pick(cfg *config.Config, name string) (*config.Drill, []*config.Recovery, error) {
	var d *config.Drill
	switch {
	case name != "":
		d = cfg.Drills[name]
		if d == nil {
			return nil, nil, fmt.Errorf("no drill %q in the configuration (drills: %s)", name, strings.Join(slices.Sorted(maps.Keys(cfg.Drills)), ", "))
		}
	case len(cfg.Drills) == 0:
		return nil, nil, fmt.Errorf("no drill block in the configuration: add one such as drill \"db01-lost\" { failure = database.DB01 ... } (see examples/same-server/main.hcl)")
	case len(cfg.Drills) > 1:
		return nil, nil, fmt.Errorf("several drills in the configuration (%s): name the one to run, \"dialtone drill NAME\"", strings.Join(slices.Sorted(maps.Keys(cfg.Drills)), ", "))
	default:
		for _, v := range cfg.Drills {
			d = v
		}
	}
	recs := cfg.DrillRecoveries(d)
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: drill %q fails %s, but no recovery block recovers it: add a recovery whose database is %s (or on it)", d.DeclRange, d.Name, d.Failure, d.Failure)
	}
	return d, recs, nil
}

// ModeLine says in a few words what a mode rehearses.
func ModeLine(mode string) string {
	switch mode {
	case config.DrillModeLost:
		return "the database's files are lost (its disk failed), 2.1"
	case config.DrillModeCorrupt:
		return "the database will not mount, 4.2"
	case config.DrillModeServerDown:
		return "the whole server is down, 4.1"
	case config.DrillModeLogsMissing:
		return "the database and its newest logs are lost, 4.4"
	case config.DrillModeNoBackup:
		return "there is no backup, 4.3"
	case config.DrillModeBadItems:
		return "restore requests meet bad items, 4.5"
	case config.DrillModeOutOfRoom:
		return "the dial tone server has no disk room, 4.6"
	case config.DrillModeNoMountSlot:
		return "the dial tone server has no mount slot, 4.6"
	case config.DrillModeDialToneLost:
		return "the dial tone database is lost before the swap, 4.7"
	case config.DrillModeCrashDuringSwap:
		return "apply crashes in the middle of the swap, 4.7"
	case config.DrillModeCopySurvives:
		return "the active copy is lost, a passive copy survives: activate it, no dial tone"
	}
	return mode
}

// refusalSummaries are the configuration diagnostics that refuse a recovery for lack of
// room or mount slots before any plan can be made.
var refusalSummaries = map[string][]string{
	config.DrillModeNoMountSlot: {"Too many databases on server"},
	config.DrillModeOutOfRoom:   {"Not enough disk room", "Disk room"},
}

// RefusedAtLoad handles out_of_room and no_mount_slot drills whose configuration is
// refused as it loads: the limit is known from the configuration alone, so no plan (and
// no change) can ever be made. That is the refusal the drill rehearses: it passes when
// every error is the limit's diagnostic (printed above), and RefusedAtLoad then says so
// on w and returns true. load loads the configuration again for its diagnostics.
func RefusedAtLoad(w io.Writer, color bool, cfg *config.Config, name string, load func() hcl.Diagnostics) bool {
	if cfg == nil {
		return false
	}
	var d *config.Drill
	if name != "" {
		d = cfg.Drills[name]
	} else if len(cfg.Drills) == 1 {
		for _, v := range cfg.Drills {
			d = v
		}
	}
	if d == nil || refusalSummaries[d.Mode] == nil {
		return false
	}
	diags := load()
	var hit *hcl.Diagnostic
	for _, dg := range diags {
		if dg.Severity != hcl.DiagError {
			continue
		}
		ok := false
		for _, s := range refusalSummaries[d.Mode] {
			if strings.HasPrefix(dg.Summary, s) {
				ok = true
			}
		}
		if !ok {
			return false
		}
		hit = dg
	}
	if hit == nil {
		return false
	}
	fmt.Fprintf(w, "Drill %q: mode %s (%s)\n\n%s\n\n", d.Name, d.Mode, ModeLine(d.Mode), ansi.Paint(color, bold, "=== Verification ==="))
	fmt.Fprintf(w, "%s the configuration is refused before any plan can be made (\"dialtone plan\" stops at the same diagnostic):\n  %s: %s\n",
		ansi.Paint(color, green, "Drill passed:"), hit.Summary, strings.Join(strings.Fields(hit.Detail), " "))
	fmt.Fprintln(w, "Nothing was changed: no lab was built, no state written.")
	return true
}
