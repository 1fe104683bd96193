package render_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
)

// driftEstimatePlan is the example's complete plan with drift and estimates from a
// fixed history (deterministic).
func driftEstimatePlan(t testing.TB) *planner.Plan {
	before := plantest.State(4)
	after := plantest.State(4)
	after.Databases["DB02"].Mounted = false
	p := plan(t, plantest.Config(config.StageComplete), after)
	p.Drift = planner.DetectDrift(before, after)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := planner.History{Runs: []planner.HistoryRun{{ID: "r1", Steps: []planner.MeasuredStep{
		{Kind: providers.OpRehomeMailboxes, Mailboxes: 10, Started: t0, Duration: 20 * time.Second},
		{Kind: providers.OpMountDatabase, Started: t0, Duration: 30 * time.Second},
		{Kind: providers.OpMergeMailbox, Mailboxes: 1, Started: t0, Duration: time.Minute},
		{Kind: providers.OpMergeMailbox, Mailboxes: 1, Started: t0.Add(time.Minute), Duration: time.Minute},
	}}}}
	planner.Estimate(p, h, nil)
	return p
}

func TestDriftAndEstimatesRendered(t *testing.T) {
	p := driftEstimatePlan(t)
	txt := text(t, p, false)
	for _, want := range []string{
		"Changed outside dialtone since the last recorded state:\n  ~ database DB02 was dismounted\n",
		"Estimated durations (from 1 earlier run;",
		"  whole plan: ",
		"  outage window of recovery.db01-outage (",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	if !strings.HasPrefix(txt, "Changed outside dialtone") {
		t.Errorf("the drift section does not come first:\n%s", txt[:200])
	}
	var md bytes.Buffer
	if err := render.Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Changed outside dialtone since the last recorded state\n\n- database DB02 was dismounted", "### Estimated durations", "| | whole plan |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}

	p.Estimates = nil
	planner.Estimate(p, planner.History{}, nil)
	if txt := text(t, p, false); !strings.Contains(txt, "Estimated durations: no history to estimate from") {
		t.Errorf("no-history text:\n%s", txt)
	}
}

// History that measured none of the plan's step kinds gives no total: "not measured
// yet", never "whole plan: 0.0s" (issue 15).
func TestEstimatesNothingKnown(t *testing.T) {
	p := plan(t, plantest.Config(config.StageRestored), plantest.State(4))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := planner.History{Runs: []planner.HistoryRun{{ID: "r1", Steps: []planner.MeasuredStep{
		{Kind: providers.OpMergeMailbox, Mailboxes: 1, Started: t0, Duration: time.Minute},
	}}}}
	planner.Estimate(p, h, nil)
	if p.Estimates == nil || p.Estimates.NoHistory || p.Estimates.TotalSeconds != 0 {
		t.Fatalf("estimates %+v: the test needs history that measured none of the plan", p.Estimates)
	}
	txt := text(t, p, false)
	if !strings.Contains(txt, "  whole plan: not measured yet\n") || strings.Contains(txt, "0.0s") {
		t.Errorf("text:\n%s", txt)
	}
	var md bytes.Buffer
	if err := render.Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| whole plan | ") || !strings.Contains(md.String(), "| not measured yet |\n") || strings.Contains(md.String(), "0.0s") {
		t.Errorf("markdown:\n%s", md.String())
	}
}
