package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// twice is the provider as a crash right after a step and before its journal record
// leaves it: every operation is applied, then applied again at once. The second run
// must succeed and, for operations whose effect can be read back, find it in place.
type twice struct {
	t    *testing.T
	prov exchangeProvider
	lc   *lineCheck // when set, the lines run are checked against the plan's
	mu   sync.Mutex
	ran  map[providers.OpKind]int
	// pair keeps a delete's first and second run together: the walk runs steps in
	// parallel, and another recovery's delete emptying a shared folder between the two
	// runs would make the second run's removal of that (now empty, dialtone-created)
	// folder look like a repeat.
	pair sync.RWMutex
}

// exchangeProvider is what the scenarios need of the provider under test.
type exchangeProvider interface {
	providers.Provider
	providers.Checker
}

// againDone are the kinds whose second run must report AlreadyDone (or Skipped): the
// provider reads their effect back before doing anything. Resubmitting queues is
// harmless to repeat and is not asked.
var againDone = map[providers.OpKind]bool{
	providers.OpCreateDatabase: true, providers.OpRehomeMailboxes: true, providers.OpRehomeSystemMailboxes: true,
	providers.OpMountDatabase: true, providers.OpDismountDatabase: true, providers.OpSetAllowFileRestore: true,
	providers.OpSetExcludedFromProvisioning: true, providers.OpRemoveDatabase: true, providers.OpCopyFiles: true,
	providers.OpMoveFiles: true, providers.OpDeleteFiles: true, providers.OpReplayLogs: true,
	providers.OpMergeMailbox: true, providers.OpResumeRestoreRequest: true, providers.OpRemoveRestoreRequests: true,
}

func (w *twice) Read(ctx context.Context) (*state.Observed, error) { return w.prov.Read(ctx) }
func (w *twice) Capabilities() providers.Capabilities              { return w.prov.Capabilities() }
func (w *twice) Check(ctx context.Context, c providers.Check) error {
	return w.prov.Check(ctx, c)
}

func (w *twice) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	if op.Kind == providers.OpDeleteFiles {
		w.pair.Lock()
		defer w.pair.Unlock()
	} else {
		w.pair.RLock()
		defer w.pair.RUnlock()
	}
	res, err := w.lc.apply(w.t, ctx, op, func(ctx context.Context) (providers.Result, error) { return w.prov.Apply(ctx, op, progress) })
	if err != nil {
		return res, err
	}
	again, err := w.lc.apply(w.t, ctx, op, func(ctx context.Context) (providers.Result, error) { return w.prov.Apply(ctx, op, nil) })
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ran == nil {
		w.ran = map[providers.OpKind]int{}
	}
	w.ran[op.Kind]++
	if err != nil {
		w.t.Errorf("%s %s/%s applied a second time: %v", op.Kind, op.Database, op.Mailbox, err)
		return res, nil
	}
	// A second delete_files may remove a folder it shares with another recovery that
	// the other's delete emptied in the meantime (the pool runs them side by side):
	// folders only, no file.
	sharedFolder := op.Kind == providers.OpDeleteFiles && again.Count == 0
	if againDone[op.Kind] && !again.AlreadyDone && !again.Skipped && !sharedFolder && !(res.Skipped || op.Kind == providers.OpCopyFiles && res.Count == 0) {
		w.t.Errorf("%s %s/%s applied a second time did it again: %+v (first: %+v)", op.Kind, op.Database, op.Mailbox, again, res)
	}
	return res, nil
}

// scenario is one recovery walked through every stage with the Exchange provider.
type scenario struct {
	t    *testing.T
	r    *rig
	cfg  *config.Config
	st   *state.State
	prov *twice
	// periods are the messages accepted in each period of the outage, by name.
	periods map[string][]lab.Accepted
	order   []string
	// manualDone counts the manual steps carried out by hand, by kind.
	manualDone map[providers.OpKind]int
	plans      []*planner.Plan // every plan applied
}

func newScenario(t *testing.T, example string, perDB int) *scenario {
	cfg := loadExample(t, example)
	r := newRig(t, topologyOf(cfg), perDB, rigOpts{settings: func(s *exchange.Settings) { s.NoAutodiscoverAttribute = "CustomAttribute15" }})
	lc := &lineCheck{}
	lc.watch(r)
	return &scenario{t: t, r: r, cfg: cfg, st: state.New("6f1c7c9e-0000-4000-8000-0000000a1a1a"),
		prov: &twice{t: t, prov: r.prov, lc: lc}, periods: map[string][]lab.Accepted{}, manualDone: map[providers.OpKind]int{}}
}

// deliver sends count messages to the user mailboxes of db and keeps them as period.
func (sc *scenario) deliver(period, db string, count int) []lab.Accepted {
	sc.t.Helper()
	acc, err := sc.r.lab.DeliverToDatabase(db, count)
	if err != nil {
		sc.t.Fatalf("delivering %s mail to %s: %v", period, db, err)
	}
	if _, ok := sc.periods[period]; !ok {
		sc.order = append(sc.order, period)
	}
	sc.periods[period] = append(sc.periods[period], acc...)
	return acc
}

// byHand carries out a manual step as the admin would: the lab's repair stands in for
// Setup.exe /Mode:RecoverServer, the lab's restore for the backup software; profiles
// need nothing in the lab.
func (sc *scenario) byHand(s *planner.Step) {
	sc.t.Helper()
	l := sc.r.lab
	switch s.Operation.Kind {
	case providers.OpRecoverServer:
		obs, err := l.Read(context.Background())
		if err != nil {
			sc.t.Fatal(err)
		}
		if srv := obs.Servers[s.Operation.Server]; srv != nil && srv.Up {
			return // rebuilt for another recovery already: confirmed, nothing to do
		}
		if err := l.RepairServer(s.Operation.Server); err != nil {
			sc.t.Fatalf("rebuilding %s by hand: %v", s.Operation.Server, err)
		}
	case providers.OpRestoreBackup:
		if _, err := l.Apply(context.Background(), s.Operation, nil); err != nil {
			sc.t.Fatalf("restoring backup set %s by hand: %v", s.Operation.Backup, err)
		}
	case providers.OpRepointProfiles:
	default:
		sc.t.Fatalf("unexpected manual step %s (%s)", s.ID, s.Operation.Kind)
	}
	sc.manualDone[s.Operation.Kind]++
}

// plan reads the organization through the provider and plans the configuration.
func (sc *scenario) plan() *planner.Plan {
	sc.t.Helper()
	obs, err := sc.r.prov.Read(context.Background())
	if err != nil {
		sc.t.Fatalf("Read through the exchange provider: %v", err)
	}
	sc.st.Refresh(obs)
	p, diags := planner.Compute(sc.cfg, sc.st, sc.r.prov.Capabilities(), planner.ComputeOptions{})
	if diags.HasErrors() {
		sc.t.Fatal(diags.Error())
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		sc.t.Fatalf("failed preconditions: %v", failed)
	}
	return p
}

// apply plans and applies until the plan is done, carrying out and confirming each
// manual step it pauses at. It returns the steps planned.
func (sc *scenario) apply() *planner.Plan {
	sc.t.Helper()
	p := sc.plan()
	if err := sc.applyPlan(p); err != nil {
		sc.t.Fatalf("apply: %v", err)
	}
	return p
}

func (sc *scenario) applyPlan(p *planner.Plan) error {
	sc.t.Helper()
	sc.plans = append(sc.plans, p)
	sc.prov.lc.expect(p)
	for round := 0; ; round++ {
		err := planner.Apply(context.Background(), p, sc.prov, sc.st, nil, nil, planner.ApplyOptions{})
		if err == nil {
			return nil
		}
		var me *planner.ManualStepError
		if !errors.As(err, &me) || round > 10 {
			return err
		}
		sc.byHand(me.Step)
		changes, err := planner.Confirm(p, sc.st, me.Step.ID, "admin@test", time.Now())
		if err != nil {
			sc.t.Fatal(err)
		}
		for _, c := range changes {
			sc.st.ApplyChange(c)
		}
	}
}

// stage moves every recovery to stage and applies it.
func (sc *scenario) stage(stage string) *planner.Plan {
	sc.t.Helper()
	for _, rec := range sc.cfg.Recoveries {
		rec.Stage = stage
	}
	p := sc.apply()
	if len(p.Steps) == 0 {
		return p // a stage with nothing to do (merge forward's swapped) is not marked
	}
	for name := range sc.cfg.Recoveries {
		if got := sc.st.Recoveries[name]; got == nil || got.Stage != stage {
			sc.t.Fatalf("after applying %s, recovery %s is recorded at %+v", stage, name, got)
		}
	}
	return p
}

// verify ends a scenario: the lab's verification passes, every message of every period
// is in its owner's mailbox exactly once, a read through the provider agrees with the
// lab, and a plan made now is empty.
func (sc *scenario) verify() {
	t := sc.t
	t.Helper()
	l := sc.r.lab
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verification failed: %+v", rep)
	}
	sc.checkMessages(0)
	sc.emptyPlan()
	sc.prov.lc.wantChecked(t, sc.plans...)
}

// checkMessages checks every message of every period in its owner's mailbox exactly
// once; lost is how many accepted messages are lost on purpose (skipped bad items) and
// left out of the periods.
func (sc *scenario) checkMessages(lost int) {
	t := sc.t
	t.Helper()
	l := sc.r.lab
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	owners := map[string]bool{}
	for _, acc := range sc.periods {
		total += len(acc)
		for _, a := range acc {
			owners[a.To] = true
		}
	}
	if rep.Accepted != total+lost || rep.Delivered != total {
		t.Errorf("the lab accepted %d and delivered %d messages; the scenario sent %d", rep.Accepted, rep.Delivered, total)
	}
	seen := map[string]int{}
	where := map[string]string{}
	for _, addr := range sortedKeys(owners) {
		ls, err := l.Mailbox(addr)
		if err != nil {
			t.Fatalf("listing %s: %v", addr, err)
		}
		for _, it := range ls.Items {
			seen[it.MessageID]++
			where[it.MessageID] = addr
		}
	}
	for _, period := range sc.order {
		acc := sc.periods[period]
		if len(acc) == 0 {
			t.Errorf("no message was sent %s", period)
		}
		for _, a := range acc {
			if seen[a.MessageID] != 1 || where[a.MessageID] != a.To {
				t.Errorf("message %s (%s, to %s) is in the mailboxes %d times (last seen in %s)", a.MessageID, period, a.To, seen[a.MessageID], where[a.MessageID])
			}
		}
	}
}

// emptyPlan checks that a read through the provider agrees with the lab and that a plan
// made now has no step.
func (sc *scenario) emptyPlan() {
	t := sc.t
	t.Helper()
	l := sc.r.lab
	obs, err := sc.r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	labObs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	compareObserved(t, obs, labObs)
	for addr, w := range labObs.Mailboxes {
		if g := obs.Mailboxes[addr]; g != nil && g.NoAutodiscover != w.NoAutodiscover {
			t.Errorf("mailbox %s: read NoAutodiscover %t, lab %t", addr, g.NoAutodiscover, w.NoAutodiscover)
		}
	}
	sc.st.Refresh(obs)
	p, _ := planner.Compute(sc.cfg, sc.st, sc.r.prov.Capabilities(), planner.ComputeOptions{})
	if len(p.Steps) != 0 {
		var ids []string
		for _, s := range p.Steps {
			ids = append(ids, s.ID)
		}
		t.Fatalf("after complete the plan still has %d steps: %s", len(p.Steps), strings.Join(ids, ", "))
	}
}

// kinds counts the operation kinds of plans.
func kinds(ps ...*planner.Plan) map[providers.OpKind]int {
	out := map[providers.OpKind]int{}
	for _, p := range ps {
		for _, s := range p.Steps {
			out[s.Operation.Kind]++
		}
	}
	return out
}

// wantCalls fails unless the double ran each cmdlet at least once.
func (sc *scenario) wantCalls(cmdlets ...string) {
	sc.t.Helper()
	ran := map[string]bool{}
	for _, c := range sc.r.calls(sc.t) {
		ran[strings.ToLower(c.Cmd)] = true
	}
	var missing []string
	for _, c := range cmdlets {
		if !ran[strings.ToLower(c)] {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		sc.t.Errorf("the double never ran %s", strings.Join(missing, ", "))
	}
}

// TestAlternateServerThroughExchange is examples/alternate-server through the provider
// and the double: EX01 goes down with DB01; dial tone on EX02; EX01 rebuilt by hand and
// the backup restored by hand, each confirmed; the swap home, the merge of the dial tone
// mail and the clean-up; every message of every period checked by ID.
func TestAlternateServerThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/alternate-server", 8)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	sc.deliver("before the backup", "DB01", 16)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	sc.deliver("after the backup", "DB01", 8)
	sc.deliver("to DB02, untouched", "DB02", 5)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	for _, a := range sc.deliver("while EX01 is down", "DB01", 4) {
		if !a.Queued {
			t.Fatalf("message %s was not queued while EX01 was down", a.MessageID)
		}
	}
	var plans []*planner.Plan
	plans = append(plans, sc.stage(config.StageDialTone))
	sc.deliver("on the dial tone database", rec.DialTone.Name, 6)
	for _, stage := range config.Stages[1:] {
		plans = append(plans, sc.stage(stage))
	}
	sc.verify()
	k := kinds(plans...)
	for _, want := range []providers.OpKind{providers.OpCreateDatabase, providers.OpSetExcludedFromProvisioning, providers.OpRehomeMailboxes,
		providers.OpRehomeSystemMailboxes, providers.OpResubmitQueues, providers.OpRecoverServer, providers.OpRestoreBackup, providers.OpCopyFiles,
		providers.OpCopyLogs, providers.OpReplayLogs, providers.OpDismountDatabase, providers.OpMergeMailbox, providers.OpRemoveRestoreRequests,
		providers.OpRemoveDatabase, providers.OpDeleteFiles} {
		if k[want] == 0 {
			t.Errorf("the alternate-server plans had no %s step", want)
		}
	}
	for _, want := range []providers.OpKind{providers.OpRecoverServer, providers.OpRestoreBackup, providers.OpRepointProfiles} {
		if sc.manualDone[want] == 0 {
			t.Errorf("no %s step was carried out by hand", want)
		}
	}
	t.Logf("applied twice: %v; by hand: %v", sc.prov.ran, sc.manualDone)
	sc.wantCalls("Retry-Queue", "Set-MailboxDatabase", "New-MailboxRestoreRequest", "Remove-MailboxRestoreRequest", "Remove-MailboxDatabase",
		"Dismount-Database", "eseutil", "Copy-Item")
}

// stayScenario is examples/alternate-server-stay (swap) or its merge-forward twin: DB01
// on EX01 is lost (EX01 stays up), the dial tone database on EX02 becomes the users'
// for good, the backup is restored by hand into RDB01 on EX02 and the surviving logs
// are read from EX01's disks.
func stayScenario(t *testing.T, example string) (*scenario, []*planner.Plan) {
	sc := newScenario(t, example, 8)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	sc.deliver("before the backup", "DB01", 16)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	sc.deliver("after the backup", "DB01", 8)
	sc.deliver("to DB02, untouched", "DB02", 5)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	for _, a := range sc.deliver("while DB01 is lost", "DB01", 4) {
		if !a.Queued {
			t.Fatalf("message %s was not queued while DB01 was lost", a.MessageID)
		}
	}
	var plans []*planner.Plan
	plans = append(plans, sc.stage(config.StageDialTone))
	sc.deliver("on the dial tone database", rec.DialTone.Name, 6)
	for _, stage := range config.Stages[1:] {
		plans = append(plans, sc.stage(stage))
	}
	sc.verify()
	t.Logf("applied twice: %v; by hand: %v", sc.prov.ran, sc.manualDone)
	if sc.manualDone[providers.OpRestoreBackup] != 1 || sc.manualDone[providers.OpRepointProfiles] == 0 {
		t.Errorf("by hand: %v; want the backup restored once and profiles repointed", sc.manualDone)
	}
	return sc, plans
}

func TestAlternateServerStayThroughExchange(t *testing.T) {
	sc, plans := stayScenario(t, "../../examples/alternate-server-stay")
	k := kinds(plans...)
	for _, want := range []providers.OpKind{providers.OpCopyLogs, providers.OpReplayLogs, providers.OpMoveFiles, providers.OpSetAllowFileRestore,
		providers.OpMergeMailbox, providers.OpRemoveDatabase, providers.OpDeleteFiles} {
		if k[want] == 0 {
			t.Errorf("the alternate-server-stay plans had no %s step", want)
		}
	}
	// The surviving logs came from EX01's disks to EX02.
	cross := false
	for _, c := range sc.r.callsOf(t, "Copy-Item") {
		if c.Server == "EX02" && strings.Contains(fmt.Sprint(c.Args["literalpath"]), `\\EX01\D$\`) {
			cross = true
		}
	}
	if !cross {
		t.Error("no Copy-Item on EX02 read EX01's administrative share")
	}
}

func TestAlternateServerStayMergeForwardThroughExchange(t *testing.T) {
	_, plans := stayScenario(t, "../../examples/alternate-server-stay-merge-forward")
	k := kinds(plans...)
	if k[providers.OpMoveFiles] != 0 || k[providers.OpSetAllowFileRestore] != 0 {
		t.Errorf("merge forward swapped files: %v", k)
	}
	if k[providers.OpMergeMailbox] < 8 {
		t.Errorf("merge forward merged %d mailboxes, want every one", k[providers.OpMergeMailbox])
	}
}

// TestResumeRestoreRequestThroughExchange is exchange-recovery.md 4.5 through the
// provider: items of the dial tone database go bad before the swap, so the merge of
// their mailbox Fails past its BadItemLimit; with the limit raised, the next plan
// resumes that request (Set-MailboxRestoreRequest -BadItemLimit, then
// Resume-MailboxRestoreRequest), never creates a second one, and the lab's verification
// finds every message but the skipped bad items, which it names as lost.
func TestResumeRestoreRequestThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/alternate-server-stay", 8)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	rec.Merge.BadItemLimit = 0
	sc.deliver("before the backup", "DB01", 16)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	sc.deliver("after the backup", "DB01", 8)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	sc.deliver("while DB01 is lost", "DB01", 4)
	sc.stage(config.StageDialTone)
	sc.deliver("on the dial tone database", rec.DialTone.Name, 6)
	// db01-user0001 has two items on the dial tone database (one queued, one delivered
	// there); both go bad.
	const victim = "db01-user0001@contoso.com"
	var bad []string
	for _, period := range []string{"while DB01 is lost", "on the dial tone database"} {
		for _, a := range sc.periods[period] {
			if a.To == victim {
				bad = append(bad, a.MessageID)
			}
		}
	}
	if len(bad) != 2 {
		t.Fatalf("%s has %d dial tone items, want 2", victim, len(bad))
	}
	if err := l.FailItems(rec.DialTone.Name, 2); err != nil {
		t.Fatal(err)
	}
	sc.stage(config.StageRestored)
	sc.stage(config.StageSwapped)

	// merged: the victim's request Fails (2 bad items, limit 0); the others complete.
	for _, r := range sc.cfg.Recoveries {
		r.Stage = config.StageMerged
	}
	err := sc.applyPlan(sc.plan())
	if err == nil || !strings.Contains(err.Error(), "Failed") || !strings.Contains(err.Error(), victim) {
		t.Fatalf("the merge with bad items did not fail naming %s: %v", victim, err)
	}
	// The limit still at 0: the plan refuses, saying how far to raise it.
	obs, err := sc.r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sc.st.Refresh(obs)
	if _, diags := planner.Compute(sc.cfg, sc.st, sc.r.prov.Capabilities(), planner.ComputeOptions{}); !diags.HasErrors() || !strings.Contains(diags.Error(), "bad_item_limit") {
		t.Fatalf("a plan with the limit too low: %v", diags)
	}
	rec.Merge.BadItemLimit = 5
	p := sc.plan()
	var resume *planner.Step
	for _, s := range p.Steps {
		if s.Operation.Kind == providers.OpResumeRestoreRequest {
			resume = s
		}
		if s.Operation.Kind == providers.OpMergeMailbox && s.Operation.Mailbox == victim {
			t.Errorf("the plan creates a second request for %s: %s", victim, s.ID)
		}
	}
	if resume == nil || resume.Operation.Mailbox != victim || resume.Operation.BadItemLimit != 5 {
		t.Fatalf("no resume step for %s: %+v", victim, resume)
	}
	if err := sc.applyPlan(p); err != nil {
		t.Fatalf("resuming: %v", err)
	}
	if got := sc.st.Recoveries["db01-outage"]; got.Stage != config.StageMerged {
		t.Fatalf("after the resume the recovery is at %q", got.Stage)
	}
	var created, set, resumed int
	for _, c := range sc.r.calls(t) {
		switch strings.ToLower(c.Cmd) {
		case "new-mailboxrestorerequest":
			if strings.EqualFold(fmt.Sprint(c.Args["targetmailbox"]), victim) {
				created++
			}
		case "set-mailboxrestorerequest":
			if fmt.Sprint(c.Args["baditemlimit"]) == "5" {
				set++
			}
		case "resume-mailboxrestorerequest":
			resumed++
		}
	}
	if created != 1 || set != 1 || resumed != 1 {
		t.Errorf("%s: %d requests created, limit raised %d times, resumed %d times; want 1, 1, 1", victim, created, set, resumed)
	}
	obs, err = sc.r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, rq := range obs.RestoreRequests {
		if strings.EqualFold(rq.TargetMailbox, victim) && (rq.Status != "CompletedWithWarning" || rq.BadItems != 2) {
			t.Errorf("the resumed request reads %+v, want CompletedWithWarning with 2 bad items", rq)
		}
	}
	sc.stage(config.StageComplete)

	// Everything is there but the two bad items, which the lab names as lost.
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(bad)
	if !rep.OKExceptLost() || strings.Join(rep.Lost, " ") != strings.Join(bad, " ") {
		t.Fatalf("verification: %+v; want only %v lost", rep, bad)
	}
	for period, acc := range sc.periods {
		var kept []lab.Accepted
		for _, a := range acc {
			if a.MessageID != bad[0] && a.MessageID != bad[1] {
				kept = append(kept, a)
			}
		}
		sc.periods[period] = kept
	}
	sc.checkMessages(len(bad))
	sc.emptyPlan()
}

// TestSiteFailureThroughExchange is examples/site-failure through the provider and the
// double: EX01 goes down with DB01, DB02 and DB03; three alternate_server recoveries on
// EX02 walk every stage together, in priority order, their recovery databases mounted
// one at a time (one recovery database per server).
func TestSiteFailureThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/site-failure", 4)
	l := sc.r.lab
	dbs := []string{"DB01", "DB02", "DB03"}
	for _, db := range dbs {
		sc.deliver("before the backup", db, 6)
		if err := l.Backup(db, "nightly"); err != nil {
			t.Fatal(err)
		}
		sc.deliver("after the backup", db, 3)
	}
	sc.deliver("to DB04, untouched", "DB04", 3)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		sc.deliver("while EX01 is down", db, 2)
	}
	var plans []*planner.Plan
	plans = append(plans, sc.stage(config.StageDialTone))
	for _, db := range dbs {
		sc.deliver("on the dial tone databases", "DT"+db, 3)
	}
	for _, stage := range config.Stages[1:] {
		plans = append(plans, sc.stage(stage))
	}
	sc.verify()
	t.Logf("applied twice: %v; by hand: %v", sc.prov.ran, sc.manualDone)
	if sc.manualDone[providers.OpRecoverServer] != 1 || sc.manualDone[providers.OpRestoreBackup] != 3 {
		t.Errorf("by hand: %v; want EX01 rebuilt once and three backups restored", sc.manualDone)
	}
	// Recovery databases were mounted one at a time on EX02, in priority order.
	var mounts []string
	for _, c := range sc.r.callsOf(t, "Mount-Database") {
		if id := fmt.Sprint(c.Args["identity"]); strings.HasPrefix(id, "RDB") {
			mounts = append(mounts, id)
		}
	}
	if strings.Join(mounts, " ") != "RDB02 RDB01 RDB03" {
		t.Errorf("recovery databases mounted in the order %v, want RDB02 RDB01 RDB03 (priority)", mounts)
	}
	if k := kinds(plans...); k[providers.OpMergeMailbox] < 12 {
		t.Errorf("%d merges, want one per mailbox of the three databases", k[providers.OpMergeMailbox])
	}
}

func TestNoAutodiscoverAttributeChecked(t *testing.T) {
	for _, bad := range []string{"CustomAttribute0", "CustomAttribute16", "extensionAttribute1", "CustomAttribute1'; Remove-Item x"} {
		if _, err := exchange.New(exchange.Settings{NoAutodiscoverAttribute: bad}, nil); err == nil || !strings.Contains(err.Error(), "CustomAttribute1 to CustomAttribute15") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := exchange.New(exchange.Settings{NoAutodiscoverAttribute: "CustomAttribute15"}, nil); err != nil {
		t.Error(err)
	}
}

// TestFilesFoundIntactThroughExchange is the alternate-server recovery through the
// provider and the double when EX01 comes back on its old disks with DB01's own files
// intact (issue 12 §7): the admin made them clean with their own logs (eseutil /r) while
// users were on the dial tone database. The refresh through the double reads the .edb
// in Clean Shutdown (eseutil /mh), so the plan uses the files as they are: no backup is
// restored, nothing is kept aside, and every message of every period is there at the end.
func TestFilesFoundIntactThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/alternate-server", 8)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	sc.deliver("before the backup", "DB01", 16)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	sc.deliver("after the backup", "DB01", 8)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	sc.deliver("while EX01 is down", "DB01", 4)
	plans := []*planner.Plan{sc.stage(config.StageDialTone)}
	sc.deliver("on the dial tone database", rec.DialTone.Name, 6)

	// EX01 comes back with its disks; the admin replays DB01's own logs into it.
	if err := l.RepairServer("EX01"); err != nil {
		t.Fatal(err)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db := obs.Databases["DB01"]
	if _, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpReplayLogs, Database: "DB01", Server: "EX01",
		EdbFilePath: db.EdbFilePath, LogFolderPath: db.LogFolderPath, LogPrefix: db.LogFilePrefix}, nil); err != nil {
		t.Fatalf("replaying DB01's own logs by hand: %v", err)
	}

	p := sc.stage(config.StageRestored)
	plans = append(plans, p)
	intact := false
	for _, rc := range p.Recoveries {
		for _, n := range rc.Notes {
			intact = intact || strings.Contains(n, "EX01 came back with DB01's own files intact (its database file is readable and in Clean Shutdown")
		}
	}
	if !intact {
		t.Fatalf("the plan of stage restored does not use the files found: %+v", p.Recoveries)
	}
	for _, s := range p.Steps {
		if s.Operation.Kind == providers.OpRestoreBackup || strings.HasSuffix(s.ID, ".preserve_failed_files") || s.Operation.Kind == providers.OpSetAllowFileRestore {
			t.Errorf("stage restored has %s (%s) though DB01's own files were found intact", s.ID, s.Operation.Kind)
		}
	}
	for _, stage := range config.Stages[2:] {
		plans = append(plans, sc.stage(stage))
	}
	sc.verify()
	if sc.manualDone[providers.OpRestoreBackup] != 0 || kinds(plans...)[providers.OpRestoreBackup] != 0 {
		t.Errorf("a backup restore was planned or done by hand: %v", sc.manualDone)
	}
	if len(sc.r.callsOf(t, "New-MailboxRestoreRequest")) == 0 {
		t.Error("the dial tone mail was not merged back")
	}
}
