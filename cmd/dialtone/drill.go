package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// drillDir is the folder, under the working directory, where drills run. Each drill
// gets its own subfolder, wiped when the drill starts; the user's own lab and state
// are never touched.
const drillDir = ".dialtone-drill"

// stageFigure is how long one stage of a drill took.
type stageFigure struct {
	Stage    string
	Steps    int
	Duration time.Duration
}

// cmdDrill rehearses the recovery of this folder on a fresh lab: build, fill, back up,
// fail, then plan and apply every stage in order, then verify the ledger.
func cmdDrill(c *cli, args []string) int {
	fs := newFlagSet(c, "drill", "drill [-keep] [NAME]")
	keep := fs.Bool("keep", false, "keep the drill's lab and state after a successful drill")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 1 {
		return c.errorf("drill takes at most one argument, the drill name")
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	d, rec, err := pickDrill(cfg, fs.Arg(0))
	if err != nil {
		return c.errorf("%v", err)
	}
	dbName := d.Failure.Name

	work := c.path(filepath.Join(drillDir, d.Name))
	if err := os.RemoveAll(work); err != nil {
		return c.errorf("wiping the drill folder %s: %v", work, err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return c.errorf("creating the drill folder %s: %v", work, err)
	}
	start := time.Now()
	fmt.Fprintf(c.stdout, "Drill %q: recovery.%s of database %s (%s), mode %s, %d mailboxes per database, in %s\n\n",
		d.Name, rec.Name, dbName, rec.Option, d.Mode, d.Mailboxes, work)

	l, err := lab.Init(filepath.Join(work, "lab"), topology(cfg), d.Mailboxes)
	if err != nil {
		return c.errorf("building the drill lab: %v", err)
	}
	defer l.Close()

	b := state.NewLocal(filepath.Join(work, config.DefaultStatePath))
	statePath := filepath.Join(drillDir, d.Name, config.DefaultStatePath)
	unlock, err := lockState(c, b, statePath, "drill")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer unlock()
	st := state.New(state.NewLineage())
	if err := b.Write(st); err != nil {
		return c.errorf("creating the drill state: %v", err)
	}

	// Prepare: mail, backup, more mail that only reaches the logs, the failure.
	prep := []struct {
		what string
		fn   func() error
	}{
		{fmt.Sprintf("deliver %d messages to %s", d.Messages.BeforeBackup, dbName), func() error { return deliver(l, dbName, d.Messages.BeforeBackup) }},
		{fmt.Sprintf("back up %s as %q", dbName, rec.Restore.Backup), func() error { return l.Backup(dbName, rec.Restore.Backup) }},
		{fmt.Sprintf("deliver %d messages to %s after the backup (logs only)", d.Messages.AfterBackup, dbName), func() error { return deliver(l, dbName, d.Messages.AfterBackup) }},
		{fmt.Sprintf("fail %s (%s)", dbName, d.Mode), func() error { return l.FailDatabase(dbName, d.Mode) }},
	}
	for _, p := range prep {
		if err := p.fn(); err != nil {
			return c.errorf("drill: %s: %v", p.what, err)
		}
		fmt.Fprintf(c.stdout, "lab: %s\n", p.what)
	}

	var figures []stageFigure
	var rows []stepRow
	caps := l.Capabilities()
	for _, stage := range config.Stages {
		fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, fmt.Sprintf("=== Stage %s ===", stage)))
		rec.Stage = stage
		if err := refreshFrom(c, l, st); err != nil {
			return c.errorf("%v", err)
		}
		p, ok := makePlan(c, cfg, st, caps)
		if !ok {
			return c.errorf("drill: planning stage %s failed", stage)
		}
		if err := render.Text(c.stdout, p, render.TextOptions{Color: c.color}); err != nil {
			return c.errorf("rendering the plan: %v", err)
		}
		if failed := p.FailedPreconditions(); len(failed) > 0 {
			return c.errorf("drill: stage %s has failed preconditions: %s", stage, strings.Join(failed, "; "))
		}
		fmt.Fprintln(c.stdout)
		view := newApplyView(c, p, c.getenv("DIALTONE_LOG") != "")
		t0 := time.Now()
		if err := applyPlan(c, b, statePath, l, st, p, 10, view); err != nil {
			return c.errorf("drill: applying stage %s: %v (the drill's lab and state are kept in %s)", stage, err, work)
		}
		view.complete(st)
		figures = append(figures, stageFigure{Stage: stage, Steps: len(view.rows), Duration: time.Since(t0)})
		rows = append(rows, view.rows...)
		if stage == config.StageDialTone && d.Messages.DuringDialTone > 0 {
			if err := deliver(l, rec.DialTone.Name, d.Messages.DuringDialTone); err != nil {
				return c.errorf("drill: delivering during dial tone: %v", err)
			}
			fmt.Fprintf(c.stdout, "lab: deliver %d messages to the users of %s while they run on %s\n",
				d.Messages.DuringDialTone, dbName, rec.DialTone.Name)
		}
	}

	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Steps ==="))
	writeStepTable(c, rows)
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Stages ==="))
	for _, f := range figures {
		fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s\n", f.Stage, f.Steps, fmtDurFine(f.Duration))
	}
	fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s (whole drill, preparation included)\n", "total", len(rows), fmtDurFine(time.Since(start)))

	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Verification ==="))
	r, err := l.Verify()
	if err != nil {
		return c.errorf("drill: verifying the lab: %v", err)
	}
	writeVerify(c, c.stdout, r)
	if !r.OK() {
		fmt.Fprintf(c.stdout, "\nThe drill's lab and state are kept in %s for inspection.\n", work)
		return exitError
	}
	if *keep {
		fmt.Fprintf(c.stdout, "\nThe drill's lab and state are kept in %s.\n", work)
		return exitOK
	}
	unlock()
	l.Close()
	if err := os.RemoveAll(work); err != nil {
		c.log.Warn("removing the drill folder", "path", work, "error", err)
	}
	return exitOK
}

// pickDrill finds the drill to run (by name, or the only one) and the recovery of its
// failed database.
func pickDrill(cfg *config.Config, name string) (*config.Drill, *config.Recovery, error) {
	var d *config.Drill
	switch {
	case name != "":
		d = cfg.Drills[name]
		if d == nil {
			return nil, nil, fmt.Errorf("no drill %q in the configuration (drills: %s)", name, strings.Join(sortedKeys(cfg.Drills), ", "))
		}
	case len(cfg.Drills) == 0:
		return nil, nil, fmt.Errorf("no drill block in the configuration: add one such as drill \"db01-lost\" { failure = database.DB01 ... } (see examples/same-server/main.hcl)")
	case len(cfg.Drills) > 1:
		return nil, nil, fmt.Errorf("several drills in the configuration (%s): name the one to run, \"dialtone drill NAME\"", strings.Join(sortedKeys(cfg.Drills), ", "))
	default:
		for _, v := range cfg.Drills {
			d = v
		}
	}
	if d.Failure.Kind != config.KindDatabase {
		return nil, nil, fmt.Errorf("%s: drill %q fails %s; only a database failure can be rehearsed so far", d.DeclRange, d.Name, d.Failure)
	}
	rec := cfg.RecoveryFor(d.Failure.Name)
	if rec == nil {
		return nil, nil, fmt.Errorf("%s: drill %q fails %s, but no recovery block recovers it: add a recovery with database = %s", d.DeclRange, d.Name, d.Failure, d.Failure)
	}
	return d, rec, nil
}

// deliver delivers n messages round-robin to the mailboxes of db; n of 0 does nothing.
func deliver(l *lab.Lab, db string, n int) error {
	if n <= 0 {
		return nil
	}
	_, err := l.DeliverToDatabase(db, n)
	return err
}

// writeStepTable prints every step of the drill with its stage, duration and result.
func writeStepTable(c *cli, rows []stepRow) {
	width := len("STEP")
	for _, r := range rows {
		width = max(width, len(r.ID))
	}
	fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, "STEP", "STAGE", "DURATION", "RESULT")
	for _, r := range rows {
		fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, r.ID, r.Stage, fmtDurFine(r.Duration), r.Result)
	}
}
