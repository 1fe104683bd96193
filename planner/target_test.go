package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

func addr(t *testing.T, s string) config.Addr {
	t.Helper()
	a, err := planner.ParseTargetAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func recoveriesOf(p *planner.Plan) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if !seen[s.Recovery] {
			seen[s.Recovery] = true
			out = append(out, s.Recovery)
		}
	}
	return out
}

func TestTargetPullsInRDBSerialization(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 2, 2, config.StageMerged)
	full := mustPlan(t, cfg, st)

	// The second recovery on EX01 waits for the first's dismount: it pulls it in.
	p, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{Targets: []config.Addr{addr(t, "recovery.db0102-outage")}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !p.Partial || strings.Join(p.Targets, ",") != "recovery.db0102-outage" {
		t.Errorf("partial %v targets %v", p.Partial, p.Targets)
	}
	if got := strings.Join(recoveriesOf(p), ","); got != "db0101-outage,db0102-outage" {
		t.Errorf("recoveries = %s", got)
	}
	if len(p.PulledIn) != 1 || p.PulledIn[0].Recovery != "recovery.db0101-outage" ||
		!strings.Contains(p.PulledIn[0].Reason, "recovery.db0101-outage.dismount_recovery_database_after_merge") ||
		!strings.Contains(p.PulledIn[0].Reason, "one recovery database mounted on EX01 at a time") {
		t.Errorf("pulled in = %+v", p.PulledIn)
	}
	for _, s := range p.Steps {
		if strings.HasPrefix(s.Recovery, "db02") {
			t.Errorf("step of another server: %s", s.ID)
		}
	}
	if len(p.Outages) == 0 || len(p.Steps) >= len(full.Steps) {
		t.Errorf("outages %d, steps %d of %d", len(p.Outages), len(p.Steps), len(full.Steps))
	}

	// The first recovery alone needs nothing else; database.X names its recovery.
	p, diags = planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{Targets: []config.Addr{addr(t, "database.DB0101")}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := strings.Join(recoveriesOf(p), ","); got != "db0101-outage" || len(p.PulledIn) != 0 || len(p.Notes) != 0 {
		t.Errorf("recoveries = %s, pulled in %v, notes %v", got, p.PulledIn, p.Notes)
	}

	// Excluding what a target needs is refused, naming both.
	_, diags = planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{
		Targets: []config.Addr{addr(t, "recovery.db0102-outage")}, Excludes: []config.Addr{addr(t, "database.DB0101")}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Excluded recovery is needed") || !strings.Contains(diags.Error(), "recovery.db0102-outage") {
		t.Errorf("diags = %v", diags)
	}

	// Excludes alone drop recoveries nobody needs.
	p, diags = planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{Excludes: []config.Addr{addr(t, "recovery.db0202-outage")}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := strings.Join(recoveriesOf(p), ","); got != "db0101-outage,db0102-outage,db0201-outage" || !p.Partial || len(p.Excludes) != 1 {
		t.Errorf("recoveries = %s", got)
	}
}

func TestTargetErrors(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 2, 2, config.StageDialTone)
	for _, c := range []struct {
		opts planner.ComputeOptions
		want string
	}{
		{planner.ComputeOptions{Targets: []config.Addr{{Kind: "recovery", Name: "nosuch"}}}, `no recovery "nosuch" is declared`},
		{planner.ComputeOptions{Targets: []config.Addr{{Kind: "database", Name: "DB99"}}}, `no recovery recovers database "DB99"`},
		{planner.ComputeOptions{Targets: []config.Addr{{Kind: "recovery", Name: "db0101-outage"}}, Excludes: []config.Addr{{Kind: "database", Name: "DB0101"}}}, "both name recovery.db0101-outage"},
	} {
		_, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, c.opts)
		if !strings.Contains(diags.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.opts, diags, c.want)
		}
	}
	if _, err := planner.ParseTargetAddr("server.EX01"); err == nil {
		t.Error("server.EX01 accepted as a target")
	}
}

func TestStaleNamesConfigFiles(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	cfg.Sources = map[string][]byte{"a.hcl": []byte("a"), "b.hcl": []byte("b"), "c.hcl": []byte("c")}
	st := plantest.State(20)
	p := mustPlan(t, cfg, st)
	if len(p.ConfigFiles) != 3 {
		t.Fatalf("config files = %v", p.ConfigFiles)
	}
	if r := planner.StaleReasons(p, st, planner.StaleOptions{Config: cfg}); len(r) != 0 {
		t.Fatalf("fresh plan stale: %v", r)
	}
	cfg.Sources = map[string][]byte{"a.hcl": []byte("a2"), "c.hcl": []byte("c"), "d.dtvars": []byte("x = 1")}
	got := strings.Join(planner.StaleReasons(p, st, planner.StaleOptions{Config: cfg}), "\n")
	want := "configuration file a.hcl changed\nconfiguration file b.hcl removed since the plan\nconfiguration file d.dtvars added since the plan"
	if got != want {
		t.Errorf("reasons\n%s\nwant\n%s", got, want)
	}
}
