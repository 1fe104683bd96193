package planner_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/state"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// mustPlan plans and fails the test on error diagnostics.
func mustPlan(t testing.TB, cfg *config.Config, st *state.State) *planner.Plan {
	t.Helper()
	p, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	return p
}

// stateAt returns the example state moved to stage by applying a plan with the fake
// provider, so that it holds what a real run records (steps, stage, effects).
func stateAt(t testing.TB, stage string, mailboxes int) *state.State {
	t.Helper()
	st := plantest.State(mailboxes)
	if stage == config.StageNone {
		return st
	}
	p := mustPlan(t, plantest.Config(stage), st)
	if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, &plantest.Journal{}, nil, planner.ApplyOptions{}); err != nil {
		t.Fatalf("apply to %s: %v", stage, err)
	}
	if got := st.Recoveries["db01-outage"].Stage; got != stage {
		t.Fatalf("state at stage %q, want %q", got, stage)
	}
	return st
}

func stepIDs(p *planner.Plan) []string {
	ids := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		ids[i] = s.ID
	}
	return ids
}

func findStep(p *planner.Plan, suffix string) (int, *planner.Step) {
	for i, s := range p.Steps {
		if strings.HasSuffix(s.ID, "."+suffix) {
			return i, s
		}
	}
	return -1, nil
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got ---\n%s", path, got)
	}
}

func hasDiag(diags hcl.Diagnostics, sev hcl.DiagnosticSeverity, summary string) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Severity == sev && d.Summary == summary {
			return d
		}
	}
	return nil
}

type (
	stateT  = state.State
	dbT     = state.Database
	serverT = state.Server
)

func applyAll(p *planner.Plan, st *state.State) error {
	return planner.Apply(context.Background(), p, plantest.NewFake(), st, &plantest.Journal{}, nil, planner.ApplyOptions{})
}

// planEX01LostToEX02 plans a site failure's loss of EX01 alone: each of its
// databases an alternate_server recovery with dial tone on EX02, the other servers'
// recoveries dropped (the walk and estimate tests' many recoveries on one server pair).
func planEX01LostToEX02(t testing.TB, cfg *config.Config, st *state.State) *planner.Plan {
	t.Helper()
	st.Servers["EX01"].Up = false
	for name, r := range cfg.Recoveries {
		if r.Database.Name[2:4] != "01" {
			delete(cfg.Recoveries, name)
			continue
		}
		r.Option = config.OptionAlternateServer
		r.DialTone.Server = config.Addr{Kind: config.KindServer, Name: "EX02"}
	}
	return mustPlan(t, cfg, st)
}
