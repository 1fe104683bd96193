package planner_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// ancestors returns, for every step, the steps it waits for directly or not.
func ancestors(p *planner.Plan) map[string]map[string]bool {
	deps := planner.WalkDependencies(p)
	out := make(map[string]map[string]bool, len(p.Steps))
	for _, s := range p.Steps { // plan order: every dependency is already closed
		a := map[string]bool{}
		for _, d := range deps[s.ID] {
			a[d] = true
			for x := range out[d] {
				a[x] = true
			}
		}
		out[s.ID] = a
	}
	return out
}

// optionPlans are a whole recovery (not started to complete) of each option.
func optionPlans(t *testing.T) map[string]*planner.Plan {
	caps := plantest.NewFake().Caps
	out := map[string]*planner.Plan{}
	p, _ := planner.Compute(plantest.Config(config.StageComplete), plantest.State(3), caps, planner.ComputeOptions{})
	out[config.OptionSameServer] = p
	for _, opt := range []string{config.OptionAlternateServer, config.OptionAlternateServerStay} {
		p, _ := planner.Compute(plantest.AltConfig(opt, config.StageComplete, true), plantest.AltState(3), caps, planner.ComputeOptions{})
		out[opt] = p
	}
	for opt, p := range out {
		if len(p.Steps) < 10 {
			t.Fatalf("%s: %d steps", opt, len(p.Steps))
		}
	}
	return out
}

// Within a recovery the graph keeps the plan's order exactly: every step waits for
// every earlier step of its recovery, except that a run of merges runs side by side.
func TestWalkGraphKeepsEachRecoveryInPlanOrder(t *testing.T) {
	for opt, p := range optionPlans(t) {
		t.Run(opt, func(t *testing.T) {
			anc := ancestors(p)
			merges := 0
			for i, s := range p.Steps {
				for _, e := range p.Steps[:i] {
					sibling := s.Parallel && e.Parallel
					if !sibling && !anc[s.ID][e.ID] {
						t.Errorf("%s does not wait for %s, before it in the plan", s.ID, e.ID)
					}
				}
				for _, d := range planner.WalkDependencies(p)[s.ID] {
					if slices.IndexFunc(p.Steps[:i], func(x *planner.Step) bool { return x.ID == d }) < 0 {
						t.Errorf("%s waits for %s, which is not before it", s.ID, d)
					}
				}
				if s.Parallel {
					merges++
				}
			}
			if merges < 3 {
				t.Errorf("%d merges", merges)
			}
		})
	}
}

// A one-at-a-time walk of one recovery runs its steps in plan order, as apply did
// before the graph (the crash harness relies on it).
func TestWalkOfOneRecoveryFollowsThePlan(t *testing.T) {
	for opt, p := range optionPlans(t) {
		t.Run(opt, func(t *testing.T) {
			var st *state.State
			if opt == config.OptionSameServer {
				st = plantest.State(3)
			} else {
				st = plantest.AltState(3)
			}
			fake := plantest.NewFake()
			_ = planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 1})
			ops := fake.Ops()
			if len(ops) == 0 {
				t.Fatal("nothing ran")
			}
			for i, op := range ops {
				if want := p.Steps[i].Operation; op.Kind != want.Kind || op.Database != want.Database || op.Mailbox != want.Mailbox {
					t.Fatalf("operation %d is %s %s%s, the plan's step is %s", i, op.Kind, op.Database, op.Mailbox, p.Steps[i].ID)
				}
			}
		})
	}
}

// In a site failure the recoveries do not wait for each other to reach dial tone;
// their recovery databases, one mounted per server, do.
func TestWalkGraphSiteFailure(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 3, 2, config.StageDialTone)
	p := mustPlan(t, cfg, st)
	anc := ancestors(p)
	for _, s := range p.Steps {
		for a := range anc[s.ID] {
			if !strings.HasPrefix(a, "recovery."+s.Recovery+".") {
				t.Errorf("dial tone: %s waits for %s of another recovery", s.ID, a)
			}
		}
	}

	cfg, st = plantest.SiteFailure(2, 3, 2, config.StageMerged)
	p = mustPlan(t, cfg, st)
	anc = ancestors(p)
	mounts := map[string][]*planner.Step{} // server -> RDB mounts, plan order
	for _, s := range p.Steps {
		if op := s.Operation; op.Kind == providers.OpMountDatabase && strings.HasPrefix(op.Database, "R") {
			mounts[op.Server] = append(mounts[op.Server], s)
		}
	}
	if len(mounts) != 2 {
		t.Fatalf("recovery database mounts on %d servers", len(mounts))
	}
	for srv, ms := range mounts {
		if len(ms) < 3 {
			t.Fatalf("%s: %d recovery database mounts", srv, len(ms))
		}
		for i, m := range ms {
			for _, e := range ms[:i] {
				if e.Operation.Database != m.Operation.Database && !anc[m.ID][e.ID] {
					t.Errorf("%s: %s does not wait for %s (one mounted recovery database per server)", srv, m.ID, e.ID)
				}
			}
		}
	}
	// Recoveries on different servers never wait for each other.
	for _, s := range p.Steps {
		for a := range anc[s.ID] {
			if srvOf(s.Recovery) != srvOf(strings.Split(a, ".")[1]) {
				t.Errorf("%s waits for %s on another server", s.ID, a)
			}
		}
	}
}

// srvOf is the server number of a SiteFailure recovery (db0102-outage: 01).
func srvOf(rec string) string { return rec[2:4] }

// Each rule across recoveries, on a hand-made plan: what shares a server's slots,
// count, disk or rebuild, or a database, keeps plan order; nothing else does.
func TestWalkGraphRulesAcrossRecoveries(t *testing.T) {
	step := func(rec, key string, op providers.Operation) *planner.Step {
		return &planner.Step{ID: "recovery." + rec + "." + key, Recovery: rec, Operation: op}
	}
	cases := []struct {
		name  string
		first providers.Operation
		then  providers.Operation
		waits bool
	}{
		{"mount after a dismount on the server", providers.Operation{Kind: providers.OpDismountDatabase, Database: "X", Server: "EX01"},
			providers.Operation{Kind: providers.OpMountDatabase, Database: "Y", Server: "EX01"}, true},
		{"mount after a dismount on another server", providers.Operation{Kind: providers.OpDismountDatabase, Database: "X", Server: "EX02"},
			providers.Operation{Kind: providers.OpMountDatabase, Database: "Y", Server: "EX01"}, false},
		{"mount after a mount", providers.Operation{Kind: providers.OpMountDatabase, Database: "X", Server: "EX01"},
			providers.Operation{Kind: providers.OpMountDatabase, Database: "Y", Server: "EX01"}, false},
		{"create after a removal", providers.Operation{Kind: providers.OpRemoveDatabase, Database: "X", Server: "EX01"},
			providers.Operation{Kind: providers.OpCreateDatabase, Database: "Y", Server: "EX01"}, true},
		{"copy after a deletion", providers.Operation{Kind: providers.OpDeleteFiles, Database: "X", Server: "EX01"},
			providers.Operation{Kind: providers.OpCopyFiles, Database: "Y", Server: "EX02", DestServer: "EX01"}, true},
		{"rehome after a deletion", providers.Operation{Kind: providers.OpDeleteFiles, Database: "X", Server: "EX01"},
			providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "Y", Target: "Z"}, false},
		{"anything on a server after its rebuild", providers.Operation{Kind: providers.OpRecoverServer, Server: "EX01"},
			providers.Operation{Kind: providers.OpReplayLogs, Database: "Y", Server: "EX01"}, true},
		{"the same database", providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "X", Target: "Y"},
			providers.Operation{Kind: providers.OpSetExcludedFromProvisioning, Database: "Y"}, true},
		{"other databases", providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "X", Target: "Y"},
			providers.Operation{Kind: providers.OpSetExcludedFromProvisioning, Database: "Z"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := step("a", "one", c.first), step("b", "two", c.then)
			p := &planner.Plan{Steps: []*planner.Step{a, b}}
			got := slices.Contains(planner.WalkDependencies(p)[b.ID], a.ID)
			if got != c.waits {
				t.Errorf("waits = %t, want %t", got, c.waits)
			}
		})
	}
}

// Clean-ups on one server run in plan order: a delete judges which folders it may remove
// by the other databases' files in them, so two recoveries' deletions there never run
// side by side (the outcome would depend on which finished first).
func TestWalkGraphOrdersDeletionsOnAServer(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 3, 2, config.StageComplete)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	anc := ancestors(p)
	n := 0
	for i, a := range p.Steps {
		for _, b := range p.Steps[:i] {
			if a.Operation.Kind != providers.OpDeleteFiles || b.Operation.Kind != providers.OpDeleteFiles ||
				!strings.EqualFold(a.Operation.Server, b.Operation.Server) {
				continue
			}
			n++
			if !anc[a.ID][b.ID] {
				t.Errorf("%s may run beside %s (both delete on %s)", a.ID, b.ID, a.Operation.Server)
			}
		}
	}
	if n == 0 {
		t.Fatal("no two deletions on one server in the site failure plan")
	}
}
