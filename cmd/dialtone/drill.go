package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// drillDir is the folder, under the working directory, where drills run. Each drill
// gets its own subfolder, wiped when the drill starts; the user's own lab and state
// are never touched.
const drillDir = ".dialtone-drill"

// drillWho is who the drill records as having carried out manual steps.
const drillWho = "drill"

// stageFigure is how long one stage of a drill took.
type stageFigure struct {
	Stage    string
	Steps    int
	Duration time.Duration
}

// drillRun is one drill in progress: the fresh lab and state it works on, what it
// delivered, what it expects to be lost (and why), and what the plans declared.
type drillRun struct {
	c         *cli
	cfg       *config.Config
	d         *config.Drill
	recs      []*config.Recovery
	work      string
	statePath string
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
	rows      []stepRow

	// afterFailure holds the messages accepted once the drill's failure was injected
	// (queued, then delivered into the dial tone database, or delivered there).
	afterFailure map[string]bool
	failed       bool // the drill's failure is injected: deliveries count in afterFailure
}

// cmdDrill rehearses a recovery of this folder on a fresh lab: build, fill, back up,
// inject the drill's failure (exchange-recovery.md section 4) at the moment it
// belongs, then plan and apply every stage in order (carrying out manual steps as an
// admin would and confirming them), and verify the ledger: every accepted message in
// its owner's mailbox exactly once, except exactly the messages the plans declared lost.
func cmdDrill(c *cli, args []string) int {
	fs := newFlagSet(c, "drill", "drill [-keep] [-var 'NAME=VALUE'] [-var-file=FILE] [NAME]")
	keep := fs.Bool("keep", false, "keep the drill's lab and state after a successful drill")
	vars := addVarFlags(fs)
	name, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return c.errorf("drill takes at most one argument, the drill name")
	}
	cfg, ok := loadConfigVars(c, vars)
	if !ok {
		if code, refused := refusedAtLoad(c, cfg, name); refused {
			return code
		}
		return exitError
	}
	d, recs, err := pickDrill(cfg, name)
	if err != nil {
		return c.errorf("%v", err)
	}

	work := c.path(filepath.Join(drillDir, d.Name))
	if err := os.RemoveAll(work); err != nil {
		return c.errorf("wiping the drill folder %s: %v", work, err)
	}
	if err := os.MkdirAll(work, 0o700); err != nil { // a lab and a state: private
		return c.errorf("creating the drill folder %s: %v", work, err)
	}
	dr := &drillRun{c: c, cfg: cfg, d: d, recs: recs, work: work,
		statePath: filepath.Join(drillDir, d.Name, config.DefaultStatePath),
		accepted:  map[string]string{}, expectLost: map[string]string{}, expectBad: map[string]int{},
		declared: map[string][]planner.DataLoss{}}
	code := dr.run()
	if dr.unlock != nil {
		dr.unlock()
	}
	if dr.l != nil {
		dr.l.Close()
	}
	switch {
	case code != exitOK:
		fmt.Fprintf(c.stdout, "\nThe drill's lab and state are kept in %s for inspection.\n", work)
	case *keep:
		fmt.Fprintf(c.stdout, "\nThe drill's lab and state are kept in %s.\n", work)
	default:
		if err := os.RemoveAll(work); err != nil {
			c.log.Warn("removing the drill folder", "path", work, "error", err)
		}
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
		d.Name, d.Mode, drillModeLine(d.Mode), d.Failure, strings.Join(names, ", "), d.Mailboxes, dr.work)

	l, err := lab.Init(filepath.Join(dr.work, "lab"), topology(dr.cfg), d.Mailboxes)
	if err != nil {
		return dr.fail("building the lab: %v", err)
	}
	dr.l = l
	dr.b = state.NewLocal(filepath.Join(dr.work, config.DefaultStatePath))
	if code := dr.lock(); code != exitOK {
		return code
	}
	dr.st = state.New(state.NewLineage())
	if err := dr.b.Write(dr.st); err != nil {
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
		t0 := time.Now()
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
		dr.figures = append(dr.figures, stageFigure{Stage: stage, Steps: len(dr.rows) - n0, Duration: time.Since(t0)})
		if code := dr.afterStage(stage); code != exitOK {
			return code
		}
	}

	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Steps ==="))
	writeStepTable(c, dr.rows)
	dr.writeFigures(start)
	return dr.verify()
}

// lock takes the drill state's lock (taking over one a killed apply left).
func (dr *drillRun) lock() int {
	unlock, err := lockState(dr.c, dr.b, dr.statePath, "drill")
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

// prepare fills the failed databases with mail, backs them up, delivers mail that
// reaches only the logs, injects the failure and delivers mail that queues.
func (dr *drillRun) prepare() int {
	c, d := dr.c, dr.d
	say := func(format string, args ...any) { fmt.Fprintf(c.stdout, "lab: "+format+"\n", args...) }
	dbs := dr.failedDatabases()
	for _, db := range dbs {
		if err := dr.deliver(db, d.Messages.BeforeBackup); err != nil {
			return dr.fail("delivering to %s: %v", db, err)
		}
		say("deliver %d messages to %s", d.Messages.BeforeBackup, db)
	}
	for _, r := range dr.recs {
		db, set := r.Database.Name, r.Restore.Backup
		if d.Mode == config.DrillModeNoBackup || set == planner.BackupNone {
			say("no backup of %s (mode %s: there is none to restore)", db, d.Mode)
			continue
		}
		if err := dr.l.Backup(db, set); err != nil {
			return dr.fail("backing up %s: %v", db, err)
		}
		say("back up %s as %q", db, set)
	}

	if d.Mode == config.DrillModeLogsMissing {
		return dr.prepareLogsMissing()
	}
	for _, db := range dbs {
		if err := dr.deliver(db, d.Messages.AfterBackup); err != nil {
			return dr.fail("delivering to %s: %v", db, err)
		}
		say("deliver %d messages to %s after the backup (they reach only its logs)", d.Messages.AfterBackup, db)
	}
	if d.Mode == config.DrillModeNoBackup {
		// Everything the database held is gone with it: the plan must say so.
		for id, to := range dr.accepted {
			dr.expectLost[id] = "no backup of " + dr.homeOf(to)
		}
	}

	switch d.Mode {
	case config.DrillModeServerDown:
		if err := dr.l.FailServer(d.Failure.Name); err != nil {
			return dr.fail("failing server %s: %v", d.Failure.Name, err)
		}
		say("fail server %s: it is down with %s", d.Failure.Name, strings.Join(dbs, ", "))
	default:
		mode := "lost"
		if d.Mode == config.DrillModeCorrupt {
			mode = "corrupt"
		}
		for _, db := range dbs {
			if err := dr.l.FailDatabase(db, mode); err != nil {
				return dr.fail("failing %s: %v", db, err)
			}
			say("fail %s (%s)", db, mode)
		}
	}
	if d.Mode == config.DrillModeOutOfRoom {
		if code := dr.fillDialToneServer(); code != exitOK {
			return code
		}
	}
	dr.failed = true
	return dr.deliverQueued()
}

// fillDialToneServer is out_of_room: mail to the databases already on the dial tone
// server until its disk is full (the lab then stops delivery and queues).
func (dr *drillRun) fillDialToneServer() int {
	srv := dr.recs[0].DialTone.Server.Name
	failed := map[string]bool{}
	for _, db := range dr.failedDatabases() {
		failed[db] = true
	}
	for _, name := range sortedKeys(dr.cfg.Databases) {
		db := dr.cfg.Databases[name]
		if db.Server.Name != srv || failed[name] {
			continue
		}
		for i := 0; i < 200; i++ {
			acc, err := dr.l.DeliverToDatabase(name, 10)
			if err != nil {
				return dr.fail("filling %s: %v", srv, err)
			}
			if len(acc) > 0 && acc[len(acc)-1].Queued {
				fmt.Fprintf(dr.c.stdout, "lab: deliver mail to %s until the disk of %s is full (%d messages; the last ones queue)\n", name, srv, (i+1)*10)
				return exitOK
			}
		}
	}
	return dr.fail("could not fill the disk of %s: give it a capacity (server.%s capacity) and a database to fill", srv, srv)
}

// prepareLogsMissing delivers the mail after the backup one message at a time, noting
// the log generation each one reached, then loses the database with its logs from the
// second generation after the backup on (the first when all that mail fits in one):
// the messages of those generations are the loss the plan must state.
func (dr *drillRun) prepareLogsMissing() int {
	c, d := dr.c, dr.d
	r := dr.recs[0]
	db := r.Database.Name
	obs, err := dr.l.Read(c.ctx)
	if err != nil {
		return dr.fail("reading the lab: %v", err)
	}
	bk := obs.Backups[db+"/"+r.Restore.Backup]
	if bk == nil {
		return dr.fail("mode logs_missing needs a backup of %s; the configuration's restore.backup is %q", db, r.Restore.Backup)
	}
	users, err := dr.usersOf(db)
	if err != nil {
		return dr.fail("%v", err)
	}
	genOf := map[string]uint64{}
	var ids []string
	var newest uint64
	for i := 0; i < d.Messages.AfterBackup; i++ {
		acc, err := dr.l.Deliver(users[i%len(users)], 1)
		if err != nil {
			return dr.fail("delivering to %s: %v", db, err)
		}
		obs, err := dr.l.Read(c.ctx)
		if err != nil {
			return dr.fail("reading the lab: %v", err)
		}
		g := uint64(0)
		if o := obs.Databases[db]; o != nil && o.Logs != nil {
			g = o.Logs.Last
		}
		for _, a := range acc {
			dr.accepted[a.MessageID] = a.To
			genOf[a.MessageID] = g
			ids = append(ids, a.MessageID)
		}
		newest = max(newest, g)
	}
	if newest <= bk.Generation {
		return dr.fail("mode logs_missing needs mail after the backup (messages.after_backup is %d)", d.Messages.AfterBackup)
	}
	gap := bk.Generation + 1
	if newest > gap {
		gap++
	}
	fmt.Fprintf(c.stdout, "lab: deliver %d messages to %s after the backup (generations %d to %d; the backup ends at %d)\n",
		d.Messages.AfterBackup, db, bk.Generation+1, newest, bk.Generation)
	if err := dr.l.FailLogsAfter(db, gap); err != nil {
		return dr.fail("failing the logs of %s: %v", db, err)
	}
	n := 0
	for _, id := range ids {
		if genOf[id] >= gap {
			dr.expectLost[id] = fmt.Sprintf("only in log generation %d of %s, destroyed", genOf[id], db)
			n++
		}
	}
	fmt.Fprintf(c.stdout, "lab: fail %s with its log generations %d (0x%X) and newer: %d messages after the backup had their only copy there\n", db, gap, gap, n)
	dr.failed = true
	return dr.deliverQueued()
}

// deliverQueued delivers a third of the dial tone mail while the users are down: it
// queues until dial tone.
func (dr *drillRun) deliverQueued() int {
	n := dr.d.Messages.DuringDialTone / 3
	if n == 0 || dr.isRefusalMode() {
		return exitOK
	}
	for _, db := range dr.failedDatabases() {
		if err := dr.deliver(db, n); err != nil {
			return dr.fail("delivering to %s: %v", db, err)
		}
		fmt.Fprintf(dr.c.stdout, "lab: deliver %d messages to %s while it is down (queued)\n", n, db)
	}
	return exitOK
}

func (dr *drillRun) isRefusalMode() bool {
	return dr.d.Mode == config.DrillModeOutOfRoom || dr.d.Mode == config.DrillModeNoMountSlot
}

// beforeStage injects what happens between stages: the dial tone database lost before
// the swap (dial_tone_lost), and for the refusal modes the refused plan itself (stop
// is then true).
func (dr *drillRun) beforeStage(stage string) (code int, stop bool) {
	c, d := dr.c, dr.d
	switch {
	case stage == config.StageDialTone && dr.isRefusalMode():
		return dr.expectRefusal(), true
	case stage == config.StageSwapped && d.Mode == config.DrillModeDialToneLost:
		r := dr.recs[0]
		dt := r.DialTone.Name
		// Only the mail accepted since the failure lives in the dial tone database; what
		// came before is in the backup and the surviving logs of the failed database.
		for id, to := range dr.accepted {
			if dr.afterFailure[id] && dr.homeOf(to) == dt {
				dr.expectLost[id] = "delivered during dial tone into " + dt + ", which was lost"
			}
		}
		if err := dr.l.FailDatabase(dt, "lost"); err != nil {
			return dr.fail("failing the dial tone database %s: %v", dt, err), true
		}
		fmt.Fprintf(c.stdout, "lab: fail the dial tone database %s (lost) before the swap: a second failure mid-recovery\n\n", dt)
	}
	return exitOK, false
}

// afterStage delivers the dial tone mail, and for bad_items damages some of it; once
// the resumed restore requests finished (bad_items, stage merged) it takes their counts.
func (dr *drillRun) afterStage(stage string) int {
	c, d := dr.c, dr.d
	if stage == config.StageMerged && d.Mode == config.DrillModeBadItems {
		return dr.countSkippedBadItems()
	}
	if stage != config.StageDialTone {
		return exitOK
	}
	n := d.Messages.DuringDialTone - d.Messages.DuringDialTone/3
	for _, r := range dr.recs {
		if err := dr.deliver(r.DialTone.Name, n); err != nil {
			return dr.fail("delivering during dial tone: %v", err)
		}
		if n > 0 {
			fmt.Fprintf(c.stdout, "lab: deliver %d messages to the users of %s while they run on %s\n", n, r.Database.Name, r.DialTone.Name)
		}
	}
	if d.Mode == config.DrillModeBadItems {
		dt := dr.recs[0].DialTone.Name
		if err := dr.l.FailItems(dt, d.BadItems); err != nil {
			return dr.fail("damaging items of %s: %v", dt, err)
		}
		fmt.Fprintf(c.stdout, "lab: make %d items of %s unreadable (bad items): the merge will meet them\n", d.BadItems, dt)
	}
	return exitOK
}

// plan refreshes and plans; it prints the diagnostics and returns them too.
func (dr *drillRun) plan() (*planner.Plan, hcl.Diagnostics, error) {
	if err := refreshFrom(dr.c, dr.l, dr.st); err != nil {
		return nil, nil, err
	}
	p, diags := planner.Compute(dr.cfg, dr.st, dr.l.Capabilities())
	writeDiags(dr.c, dr.cfg, diags)
	if p != nil && p.ConfigDigest == "" {
		p.ConfigDigest = dr.cfg.Digest()
	}
	return p, diags, nil
}

// planAndShow plans, prints the plan and records its data-loss decisions.
func (dr *drillRun) planAndShow(stage string) (*planner.Plan, int) {
	p, diags, err := dr.plan()
	if err != nil {
		return nil, dr.fail("%v", err)
	}
	if diags.HasErrors() || p == nil {
		return nil, dr.fail("planning stage %s failed (diagnostics above)", stage)
	}
	if err := render.Text(dr.c.stdout, p, render.TextOptions{Color: dr.c.color}); err != nil {
		return nil, dr.fail("rendering the plan: %v", err)
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		return nil, dr.fail("stage %s has failed preconditions: %s", stage, strings.Join(failed, "; "))
	}
	for _, r := range p.Recoveries {
		for _, dl := range r.DataLoss {
			if !hasLoss(dr.declared[r.Name], dl) {
				dr.declared[r.Name] = append(dr.declared[r.Name], dl)
			}
		}
	}
	fmt.Fprintln(dr.c.stdout)
	return p, exitOK
}

func hasLoss(ls []planner.DataLoss, l planner.DataLoss) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// applyStage plans and applies one stage until it is reached: manual steps are carried
// out and confirmed, and (bad_items) restore requests that failed on bad items are
// resumed after the limit is raised, as an admin would in HCL.
func (dr *drillRun) applyStage(stage string) int {
	c := dr.c
	raised := false
	for round := 0; round < 20; round++ {
		p, code := dr.planAndShow(stage)
		if code != exitOK {
			return code
		}
		if !p.HasChanges() {
			fmt.Fprintf(c.stdout, "Nothing to do at stage %s.\n", stage)
			return exitOK
		}
		view := newApplyView(c, p, c.getenv("DIALTONE_LOG") != "")
		err := applyPlan(c, dr.b, dr.statePath, dr.l, dr.st, p, 10, view)
		dr.rows = append(dr.rows, view.rows...)
		var manual *planner.ManualStepError
		switch {
		case err == nil:
			view.complete(dr.st)
			return exitOK
		case errors.As(err, &manual) && !isWriteError(err):
			if code := dr.doManual(p, manual.Step); code != exitOK {
				return code
			}
		case dr.d.Mode == config.DrillModeBadItems && stage == config.StageMerged && !raised:
			fmt.Fprintf(c.stdout, "\nApply stopped as the drill expects: %v\n", err)
			if code := dr.raiseBadItemLimit(); code != exitOK {
				return code
			}
			raised = true
		default:
			return dr.fail("applying stage %s: %v", stage, err)
		}
		fmt.Fprintf(c.stdout, "\n--- stage %s, plan again ---\n\n", stage)
	}
	return dr.fail("stage %s was not reached after 20 rounds of plan and apply", stage)
}

// doManual carries out a manual step the way an admin would in the lab, then confirms
// it through the same code path as "dialtone confirm".
func (dr *drillRun) doManual(p *planner.Plan, s *planner.Step) int {
	c := dr.c
	fmt.Fprintf(c.stdout, "\nApply paused at a manual step: %s\n", s.ID)
	switch s.Operation.Kind {
	case providers.OpRecoverServer:
		if err := dr.l.RepairServer(s.Operation.Server); err != nil {
			return dr.fail("rebuilding %s: %v", s.Operation.Server, err)
		}
		fmt.Fprintf(c.stdout, "drill: rebuilt %s with \"lab repair server %s\" (standing in for Setup.exe /Mode:RecoverServer)\n", s.Operation.Server, s.Operation.Server)
	case providers.OpRepointProfiles:
		fmt.Fprintf(c.stdout, "drill: noted: repoint the mail profiles of %s at %s (clients without Autodiscover): %s\n",
			countOf(len(s.Operation.Mailboxes), "mailbox", "mailboxes"), s.Operation.Server, strings.Join(s.Operation.Mailboxes, ", "))
	default:
		return dr.fail("manual step %s (%s) has no lab stand-in: %s", s.ID, s.Operation.Kind, s.Operation.Instructions)
	}
	if err := refreshFrom(c, dr.l, dr.st); err != nil {
		return dr.fail("%v", err)
	}
	now := time.Now().UTC()
	stage, err := confirmStep(dr.b, dr.st, p, s.ID, drillWho, now)
	if err != nil {
		return dr.fail("confirming %s: %v", s.ID, err)
	}
	if err := dr.b.Write(dr.st); err != nil {
		return dr.fail("writing the state: %v", err)
	}
	fmt.Fprintf(c.stdout, "Confirmed: step %s was carried out by %s at %s.\n", s.ID, drillWho, now.Format(time.RFC3339))
	if stage != "" {
		fmt.Fprintf(c.stdout, "recovery.%s is at stage %q.\n", s.Recovery, stage)
	}
	return exitOK
}

// raiseBadItemLimit is what the admin does after restore requests failed on bad items:
// raise merge.bad_item_limit (in memory here) to cover them. The next plan must resume
// exactly those requests.
func (dr *drillRun) raiseBadItemLimit() int {
	c := dr.c
	if err := refreshFrom(c, dr.l, dr.st); err != nil {
		return dr.fail("%v", err)
	}
	r := dr.recs[0]
	failed := map[string]int{}
	need := 0
	for _, rr := range dr.st.RestoreRequests {
		if rr != nil && strings.EqualFold(rr.Status, "Failed") {
			failed[strings.ToLower(rr.TargetMailbox)] = rr.BadItems
			need = max(need, rr.BadItems)
		}
	}
	if len(failed) == 0 {
		return dr.fail("the merge stopped but no restore request is Failed")
	}
	if r.Merge == nil {
		r.Merge = &config.Merge{ConflictResolution: "KeepSourceItem"}
	}
	old := r.Merge.BadItemLimit
	r.Merge.BadItemLimit = max(need, dr.d.BadItems)
	fmt.Fprintf(c.stdout, "drill: %d restore requests Failed on bad items; raise merge.bad_item_limit of recovery.%s from %d to %d (as the admin would in HCL)\n",
		len(failed), r.Name, old, r.Merge.BadItemLimit)
	p, diags, err := dr.plan()
	if err != nil || diags.HasErrors() || p == nil {
		return dr.fail("planning after raising the limit failed: %v", err)
	}
	resumed := 0
	for _, s := range p.Steps {
		addr := strings.ToLower(s.Operation.Mailbox)
		if _, ok := failed[addr]; !ok {
			continue
		}
		switch s.Operation.Kind {
		case providers.OpResumeRestoreRequest:
			resumed++
		case providers.OpMergeMailbox:
			return dr.fail("the plan makes a new restore request for %s instead of resuming the failed one (%s)", addr, s.ID)
		}
	}
	if resumed != len(failed) {
		return dr.fail("the plan resumes %d of the %d failed restore requests", resumed, len(failed))
	}
	for addr, n := range failed {
		dr.expectBad[addr] += n
	}
	fmt.Fprintf(c.stdout, "drill: the plan resumes the %d failed requests (no new ones); their bad items are skipped and lost\n", resumed)
	return exitOK
}

// countSkippedBadItems reads, once the merge is done, how many bad items each resumed
// restore request skipped in all (Get-MailboxRestoreRequestStatistics -IncludeReport):
// a request stops Failed at the first bad item past its limit, so more may follow it;
// the plan resumed it with the raised bad_item_limit, which bounds what it may skip.
// Those are the bad items the drill expects lost.
func (dr *drillRun) countSkippedBadItems() int {
	if len(dr.expectBad) == 0 {
		return exitOK
	}
	if err := refreshFrom(dr.c, dr.l, dr.st); err != nil {
		return dr.fail("%v", err)
	}
	byTarget := map[string]*state.RestoreRequest{}
	for _, rr := range dr.st.RestoreRequests {
		if rr != nil {
			byTarget[strings.ToLower(rr.TargetMailbox)] = rr
		}
	}
	for _, addr := range sortedKeys(dr.expectBad) {
		rr := byTarget[addr]
		switch {
		case rr == nil:
			return dr.fail("the resumed restore request of %s is gone before the clean-up", addr)
		case rr.BadItems < dr.expectBad[addr] || rr.BadItems > rr.BadItemLimit:
			return dr.fail("the resumed restore request %s skipped %d bad items: it failed on %d and was resumed with BadItemLimit %d",
				rr.Name, rr.BadItems, dr.expectBad[addr], rr.BadItemLimit)
		}
		if rr.BadItems > dr.expectBad[addr] {
			fmt.Fprintf(dr.c.stdout, "drill: %s skipped %d bad items in all (%d more after the one that failed it; within BadItemLimit %d)\n",
				rr.Name, rr.BadItems, rr.BadItems-dr.expectBad[addr], rr.BadItemLimit)
		}
		dr.expectBad[addr] = rr.BadItems
	}
	return exitOK
}

// expectRefusal is out_of_room and no_mount_slot: the plan of the dial tone stage must
// be refused with a precondition diagnostic naming the limit, and nothing changed.
func (dr *drillRun) expectRefusal() int {
	c := dr.c
	before, err := dr.l.Status()
	if err != nil {
		return dr.fail("lab status: %v", err)
	}
	p, diags, err := dr.plan()
	if err != nil {
		return dr.fail("%v", err)
	}
	if p != nil {
		render.Text(c.stdout, p, render.TextOptions{Color: c.color})
	}
	want := "disk room"
	if dr.d.Mode == config.DrillModeNoMountSlot {
		want = "mount slot"
	}
	var hit *hcl.Diagnostic
	for _, dg := range diags {
		if dg.Severity == hcl.DiagError && dg.Summary == "Precondition failed" && strings.Contains(dg.Detail, want) {
			hit = dg
			break
		}
	}
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Verification ==="))
	if hit == nil {
		return dr.fail("the plan of stage dial_tone was not refused by a %q precondition (mode %s)", want, dr.d.Mode)
	}
	after, err := dr.l.Status()
	if err != nil {
		return dr.fail("lab status: %v", err)
	}
	for _, r := range dr.recs {
		if rs := dr.st.Recoveries[r.Name]; rs != nil && len(rs.Steps) > 0 {
			return dr.fail("recovery.%s has %d steps recorded; the refused plan must change nothing", r.Name, len(rs.Steps))
		}
	}
	if len(before.Databases) != len(after.Databases) || len(before.Mailboxes) != len(after.Mailboxes) {
		return dr.fail("the lab changed although the plan was refused")
	}
	fmt.Fprintf(c.stdout, "%s the plan was refused before anything changed:\n  %s\n", c.paint(green, "Drill passed:"), hit.Detail)
	fmt.Fprintf(c.stdout, "Nothing was changed: no step recorded, the lab has the same %d databases and %d mailboxes.\n", len(after.Databases), len(after.Mailboxes))
	return exitOK
}

// crashDuringSwap applies the swap in a child process of this same binary that is
// killed (SIGKILL, through the test hook DIALTONE_TEST_KILL_AFTER_STEPS) between the
// dismount and the mount, then applies again: the journal must carry it through.
func (dr *drillRun) crashDuringSwap() int {
	c := dr.c
	p, code := dr.planAndShow(config.StageSwapped)
	if code != exitOK {
		return code
	}
	start, end := -1, -1
	for i, s := range p.Steps {
		if s.Outage == planner.OutageStarts && start < 0 {
			start = i
		}
		if s.Outage == planner.OutageEnds && start >= 0 && end < 0 {
			end = i
		}
	}
	if start < 0 || end < 0 {
		return dr.fail("the swap plan has no outage window to crash in")
	}
	killAfter := start + 1 // finished steps: up to the dismount
	if start+1 < end {
		killAfter++ // and the step after it, still before the mount
	}
	fmt.Fprintf(c.stdout, "drill: apply the swap in a child process, killed (SIGKILL) after step %d of %d (%s), before %s\n\n",
		killAfter, len(p.Steps), p.Steps[killAfter-1].ID, p.Steps[end].ID)
	if err := dr.writeChildConfig(config.StageSwapped); err != nil {
		return dr.fail("writing the child's configuration: %v", err)
	}
	dr.release()
	out, err := runChild(dr.work, killAfter)
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		fmt.Fprintf(c.stdout, "  child| %s\n", line)
	}
	if !killedBySignal(err) {
		return dr.fail("the child apply was to be killed, but it ended with %v", err)
	}
	fmt.Fprintf(c.stdout, "\ndrill: the child apply was killed (%v); apply again\n\n", err)
	if code := dr.lock(); code != exitOK {
		return code
	}
	st, err := dr.b.Read()
	if err != nil {
		return dr.fail("reading the state after the crash: %v", err)
	}
	dr.st = st
	if n := journalPending(dr.b); n > 0 {
		fmt.Fprintf(c.stdout, "Resuming: %d records replayed from the journal of the killed apply.\n\n", n)
	}
	rs := st.Recoveries[dr.recs[0].Name]
	for i := 0; i < killAfter; i++ {
		if rs == nil || rs.Steps[p.Steps[i].ID] == nil {
			return dr.fail("step %s finished before the kill but is not in the journal", p.Steps[i].ID)
		}
	}
	return dr.applyStage(config.StageSwapped)
}

// writeChildConfig copies the configuration into the drill folder for a child apply:
// the drill's recoveries at stage, the lab and state of the drill folder (the defaults).
func (dr *drillRun) writeChildConfig(stage string) error {
	names := map[string]bool{}
	for _, r := range dr.recs {
		names[r.Name] = true
	}
	for name, src := range dr.cfg.Sources {
		out, err := rewriteForChild(name, src, names, stage)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dr.work, filepath.Base(name)), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeFigures prints the per-stage durations.
func (dr *drillRun) writeFigures(start time.Time) {
	c := dr.c
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Stages ==="))
	for _, f := range dr.figures {
		fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s\n", f.Stage, f.Steps, fmtDurFine(f.Duration))
	}
	fmt.Fprintf(c.stdout, "  %-10s %5d steps  %9s (whole drill, preparation included)\n", "total", len(dr.rows), fmtDurFine(time.Since(start)))
}

// verify checks the ledger: nothing missing, doubled, queued or unexpected, and the
// lost messages exactly those the drill's failure destroyed and the plans declared.
func (dr *drillRun) verify() int {
	c := dr.c
	fmt.Fprintf(c.stdout, "\n%s\n\n", c.paint(bold, "=== Verification ==="))
	r, err := dr.l.Verify()
	if err != nil {
		return dr.fail("verifying the lab: %v", err)
	}
	writeVerify(c, c.stdout, r, true)

	var problems []string
	if len(dr.expectLost) > 0 && len(dr.allDeclared()) == 0 {
		problems = append(problems, fmt.Sprintf("the failure destroyed %d messages but no plan declared a data loss", len(dr.expectLost)))
	}
	if len(dr.expectLost) == 0 && len(dr.expectBad) == 0 && len(dr.allDeclared()) > 0 {
		problems = append(problems, "a plan declared a data loss the drill's failure does not cause: "+dr.allDeclared()[0].What)
	}
	lost := map[string]bool{}
	badPer := map[string]int{}
	for _, id := range r.Lost {
		lost[id] = true
		if _, ok := dr.expectLost[id]; !ok {
			badPer[strings.ToLower(dr.accepted[id])]++
		}
	}
	var notLost []string
	for id := range dr.expectLost {
		if !lost[id] {
			notLost = append(notLost, id)
		}
	}
	sort.Strings(notLost)
	if len(notLost) > 0 {
		problems = append(problems, fmt.Sprintf("%d messages the drill expected lost are not in the lab's Lost set: %s", len(notLost), strings.Join(notLost, ", ")))
	}
	for _, addr := range sortedKeys(unionKeys(badPer, dr.expectBad)) {
		if badPer[addr] != dr.expectBad[addr] {
			problems = append(problems, fmt.Sprintf("%s: %d messages lost beyond what the plans declared (%d bad items skipped by a resumed restore request)",
				addr, badPer[addr], dr.expectBad[addr]))
		}
	}
	if !r.OKExceptLost() {
		problems = append(problems, "messages missing, doubled, still queued or unexpected (listed above)")
	}

	if all := dr.allDeclared(); len(all) > 0 || len(dr.expectBad) > 0 {
		fmt.Fprintln(c.stdout, "\nWhat the plans declared lost:")
		for _, dl := range all {
			fmt.Fprintf(c.stdout, "  - %s\n    why: %s\n    decision: %s\n", dl.What, dl.Why, dl.Decision)
		}
		for _, addr := range sortedKeys(dr.expectBad) {
			fmt.Fprintf(c.stdout, "  - %d bad items of %s, skipped by its resumed restore request (bad_item_limit raised)\n", dr.expectBad[addr], addr)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(c.stdout, "\n%s\n", c.paint(red, "Drill FAILED:"))
		for _, p := range problems {
			fmt.Fprintf(c.stdout, "  - %s\n", p)
		}
		return exitError
	}
	if len(r.Lost) > 0 {
		fmt.Fprintf(c.stdout, "\n%s every accepted message is in its owner's mailbox exactly once, except the %d the plans declared lost, and exactly those are lost.\n",
			c.paint(green, "Drill passed:"), len(r.Lost))
	} else {
		fmt.Fprintf(c.stdout, "\n%s every accepted message is in its owner's mailbox exactly once.\n", c.paint(green, "Drill passed:"))
	}
	return exitOK
}

func (dr *drillRun) allDeclared() []planner.DataLoss {
	var out []planner.DataLoss
	for _, name := range sortedKeys(dr.declared) {
		out = append(out, dr.declared[name]...)
	}
	return out
}

func unionKeys(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k := range a {
		out[k] = 0
	}
	for k := range b {
		out[k] = 0
	}
	return out
}

// deliver delivers n messages round-robin to the mailboxes of db and notes them.
func (dr *drillRun) deliver(db string, n int) error {
	if n <= 0 {
		return nil
	}
	acc, err := dr.l.DeliverToDatabase(db, n)
	for _, a := range acc {
		dr.accepted[a.MessageID] = a.To
		if dr.failed {
			if dr.afterFailure == nil {
				dr.afterFailure = map[string]bool{}
			}
			dr.afterFailure[a.MessageID] = true
		}
	}
	return err
}

// usersOf lists the user mailboxes homed on db, by address.
func (dr *drillRun) usersOf(db string) ([]string, error) {
	s, err := dr.l.Status()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range s.Mailboxes {
		if m.Database == db && m.Kind == "" {
			out = append(out, m.Address)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no user mailbox is homed on %s", db)
	}
	sort.Strings(out)
	return out, nil
}

// homeOf is the database a mailbox is homed on now ("" when unknown).
func (dr *drillRun) homeOf(addr string) string {
	s, err := dr.l.Status()
	if err != nil {
		return ""
	}
	for _, m := range s.Mailboxes {
		if strings.EqualFold(m.Address, addr) {
			return m.Database
		}
	}
	return ""
}

// pickDrill finds the drill to run (by name, or the only one) and the recoveries it
// rehearses.
func pickDrill(cfg *config.Config, name string) (*config.Drill, []*config.Recovery, error) {
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
	recs := cfg.DrillRecoveries(d)
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: drill %q fails %s, but no recovery block recovers it: add a recovery whose database is %s (or on it)", d.DeclRange, d.Name, d.Failure, d.Failure)
	}
	return d, recs, nil
}

// drillModeLine says in a few words what a mode rehearses.
func drillModeLine(mode string) string {
	switch mode {
	case config.DrillModeLost:
		return "the database's files are lost, 4.1"
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
	}
	return mode
}

// writeStepTable prints every step of the drill with its stage, duration and result;
// per recovery and stage, only the first five merges, then a count.
func writeStepTable(c *cli, rows []stepRow) {
	const shown = 5
	width := len("STEP")
	for _, r := range rows {
		width = max(width, len(r.ID))
	}
	fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, "STEP", "STAGE", "DURATION", "RESULT")
	type group struct {
		n, failed int
		d         time.Duration
	}
	var key string
	var g group
	flush := func() {
		if g.n > shown {
			fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, fmt.Sprintf("... and %d more merges", g.n-shown), "", fmtDurFine(g.d), fmt.Sprintf("%d failed", g.failed))
		}
		g = group{}
	}
	for _, r := range rows {
		if !strings.Contains(r.ID, ".merge[") && !strings.Contains(r.ID, ".resume_merge[") {
			flush()
			key = ""
			fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, r.ID, r.Stage, fmtDurFine(r.Duration), r.Result)
			continue
		}
		k := r.ID[:strings.Index(r.ID, "[")] + "|" + r.Stage
		if k != key {
			flush()
			key = k
		}
		g.n++
		if g.n <= shown {
			fmt.Fprintf(c.stdout, "  %-*s  %-10s  %9s  %s\n", width, r.ID, r.Stage, fmtDurFine(r.Duration), r.Result)
			continue
		}
		g.d += r.Duration
		if r.Result == "failed" {
			g.failed++
		}
	}
	flush()
}

// countOf is "1 mailbox", "2 mailboxes".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// refusalSummaries are the configuration diagnostics that refuse a recovery for lack of
// room or mount slots before any plan can be made.
var refusalSummaries = map[string][]string{
	config.DrillModeNoMountSlot: {"Too many databases on server"},
	config.DrillModeOutOfRoom:   {"Not enough disk room", "Disk room"},
}

// refusedAtLoad handles out_of_room and no_mount_slot drills whose configuration is
// refused as it loads: the limit is known from the configuration alone, so no plan (and
// no change) can ever be made. That is the refusal the drill rehearses: it passes when
// every error is the limit's diagnostic (printed above).
func refusedAtLoad(c *cli, cfg *config.Config, name string) (int, bool) {
	if cfg == nil {
		return exitError, false
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
		return exitError, false
	}
	_, diags := config.Load(c.dir)
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
			return exitError, false
		}
		hit = dg
	}
	if hit == nil {
		return exitError, false
	}
	fmt.Fprintf(c.stdout, "Drill %q: mode %s (%s)\n\n%s\n\n", d.Name, d.Mode, drillModeLine(d.Mode), c.paint(bold, "=== Verification ==="))
	fmt.Fprintf(c.stdout, "%s the configuration is refused before any plan can be made (\"dialtone plan\" stops at the same diagnostic):\n  %s: %s\n",
		c.paint(green, "Drill passed:"), hit.Summary, strings.Join(strings.Fields(hit.Detail), " "))
	fmt.Fprintln(c.stdout, "Nothing was changed: no lab was built, no state written.")
	return exitOK, true
}
