package planner_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// clock is a fake clock that moves one second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type countingHooks struct {
	pre, post, progress atomic.Int64
}

func (h *countingHooks) PreStep(*planner.Step) { h.pre.Add(1) }
func (h *countingHooks) PostStep(*planner.Step, providers.Result, time.Duration, error) {
	h.post.Add(1)
}
func (h *countingHooks) Progress(*planner.Step, int64, int64) { h.progress.Add(1) }

func TestApplyJournalsEveryStepInOrderAndReachesTheStage(t *testing.T) {
	st := plantest.State(5)
	p := mustPlan(t, plantest.Config(config.StageComplete), st)
	j := &plantest.Journal{}
	hooks := &countingHooks{}
	clk := &clock{t: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)}
	err := planner.Apply(context.Background(), p, plantest.NewFake(), st, j, hooks,
		planner.ApplyOptions{Parallelism: 1, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	recs := j.StepRecords()
	if len(recs) != len(p.Steps) {
		t.Fatalf("%d journal records for %d steps", len(recs), len(p.Steps))
	}
	// The failed database's settings are journaled before the step that holds it runs.
	held := -1
	for i, rec := range j.Records() {
		for _, c := range rec {
			if c.SettingsBefore != nil && c.SettingsBefore.Database == "DB01" && held < 0 {
				held = i
			}
			if c.StepDone != nil && c.StepDone.Record.ID == "recovery.db01-outage.hold_failed_database" && (held < 0 || held >= i) {
				t.Errorf("hold_failed_database finished (record %d) before its settings were journaled (record %d)", i, held)
			}
		}
	}
	var marks []string
	for i, rec := range recs {
		var done *state.StepDone
		for _, c := range rec {
			if c.StepDone != nil {
				if done != nil {
					t.Errorf("record %d holds two StepDone", i)
				}
				done = c.StepDone
			}
			if c.Stage != nil {
				marks = append(marks, c.Stage.Stage)
				if p.Steps[i].Stage != c.Stage.Stage {
					t.Errorf("stage %s marked by a step of stage %s", c.Stage.Stage, p.Steps[i].Stage)
				}
			}
		}
		if done == nil || done.Record.ID != p.Steps[i].ID {
			t.Fatalf("record %d is %+v, want step %s", i, done, p.Steps[i].ID)
		}
		if done.Record.Result != "done" || !done.Record.Finished.After(done.Record.Started) || done.Record.Started.Year() != 2026 {
			t.Errorf("record %+v", done.Record)
		}
	}
	if strings.Join(marks, " ") != strings.Join(config.Stages, " ") {
		t.Errorf("stage marks %v", marks)
	}
	if int(hooks.pre.Load()) != len(p.Steps) || int(hooks.post.Load()) != len(p.Steps) || hooks.progress.Load() == 0 {
		t.Errorf("hooks pre %d post %d progress %d", hooks.pre.Load(), hooks.post.Load(), hooks.progress.Load())
	}

	// The effects leave the organization as a finished same_server recovery does.
	rec := st.Recoveries["db01-outage"]
	if rec.Stage != config.StageComplete || len(rec.Steps) != len(p.Steps) {
		t.Errorf("recovery %s with %d steps", rec.Stage, len(rec.Steps))
	}
	dt := st.Databases["DTDB01"]
	if dt == nil || !dt.Mounted || dt.AllowFileRestore {
		t.Errorf("DTDB01 %+v", dt)
	}
	if st.Databases["RDB01"] != nil {
		t.Errorf("RDB01 still recorded: %+v", st.Databases["RDB01"])
	}
	if len(st.RestoreRequests) != 0 {
		t.Errorf("restore requests left: %v", st.RestoreRequests)
	}
	if n := len(st.MailboxesOn("DTDB01")); n != 5 {
		t.Errorf("%d mailboxes on DTDB01", n)
	}
	// Nothing is left to plan.
	if p2 := mustPlan(t, plantest.Config(config.StageComplete), st); p2.HasChanges() {
		t.Errorf("after apply: %v", stepIDs(p2))
	}
}

func TestApplyStopsAtAFailingStepAndResumesThere(t *testing.T) {
	st := plantest.State(3)
	p := mustPlan(t, plantest.Config(config.StageSwapped), st)
	fake := plantest.NewFake()
	boom := errors.New("MapiExceptionNotFound: database file missing")
	fake.Fail = func(op providers.Operation) error {
		if op.Kind == providers.OpReplayLogs {
			return boom
		}
		return nil
	}
	j := &plantest.Journal{}
	err := planner.Apply(context.Background(), p, fake, st, j, nil, planner.ApplyOptions{})
	if err == nil || !errors.Is(err, boom) || !strings.Contains(err.Error(), "recovery.db01-outage.replay_logs") {
		t.Fatalf("error %v", err)
	}
	failedAt, _ := findStep(p, "replay_logs")
	if len(j.StepRecords()) != failedAt {
		t.Errorf("%d records, want the %d steps before the failure", len(j.StepRecords()), failedAt)
	}
	rec := st.Recoveries["db01-outage"]
	if rec.Stage != config.StageDialTone || len(rec.Steps) != failedAt || rec.Steps["recovery.db01-outage.replay_logs"] != nil {
		t.Errorf("stage %q, %d steps recorded", rec.Stage, len(rec.Steps))
	}

	// Fixed: the same plan applied again resumes at the failed step.
	fixed := plantest.NewFake()
	if err := planner.Apply(context.Background(), p, fixed, st, j, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ops := fixed.Ops()
	if len(ops) != len(p.Steps)-failedAt || ops[0].Kind != providers.OpReplayLogs {
		t.Errorf("second apply ran %d operations starting with %s", len(ops), ops[0].Kind)
	}
	if st.Recoveries["db01-outage"].Stage != config.StageSwapped {
		t.Errorf("stage %q", st.Recoveries["db01-outage"].Stage)
	}
}

func TestApplyRunsMergesInParallelWithinTheLimit(t *testing.T) {
	for _, par := range []int{1, 4, 0} {
		st := stateAt(t, config.StageSwapped, 30)
		p := mustPlan(t, plantest.Config(config.StageMerged), st)
		fake := plantest.NewFake()
		fake.MergeDelay = 3 * time.Millisecond
		fake.Absent = map[string]bool{"db01-user0007@contoso.com": true}
		if err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: par}); err != nil {
			t.Fatal(err)
		}
		limit := par
		if par <= 0 {
			limit = 10
		}
		if fake.Peak() > limit || (limit > 1 && fake.Peak() < 2) {
			t.Errorf("parallelism %d: peak %d operations at once", par, fake.Peak())
		}
		rec := st.Recoveries["db01-outage"]
		if rec.Stage != config.StageMerged {
			t.Errorf("stage %q", rec.Stage)
		}
		if r := rec.Steps[`recovery.db01-outage.merge["db01-user0007@contoso.com"]`]; r == nil || r.Result != "skipped" {
			t.Errorf("absent mailbox record %+v", r)
		}
		if len(st.RestoreRequests) != 29 || st.RestoreRequests[`db01-user0001@contoso.com\dialtone-db01-outage`] == nil {
			t.Errorf("%d restore requests recorded", len(st.RestoreRequests))
		}
	}
}

// As in Terraform, a failed step stops what waits for it (the clean-up after the
// merges) and lets the steps that do not wait for it (the other merges) finish.
func TestApplyFailureStopsOnlyItsDependents(t *testing.T) {
	st := stateAt(t, config.StageSwapped, 40)
	p := mustPlan(t, plantest.Config(config.StageComplete), st)
	fake := plantest.NewFake()
	fake.MergeDelay = time.Millisecond
	fake.Fail = func(op providers.Operation) error {
		if op.Mailbox == "db01-user0005@contoso.com" {
			return errors.New("FailedOther: too many bad items")
		}
		return nil
	}
	err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 3})
	if err == nil || !strings.Contains(err.Error(), `merge["db01-user0005@contoso.com"]`) || !strings.Contains(err.Error(), "too many bad items") {
		t.Fatalf("error %v", err)
	}
	for _, op := range fake.Ops() {
		if op.Kind == providers.OpRemoveRestoreRequests {
			t.Fatal("clean-up ran after a failed merge")
		}
	}
	// Every other merge finished and was recorded; the failed one was not.
	rec := st.Recoveries["db01-outage"]
	merges := 0
	for id := range rec.Steps {
		if strings.Contains(id, ".merge[") {
			merges++
		}
	}
	if rec.Steps[`recovery.db01-outage.merge["db01-user0005@contoso.com"]`] != nil {
		t.Error("the failed merge was recorded")
	}
	if merges != 39 || rec.Stage != config.StageSwapped {
		t.Errorf("%d merges recorded, stage %q", merges, rec.Stage)
	}
}

func TestApplyStopsAtAManualStep(t *testing.T) {
	st := plantest.State(2)
	caps := providers.Capabilities{MoveFiles: true, ReplayLogs: true, DeleteFiles: true}
	p, _ := planner.Compute(plantest.Config(config.StageRestored), st, caps, planner.ComputeOptions{})
	fake := plantest.NewFake()
	err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{})
	if err == nil {
		t.Fatal("no error at a manual step")
	}
	for _, want := range []string{"recovery.db01-outage.restore_backup is manual", "Restore backup set nightly of DB01",
		"eseutil /mh 'E:\\Recovery\\RDB01\\DB01.edb'", `dialtone confirm recovery.db01-outage.restore_backup`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if last := fake.Ops()[len(fake.Ops())-1]; last.Kind != providers.OpCreateDatabase || !last.Recovery {
		t.Errorf("last operation before the manual step: %+v", last)
	}
}

func TestApplyRefusesAPlanItCannotTrust(t *testing.T) {
	st := plantest.State(2)
	st.Servers["EX01"].Up = false
	p, _ := planner.Compute(plantest.Config(config.StageDialTone), st, plantest.NewFake().Caps, planner.ComputeOptions{})
	fake := plantest.NewFake()
	err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "preserve_failed_files: server EX01 is up") || len(fake.Ops()) != 0 {
		t.Errorf("error %v, %d operations", err, len(fake.Ops()))
	}

	st = plantest.State(2)
	p = mustPlan(t, plantest.Config(config.StageDialTone), st)
	st.Lineage = "another"
	if err := planner.Apply(context.Background(), p, fake, st, nil, nil, planner.ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "lineage") {
		t.Errorf("error %v", err)
	}
	if err := planner.Apply(context.Background(), nil, fake, st, nil, nil, planner.ApplyOptions{}); err == nil {
		t.Error("nil plan applied")
	}
}

func TestApplyStopsWhenTheJournalFails(t *testing.T) {
	st := plantest.State(2)
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	j := &plantest.Journal{Err: errors.New("disk full")}
	err := planner.Apply(context.Background(), p, plantest.NewFake(), st, j, nil, planner.ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "preserve_failed_files") {
		t.Fatalf("error %v", err)
	}
	if r := st.Recoveries["db01-outage"]; r != nil && len(r.Steps) > 0 {
		t.Errorf("a step reached the state without reaching the journal: %v", r.Steps)
	}
}

func TestApplyHonoursCancellation(t *testing.T) {
	st := plantest.State(2)
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fake := plantest.NewFake()
	if err := planner.Apply(ctx, p, fake, st, nil, nil, planner.ApplyOptions{}); !errors.Is(err, context.Canceled) || len(fake.Ops()) != 0 {
		t.Errorf("error %v, %d operations", err, len(fake.Ops()))
	}
}
