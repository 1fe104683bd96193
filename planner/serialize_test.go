package planner_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// crashBeforeHandOver applies a site failure of two recoveries on one server to stage
// merged and stops it, as a crash would, after db0101-outage's last merge and before it
// dismounts RDB0101 so that db0102-outage can mount RDB0102.
func crashBeforeHandOver(t *testing.T) (*config.Config, *state.State) {
	t.Helper()
	cfg, st := plantest.SiteFailure(1, 2, 2, config.StageMerged)
	p := mustPlan(t, cfg, st)
	fake := plantest.NewFake()
	crash := errors.New("killed before the dismount")
	dismounts := 0
	fake.Fail = func(op providers.Operation) error {
		// The first dismount of RDB0101 ends its restore (stage restored); the second
		// hands the server over after the merge.
		if op.Kind == providers.OpDismountDatabase && op.Database == "RDB0101" {
			if dismounts++; dismounts == 2 {
				return crash
			}
		}
		return nil
	}
	if err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 4}); !errors.Is(err, crash) {
		t.Fatalf("apply: %v, want the crash", err)
	}
	if db := st.Databases["RDB0101"]; db == nil || !db.Mounted {
		t.Fatalf("RDB0101 after the crash: %+v", db)
	}
	for id := range st.Recoveries["db0101-outage"].Steps {
		if strings.Contains(id, "dismount_recovery_database_after_merge") {
			t.Fatalf("%s recorded", id)
		}
	}
	return cfg, st
}

// A plan made after a crash between a recovery's last merge and the hand-over of the
// server's one mounted recovery database dismounts that database itself, before the
// next recovery mounts its own (it used to fail "no other recovery database is mounted
// on EX01 (RDB0101 is)"), whether the run goes on to stage merged (the dismount is
// added) or to complete (its clean-up's dismount moves forward), and the recoveries end
// with the same steps recorded as an uninterrupted run.
func TestRecoveryDatabaseHandOverAfterACrash(t *testing.T) {
	cfgBase, base := plantest.SiteFailure(1, 2, 2, config.StageMerged)
	if err := applyAll(mustPlan(t, cfgBase, base), base); err != nil {
		t.Fatal(err)
	}
	setStage(cfgBase, config.StageComplete)
	if err := applyAll(mustPlan(t, cfgBase, base), base); err != nil {
		t.Fatal(err)
	}
	for _, next := range []string{config.StageMerged, config.StageComplete} {
		t.Run(next, func(t *testing.T) {
			cfg, st := crashBeforeHandOver(t)
			setStage(cfg, next)
			p := mustPlan(t, cfg, st)
			if f := p.FailedPreconditions(); len(f) != 0 {
				t.Fatalf("failed %q", f)
			}
			pos := map[string]int{}
			for i, s := range p.Steps {
				pos[s.ID] = i
			}
			const dis, mount = "recovery.db0101-outage.dismount_recovery_database_after_merge", "recovery.db0102-outage.mount_recovery_database_for_merge"
			i, ok := pos[dis]
			if !ok || i > pos[mount] {
				t.Fatalf("dismount at %d (planned %v), mount at %d: %v", i, ok, pos[mount], stepIDs(p))
			}
			if d := p.Steps[i]; d.Stage != next || len(d.DependsOn) != 0 {
				t.Errorf("dismount stage %s, depends on %v", d.Stage, d.DependsOn)
			}
			if deps := planner.WalkDependencies(p)[mount]; !contains(deps, dis) {
				t.Errorf("the walk lets %s start before %s: it waits for %v", mount, dis, deps)
			}
			if err := applyAll(p, st); err != nil {
				t.Fatal(err)
			}
			setStage(cfg, config.StageComplete)
			if err := applyAll(mustPlan(t, cfg, st), st); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"db0101-outage", "db0102-outage"} {
				got, want := recordedIDs(st, name), recordedIDs(base, name)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s recorded %v, an uninterrupted run %v", name, got, want)
				}
				if st.Recoveries[name].Stage != config.StageComplete {
					t.Errorf("%s at %s", name, st.Recoveries[name].Stage)
				}
			}
		})
	}
}

func setStage(cfg *config.Config, stage string) {
	for _, r := range cfg.Recoveries {
		r.Stage = stage
	}
}

// The plan dismounts only a recovery database of its own recoveries, and only once its
// recovery's merge is done: a foreign one, or one whose merge is still to come, keeps
// the server and the precondition refuses the plan.
func TestRecoveryDatabaseHandOverRefused(t *testing.T) {
	const want = "recovery.db0102-outage.mount_recovery_database_for_merge: no other recovery database is mounted on EX01 "
	t.Run("foreign recovery database", func(t *testing.T) {
		cfg, st := crashBeforeHandOver(t)
		st.Databases["RDBX"] = &state.Database{Name: "RDBX", Server: "EX01", Recovery: true, Mounted: true, FilesOK: true, Clean: true}
		p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 1 || f[0] != want+"(RDBX is)" {
			t.Errorf("failed %q", f)
		}
		for _, s := range p.Steps {
			if s.Operation.Kind == providers.OpDismountDatabase && s.Operation.Database == "RDBX" {
				t.Errorf("the plan dismounts a recovery database it does not own: %s", s.ID)
			}
		}
	})
	t.Run("merge not done", func(t *testing.T) {
		// db0101-outage is killed during its merges, then put after db0102-outage: its
		// recovery database is mounted and still to be merged from when db0102-outage
		// would mount its own.
		cfg, st := plantest.SiteFailure(1, 2, 2, config.StageMerged)
		p := mustPlan(t, cfg, st)
		fake := plantest.NewFake()
		crash := errors.New("killed in a merge")
		fake.Fail = func(op providers.Operation) error {
			if op.Kind == providers.OpMergeMailbox && op.Mailbox == "db0101-user0002@contoso.com" {
				return crash
			}
			return nil
		}
		if err := planner.Apply(context.Background(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{}); !errors.Is(err, crash) {
			t.Fatalf("apply: %v", err)
		}
		cfg.Recoveries["db0101-outage"].Priority = 200
		cfg.Recoveries["db0102-outage"].Priority = 10
		p, _ = planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 1 || f[0] != want+"(RDB0101 is)" {
			t.Errorf("failed %q", f)
		}
		merge, dismount := -1, -1
		for i, s := range p.Steps {
			switch {
			case s.Operation.Kind == providers.OpMergeMailbox && s.Operation.Source == "RDB0101":
				merge = i
			case s.Operation.Kind == providers.OpDismountDatabase && s.Operation.Database == "RDB0101" && dismount < 0:
				dismount = i
			}
		}
		if merge < 0 || (dismount >= 0 && dismount < merge) {
			t.Errorf("RDB0101's merge at %d, its dismount at %d: %v", merge, dismount, stepIDs(p))
		}
	})
}

func recordedIDs(st *state.State, rec string) []string {
	var ids []string
	for id := range st.Recoveries[rec].Steps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
