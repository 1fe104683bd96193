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
		p, _ := planner.Compute(cfg, st, caps)
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
		p, _ := planner.Compute(cfg, st, caps)
		if p.HasChanges() {
			b.Fatal("changes")
		}
	}
}

func BenchmarkStaleReasonsLargeOrg(b *testing.B) {
	cfg, st := plantest.SiteFailure(200, 10, 250, config.StageDialTone)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps)
	digest := cfg.Digest()
	b.ReportAllocs()
	for b.Loop() {
		if r := planner.StaleReasons(p, digest, st); len(r) != 0 {
			b.Fatal(fmt.Sprint(r))
		}
	}
}
