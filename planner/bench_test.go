package planner_test

import (
	"fmt"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/state"
)

// BenchmarkPlanSiteFailure plans a site failure: 50 databases on 10 servers, 12,500
// mailboxes, every recovery from not started to complete (12,500 merge steps).
func BenchmarkPlanSiteFailure(b *testing.B) {
	cfg, st := plantest.SiteFailure(10, 5, 250, config.StageComplete)
	caps := plantest.NewFake().Caps
	b.ReportAllocs()
	for b.Loop() {
		p, _ := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
		if len(p.Steps) < 12500 {
			b.Fatalf("%d steps", len(p.Steps))
		}
	}
}

// BenchmarkPlanNoChange plans an organization of 200 servers, 2,000 databases and
// 500,000 mailboxes in which every recovery is at its requested stage.
func BenchmarkPlanNoChange(b *testing.B) {
	cfg, st := plantest.SiteFailure(200, 10, 250, config.StageDialTone)
	for name := range cfg.Recoveries {
		st.Recoveries[name] = &state.Recovery{Name: name, Stage: config.StageDialTone}
	}
	caps := plantest.NewFake().Caps
	b.ReportAllocs()
	for b.Loop() {
		p, _ := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
		if p.HasChanges() {
			b.Fatal("changes")
		}
	}
}

func BenchmarkStaleReasonsLargeOrg(b *testing.B) {
	cfg, st := plantest.SiteFailure(200, 10, 250, config.StageDialTone)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	digest := cfg.Digest()
	b.ReportAllocs()
	for b.Loop() {
		if r := planner.StaleReasons(p, st, planner.StaleOptions{ConfigDigest: digest}); len(r) != 0 {
			b.Fatal(fmt.Sprint(r))
		}
	}
}

// noChange is an organization of servers servers, ten databases each, 250 mailboxes
// per database, every recovery at its requested stage.
func noChange(servers int) (*config.Config, *state.State) {
	cfg, st := plantest.SiteFailure(servers, 10, 250, config.StageDialTone)
	for name := range cfg.Recoveries {
		st.Recoveries[name] = &state.Recovery{Name: name, Stage: config.StageDialTone}
	}
	return cfg, st
}

// BenchmarkPlanDoubling plans the no-change organization and the site failure at half
// and at full size: doubling must at most double the time.
func BenchmarkPlanDoubling(b *testing.B) {
	caps := plantest.NewFake().Caps
	for _, servers := range []int{100, 200} {
		cfg, st := noChange(servers)
		b.Run(fmt.Sprintf("no-change/mailboxes=%d", servers*2500), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				planner.Compute(cfg, st, caps, planner.ComputeOptions{})
			}
		})
	}
	for _, servers := range []int{5, 10} {
		cfg, st := plantest.SiteFailure(servers, 5, 250, config.StageComplete)
		b.Run(fmt.Sprintf("site-failure/mailboxes=%d", servers*1250), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				planner.Compute(cfg, st, caps, planner.ComputeOptions{})
			}
		})
	}
}

// TestBenchmarksSmall plans a tiny no-change organization and site failure, so that
// plain "go test" exercises the benchmark setups (no timing is checked).
func TestBenchmarksSmall(t *testing.T) {
	cfg, st := noChange(1)
	if p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{}); p == nil || p.HasChanges() {
		t.Fatal("the no-change organization has changes")
	}
	cfg, st = plantest.SiteFailure(2, 2, 3, config.StageComplete)
	if p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{}); p == nil || len(p.Steps) < 12 {
		t.Fatal("the site failure has no steps")
	}
}
