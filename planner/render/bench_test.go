package render_test

import (
	"io"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

func siteFailurePlan(b *testing.B) *planner.Plan {
	cfg, st := plantest.SiteFailure(10, 5, 250, config.StageComplete)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps)
	return p
}

// BenchmarkTextSiteFailure renders the 12,500-mailbox site failure plan as text.
func BenchmarkTextSiteFailure(b *testing.B) {
	p := siteFailurePlan(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := render.Text(io.Discard, p, render.TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONSiteFailure renders the same plan as the JSON document.
func BenchmarkJSONSiteFailure(b *testing.B) {
	p := siteFailurePlan(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := render.JSON(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
