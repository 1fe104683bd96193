package planner_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// Two recoveries of databases lost with EX01 (alternate_server to EX02): the plan
// rebuilds EX01 once, in the first recovery (priority), with the drives of both
// databases; the other recovery's first step on EX01 waits for that rebuild, no
// precondition fails, and -target of the second recovery alone keeps a rebuild of its own.
func TestServerRebuiltOnce(t *testing.T) {
	cfg, st := plantest.AltPair(config.StageRestored, 3)
	cfg.Databases["DB02"].LogFolderPath = `G:\Logs\DB02`
	p := mustPlan(t, cfg, st)
	var rebuilds []*planner.Step
	for _, s := range p.Steps {
		if s.Operation.Kind == providers.OpRecoverServer {
			rebuilds = append(rebuilds, s)
		}
	}
	if len(rebuilds) != 1 || rebuilds[0].ID != "recovery.db01-outage.recover_server" {
		t.Fatalf("rebuilds %v, want recovery.db01-outage.recover_server only", rebuilds)
	}
	if !strings.Contains(rebuilds[0].Operation.Instructions, "(D:, G:)") {
		t.Errorf("the rebuild keeps the drives of DB01 only: %s", rebuilds[0].Operation.Instructions)
	}
	if f := p.FailedPreconditions(); len(f) != 0 {
		t.Errorf("failed %q", f)
	}
	by := planner.RebuiltBy(p)
	var waiting []string
	for s, r := range by {
		if r != rebuilds[0] {
			t.Errorf("%s waits for %s", s.ID, r.ID)
		}
		waiting = append(waiting, s.ID)
	}
	if len(waiting) != 1 || waiting[0] != "recovery.db02-outage.preserve_failed_files" {
		t.Errorf("steps waiting for the rebuild of another recovery: %v", waiting)
	}
	for id, deps := range planner.WalkDependencies(p) {
		if strings.HasPrefix(id, "recovery.db02-outage.") && strings.Contains(id, "preserve") && !contains(deps, rebuilds[0].ID) {
			t.Errorf("%s does not wait for the rebuild: %v", id, deps)
		}
	}

	tp, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{Targets: []config.Addr{{Kind: config.KindRecovery, Name: "db02-outage"}}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if _, s := findStep(tp, "recover_server"); s == nil || s.Recovery != "db02-outage" {
		t.Errorf("-target=recovery.db02-outage: rebuild %+v", s)
	}
}

// Applied: apply pauses at the one rebuild; once it is done and confirmed, both
// recoveries reach their stage and the journal holds that rebuild only, as before the
// plan showed it once (the second was planned away once the server was up).
func TestServerRebuiltOnceApplied(t *testing.T) {
	cfg, st := plantest.AltPair(config.StageRestored, 3)
	var paused []string
	for round := 0; ; round++ {
		if round > 5 {
			t.Fatalf("not at stage restored after 5 rounds; paused at %v", paused)
		}
		p := mustPlan(t, cfg, st)
		if !p.HasChanges() {
			break
		}
		err := applyAll(p, st)
		var me *planner.ManualStepError
		switch {
		case err == nil:
			continue
		case !errors.As(err, &me):
			t.Fatal(err)
		}
		paused = append(paused, me.Step.ID)
		for _, m := range me.More {
			paused = append(paused, m.ID)
		}
		if me.Step.Operation.Kind == providers.OpRecoverServer {
			st.Servers[me.Step.Operation.Server].Up = true
		}
		changes, err := planner.Confirm(p, st, me.Step.ID, "admin@host", time.Unix(1e9, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			st.ApplyChange(c)
		}
	}
	rebuilds := 0
	for _, id := range paused {
		if strings.HasSuffix(id, ".recover_server") {
			rebuilds++
		}
	}
	if rebuilds != 1 {
		t.Errorf("apply paused at %v: %d rebuilds, want one", paused, rebuilds)
	}
	for _, name := range []string{"db01-outage", "db02-outage"} {
		r := st.Recoveries[name]
		if r.Stage != config.StageRestored {
			t.Errorf("%s at %s", name, r.Stage)
		}
		_, own := r.Steps["recovery."+name+".recover_server"]
		if own != (name == "db01-outage") {
			t.Errorf("%s: its own rebuild recorded %v", name, own)
		}
	}
}
