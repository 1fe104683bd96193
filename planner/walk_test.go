package planner_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// The site failure's recoveries reach dial tone side by side, up to -parallelism.
func TestWalkRunsRecoveriesSideBySide(t *testing.T) {
	for _, par := range []int{1, 4, 10} {
		cfg, st := plantest.SiteFailure(2, 5, 3, config.StageDialTone)
		p := mustPlan(t, cfg, st)
		fake := plantest.NewFake()
		fake.Delay = 2 * time.Millisecond
		if err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: par}); err != nil {
			t.Fatal(err)
		}
		if fake.Peak() > par || (par > 1 && fake.Peak() < par) {
			t.Errorf("parallelism %d: peak %d operations at once", par, fake.Peak())
		}
		for name, r := range st.Recoveries {
			if r.Stage != config.StageDialTone {
				t.Errorf("parallelism %d: %s at %q", par, name, r.Stage)
			}
		}
	}
}

// Among ready steps the recovery with the lower priority goes first: one at a time,
// all its steps run before the others'.
func TestWalkPriorityChoosesAmongReadySteps(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 3, 2, config.StageDialTone)
	cfg.Recoveries["db0103-outage"].Priority = -1
	p := mustPlan(t, cfg, st)
	fake := plantest.NewFake()
	if err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 1}); err != nil {
		t.Fatal(err)
	}
	ops := fake.Ops()
	n := 0
	for _, s := range p.Steps {
		if s.Recovery == "db0103-outage" {
			n++
		}
	}
	for i, op := range ops[:n] {
		if !strings.Contains(op.Database+op.Target, "DB0103") {
			t.Errorf("operation %d (%s %s) is not of the first recovery by priority", i, op.Kind, op.Database)
		}
	}
}

// A failed step stops the steps that wait for it; the other recoveries reach their stage.
func TestWalkFailureStopsDependentsOnly(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 4, 2, config.StageDialTone)
	p := mustPlan(t, cfg, st)
	fake := plantest.NewFake()
	fake.Fail = func(op providers.Operation) error {
		if op.Kind == providers.OpCreateDatabase && op.Database == "DTDB0102" {
			return errors.New("Active Directory operation failed")
		}
		return nil
	}
	err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 4})
	if err == nil || !strings.Contains(err.Error(), "recovery.db0102-outage.create_dial_tone_database") {
		t.Fatalf("error %v", err)
	}
	for _, op := range fake.Ops() {
		if op.Target == "DTDB0102" || (op.Database == "DTDB0102" && op.Kind != providers.OpCreateDatabase) {
			t.Errorf("%s of DTDB0102 ran after its create failed", op.Kind)
		}
	}
	for name, r := range st.Recoveries {
		if want := name != "db0102-outage"; (r.Stage == config.StageDialTone) != want {
			t.Errorf("%s at %q", name, r.Stage)
		}
	}
}

// A manual step holds back only what waits for it; Apply says which step waits for a
// person once nothing else can run.
func TestWalkManualStepPausesOnlyItsDependents(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 3, 2, config.StageDialTone)
	p := mustPlan(t, cfg, st)
	var manual *planner.Step
	for _, s := range p.Steps {
		if s.Recovery == "db0102-outage" && s.Operation.Kind == providers.OpRehomeMailboxes {
			s.Manual, manual = true, s
		}
	}
	fake := plantest.NewFake()
	err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 2})
	var me *planner.ManualStepError
	if !errors.As(err, &me) || me.Step != manual || len(me.More) != 0 {
		t.Fatalf("error %v", err)
	}
	for _, op := range fake.Ops() {
		if op.Target == "DTDB0102" || op.Database == "DTDB0102" && op.Kind != providers.OpCreateDatabase {
			t.Errorf("%s ran past the manual step", op.Kind)
		}
	}
	for _, name := range []string{"db0101-outage", "db0103-outage"} {
		if r := st.Recoveries[name]; r == nil || r.Stage != config.StageDialTone {
			t.Errorf("%s did not reach dial tone beside the manual step: %+v", name, r)
		}
	}
}

// The journal is the same for the same plan: record for record with one step at a
// time; whatever the parallelism, the same changes (a stage mark rides with whichever
// step of its stage finishes last, so only which record holds it may differ).
func TestWalkJournalIsDeterministic(t *testing.T) {
	clock := func() time.Time { return time.Unix(1.8e9, 0).UTC() }
	run := func(par int) []string {
		cfg, st := plantest.SiteFailure(2, 3, 4, config.StageMerged)
		p := mustPlan(t, cfg, st)
		fake := plantest.NewFake()
		fake.Delay, fake.MergeDelay = time.Millisecond, time.Millisecond
		j := &plantest.Journal{}
		if err := planner.Apply(t.Context(), p, fake, st, j, nil, planner.ApplyOptions{Parallelism: par, Now: clock}); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range j.Records() {
			for _, c := range r {
				b, err := json.Marshal(c)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, string(b))
			}
			out = append(out, "--")
		}
		return out
	}
	one := run(1)
	if again := run(1); !reflect.DeepEqual(one, again) {
		t.Error("two one-at-a-time walks of the same plan journaled differently")
	}
	var sorted []string
	for _, c := range one {
		if c != "--" {
			sorted = append(sorted, c)
		}
	}
	sort.Strings(sorted)
	for _, par := range []int{4, 10} {
		var got []string
		for _, c := range run(par) {
			if c != "--" {
				got = append(got, c)
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(sorted, got) {
			for i := range got {
				if i < len(sorted) && got[i] != sorted[i] {
					t.Logf("%s\n%s", sorted[i], got[i])
					break
				}
			}
			t.Errorf("parallelism %d journaled other records than one at a time", par)
		}
	}
}

// With fewer slots than recoveries, the steps on the way to users' dial tone go before
// the steps after it (queues resubmitted, the failed database held): the last users do
// not wait for the first recoveries to finish their stage. One slot makes the choice
// deterministic: with two, a slot freed while only a later step is ready rightly takes it.
func TestWalkDialToneStepsGoFirst(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 4, 2, config.StageDialTone)
	p := planEX01LostToEX02(t, cfg, st)
	fake := plantest.NewFake()
	fake.Delay = time.Millisecond
	if err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 1}); err != nil {
		t.Fatal(err)
	}
	rehomes, after := 0, false
	for _, op := range fake.Ops() {
		switch op.Kind {
		case providers.OpRehomeMailboxes:
			rehomes++
			if after {
				t.Errorf("users of %s got dial tone after a step past another recovery's dial tone", op.Database)
			}
		case providers.OpResubmitQueues, providers.OpRehomeSystemMailboxes:
			after = true
		}
	}
	if rehomes != 4 {
		t.Errorf("%d re-homes", rehomes)
	}
}
