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
	p.Drift = planner.DetectDrift(before, after, planner.DriftOptions{})
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

// TestTimelineEstimated: with an estimate for every phase the timeline is in estimated
// seconds (each step its share of its phase), the first table gives each window's
// estimate; with a phase never measured it falls back to one tick per step, saying so.
func TestTimelineEstimated(t *testing.T) {
	p := plan(t, plantest.Config(config.StageComplete), plantest.State(4))
	p.Estimates = &planner.Estimates{Runs: 2}
	steps := map[planner.Phase]int{}
	for _, s := range p.Steps {
		steps[s.Phase]++
	}
	for _, ph := range []planner.Phase{planner.PhaseRestoreService, planner.PhaseRestoreData, planner.PhaseSwap, planner.PhaseMerge, planner.PhaseCleanUp} {
		if steps[ph] > 0 {
			p.Estimates.Phases = append(p.Estimates.Phases, planner.PhaseEstimate{Recovery: "db01-outage", Phase: ph, Steps: steps[ph], Seconds: float64(10 * steps[ph])})
		}
	}
	for _, o := range p.Outages {
		p.Estimates.Outages = append(p.Estimates.Outages, planner.OutageEstimate{Recovery: o.Recovery, FromStep: o.FromStep, ToStep: o.ToStep, Seconds: 50})
	}
	out := markdown(t, p)
	for _, want := range []string{
		"  title Estimated seconds from the start of apply, steps in apply order (from 2 earlier runs)\n",
		"  without service since the failure :crit, 0, 50\n", // five steps of 10 s
		"  Restore service :0, 70\n", // and the hold on the failed database and the resubmit after it
		"since the failure until step 5 `mount_dial_tone_database` (these steps: about 50s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	p.Estimates.Phases = p.Estimates.Phases[1:] // restore service never measured
	if out := markdown(t, p); !strings.Contains(out, "  title One tick per step, in apply order (not every phase has been measured yet)\n") {
		t.Error("a phase without an estimate does not fall back to one tick per step")
	}
}

// The time to the last user's dial tone and the -parallelism hint: with durations from
// history, with turns only, and with a provider that runs no more at once.
func TestDialToneHintRendered(t *testing.T) {
	p := plan(t, plantest.Config(config.StageDialTone), plantest.State(4))
	for _, c := range []struct {
		est  planner.Estimates
		want []string
	}{
		{planner.Estimates{Runs: 1, DialTone: &planner.DialToneEstimate{Recoveries: 50, Parallelism: 10, Slots: 10, Waves: 5, Seconds: 775,
			AtParallelism: 50, AtSlots: 50, AtWaves: 1, AtSeconds: 155}},
			[]string{"  last user's dial tone: 12m55s (50 recoveries wait for dial tone, 10 at a time with -parallelism=10: 5 turns)\n",
				"  hint: -parallelism=50 would give 2m35s (50 at a time: 1 turn)\n"}},
		{planner.Estimates{NoHistory: true, DialTone: &planner.DialToneEstimate{Recoveries: 50, Parallelism: 10, Slots: 10, Waves: 5,
			AtParallelism: 12, AtSlots: 12, AtWaves: 5}},
			[]string{"Estimated durations: no history to estimate from (no earlier apply or drill has measured these steps).\n  last user's dial tone: 5 turns of one recovery's path (50 recoveries wait for dial tone, 10 at a time with -parallelism=10: 5 turns)\n",
				"  hint: -parallelism=12 would run 12 at a time, still 5 turns: the provider carries out at most 12 operations at once\n"}},
		{planner.Estimates{NoHistory: true, DialTone: &planner.DialToneEstimate{Recoveries: 20, Parallelism: 10, Slots: 10, Waves: 2,
			AtParallelism: 12, AtSlots: 12, AtWaves: 2}},
			[]string{"  hint: -parallelism=12 would run 12 at a time, still 2 turns: the provider carries out at most 12 operations at once\n"}},
		{planner.Estimates{NoHistory: true, DialTone: &planner.DialToneEstimate{Recoveries: 20, Parallelism: 5, Slots: 5, Waves: 4,
			AtParallelism: 12, AtSlots: 12, AtWaves: 2}},
			[]string{"  hint: -parallelism=12 would run 12 at a time: 2 turns\n"}},
		{planner.Estimates{Runs: 1, DialTone: &planner.DialToneEstimate{Recoveries: 50, Parallelism: 50, Slots: 12, Waves: 5, Seconds: 775, Partial: true}},
			[]string{"  last user's dial tone: at least 12m55s (50 recoveries wait for dial tone, 12 at a time, the provider's most, with -parallelism=50: 5 turns)\n",
				"  hint: a higher -parallelism runs no more at once here: the provider carries out at most 12 operations at once\n"}},
	} {
		e := c.est
		p.Estimates = &e
		txt := text(t, p, false)
		for _, want := range c.want {
			if !strings.Contains(txt, want) {
				t.Errorf("text lacks %q:\n%s", want, txt[strings.Index(txt, "Estimated"):])
			}
		}
		var md bytes.Buffer
		if err := render.Markdown(&md, p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "- last user's dial tone: ") || !strings.Contains(md.String(), "- hint: ") {
			t.Errorf("markdown lacks the time to dial tone:\n%s", md.String())
		}
	}
}
