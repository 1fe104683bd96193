package drill

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// prepare fills the failed databases with mail, backs them up, delivers mail that
// reaches only the logs, injects the failure and delivers mail that queues.
func (dr *drillRun) prepare() int {
	c, d := dr.c, dr.d
	say := func(format string, args ...any) { fmt.Fprintf(c.stdout, "lab: "+format+"\n", args...) }
	dbs := dr.failedDatabases()
	if code := dr.prepareSettings(); code != exitOK {
		return code
	}
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
			on := ""
			if d.Mode == config.DrillModeCopySurvives {
				on = dr.cfg.Databases[db].Server.Name // the active copy only
			}
			if err := dr.l.FailDatabaseOn(db, mode, on); err != nil {
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
	for _, name := range slices.Sorted(maps.Keys(dr.cfg.Databases)) {
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
	return dr.d.Mode == config.DrillModeOutOfRoom || dr.d.Mode == config.DrillModeNoMountSlot ||
		dr.d.Mode == config.DrillModeCopySurvives
}

// raiseBadItemLimit is what the admin does after restore requests failed on bad items:
// raise merge.bad_item_limit (in memory here) to cover them. The next plan must resume
// exactly those requests.
func (dr *drillRun) raiseBadItemLimit() int {
	c := dr.c
	if err := c.host.Refresh(dr.l, dr.st); err != nil {
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
	if err := dr.c.host.Refresh(dr.l, dr.st); err != nil {
		return dr.fail("%v", err)
	}
	byTarget := map[string]*state.RestoreRequest{}
	for _, rr := range dr.st.RestoreRequests {
		if rr != nil {
			byTarget[strings.ToLower(rr.TargetMailbox)] = rr
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(dr.expectBad)) {
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
	switch dr.d.Mode {
	case config.DrillModeNoMountSlot:
		want = "mount slot"
	case config.DrillModeCopySurvives:
		want = "Move-ActiveMailboxDatabase"
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
	if dr.d.Mode == config.DrillModeCopySurvives {
		return dr.activateSurvivingCopy()
	}
	return exitOK
}

// crashDuringSwap applies the swap in a child process of this same binary that is
// killed (SIGKILL, by the drill's own DIALTONE_DRILL_KILL_AFTER_STEPS) between the
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
	out, err := runChild(dr.work, killAfter, c.childEnv)
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
	st, err := dr.b.Read(dr.c.ctx)
	if err != nil {
		return dr.fail("reading the state after the crash: %v", err)
	}
	dr.st = st
	if n := dr.c.host.JournalPending(dr.b); n > 0 {
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
