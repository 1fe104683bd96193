package render_test

import (
	"io"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

func siteFailurePlan(b testing.TB) *planner.Plan {
	cfg, st := plantest.SiteFailure(10, 5, 250, config.StageComplete)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
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

// BenchmarkMarkdownSiteFailure renders the same plan as a pull-request comment.
func BenchmarkMarkdownSiteFailure(b *testing.B) {
	p := siteFailurePlan(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := render.Markdown(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchmarksSmall renders a small site failure in every benchmarked format, so that
// plain "go test" exercises the benchmark paths (no timing is checked).
func TestBenchmarksSmall(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 2, 3, config.StageComplete)
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	for _, r := range []func(io.Writer, *planner.Plan) error{
		func(w io.Writer, p *planner.Plan) error { return render.Text(w, p, render.TextOptions{}) },
		render.JSON, render.Markdown,
	} {
		if err := r(io.Discard, p); err != nil {
			t.Fatal(err)
		}
	}
}
