package planner_test

import (
	"math"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// siteDialTonePlan is a site failure of n alternate_server recoveries onto one server,
// with a history that measured every step kind of its dial_tone stage: each kind its
// own duration, so that a path is not a multiple of one figure.
func siteDialTonePlan(t *testing.T, n int) (*planner.Plan, planner.History) {
	cfg, st := plantest.SiteFailure(2, n, 2, config.StageDialTone)
	p := planEX01LostToEX02(t, cfg, st)
	var steps []planner.MeasuredStep
	seen := map[providers.OpKind]bool{}
	for _, s := range p.Steps {
		if k := s.Operation.Kind; !seen[k] {
			seen[k] = true
			steps = append(steps, planner.MeasuredStep{Kind: k, Duration: time.Duration(7+3*len(seen)) * time.Second})
		}
	}
	return p, planner.History{Runs: []planner.HistoryRun{{ID: "r1", Steps: steps}}}
}

// pathSeconds is the longest estimated outage window (a recovery's steps up to its
// dial tone) and their sum.
func pathSeconds(p *planner.Plan) (longest, sum float64) {
	for _, o := range p.Estimates.Outages {
		longest, sum = max(longest, o.Seconds), sum+o.Seconds
	}
	return longest, sum
}

// With more recoveries than slots, the estimate walks the plan as apply does: one slot
// gives the sum of every recovery's path to dial tone (the walk takes the steps on the
// way to dial tone first), as many slots as recoveries gives the longest path, and the
// turns are the recoveries over the slots.
func TestEstimateTimeToLastDialTone(t *testing.T) {
	p, h := siteDialTonePlan(t, 6)
	planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: 1})
	d := p.Estimates.DialTone
	if d == nil {
		t.Fatal("6 recoveries at -parallelism=1: no estimate of the last user's dial tone")
	}
	longest, sum := pathSeconds(p)
	if len(p.Estimates.Outages) != 6 || longest <= 0 {
		t.Fatalf("outage windows %+v", p.Estimates.Outages)
	}
	if d.Recoveries != 6 || d.Slots != 1 || d.Waves != 6 || d.Partial {
		t.Errorf("estimate %+v", d)
	}
	if math.Abs(d.Seconds-sum) > 1e-6 {
		t.Errorf("one slot: last dial tone after %.1fs, the paths add up to %.1fs", d.Seconds, sum)
	}
	if d.AtParallelism != 6 || d.AtSlots != 6 || d.AtWaves != 1 || math.Abs(d.AtSeconds-longest) > 1e-6 {
		t.Errorf("all at once: %+v, the longest path is %.1fs", d, longest)
	}

	planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: 4})
	if d := p.Estimates.DialTone; d == nil || d.Waves != 2 || d.Seconds < 2*longest-1e-6 || d.Seconds >= sum || d.AtSeconds != longest {
		t.Errorf("-parallelism=4: %+v (longest path %.1fs, sum %.1fs)", d, longest, sum)
	}
	planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: 6})
	if d := p.Estimates.DialTone; d != nil {
		t.Errorf("every recovery at once: %+v", d)
	}
	planner.Estimate(p, h, nil)
	if d := p.Estimates.DialTone; d != nil {
		t.Errorf("no parallelism given: %+v", d)
	}
}

// A provider that carries out fewer operations at once than -parallelism sets the
// slots; when it cannot run more, no -parallelism is suggested. With no history, only
// the turns are given.
func TestEstimateDialToneProviderSlots(t *testing.T) {
	p, h := siteDialTonePlan(t, 6)
	three := func(n int) int { return min(n, 3) }
	planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: 10, Slots: three})
	d := p.Estimates.DialTone
	if d == nil || d.Parallelism != 10 || d.Slots != 3 || d.Waves != 2 || d.AtParallelism != 0 || d.Seconds <= 0 {
		t.Fatalf("pool of 3 at -parallelism=10: %+v", d)
	}
	planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: 2, Slots: three})
	if d := p.Estimates.DialTone; d == nil || d.Slots != 2 || d.AtParallelism != 3 || d.AtWaves != 2 || d.AtSeconds >= d.Seconds {
		t.Errorf("pool of 3 at -parallelism=2: %+v", d)
	}
	planner.EstimateWith(p, planner.History{}, nil, planner.EstimateOptions{Parallelism: 4})
	if d := p.Estimates.DialTone; !p.Estimates.NoHistory || d == nil || d.Waves != 2 || d.Seconds != 0 || d.AtParallelism != 6 {
		t.Errorf("no history: %+v", d)
	}
}

// The site failure of the bench (50 alternate_server recoveries, each step kind its
// Exchange time): the walk loses nothing to its order. At -parallelism=10 the last user
// has dial tone after exactly five recoveries' paths, the least that 50 paths in 10
// slots allow, although the steps after dial tone (system mailboxes, queues, the failed
// database held) share the slots; 12 slots (the exchange provider's pool) are five
// turns too, and 13 are four.
func TestEstimateSiteFailureLosesNothingToOrder(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 50, 2, config.StageDialTone)
	p := planEX01LostToEX02(t, cfg, st)
	exchange := map[providers.OpKind]time.Duration{ // the lab's latency = "exchange" table
		providers.OpCreateDatabase: 60 * time.Second, providers.OpSetExcludedFromProvisioning: 5 * time.Second,
		providers.OpMountDatabase: 30 * time.Second, providers.OpRehomeMailboxes: 10 * time.Second,
		providers.OpRehomeSystemMailboxes: 10 * time.Second, providers.OpResubmitQueues: 10 * time.Second,
		providers.OpSetDatabaseSettings: 5 * time.Second,
	}
	var steps []planner.MeasuredStep
	for _, s := range p.Steps {
		if d, ok := exchange[s.Operation.Kind]; ok {
			steps = append(steps, planner.MeasuredStep{Kind: s.Operation.Kind, Duration: d})
		} else if !s.Manual {
			t.Fatalf("step kind %s has no figure", s.Operation.Kind)
		}
	}
	h := planner.History{Runs: []planner.HistoryRun{{ID: "table", Steps: steps}}}
	for _, c := range []struct{ slots, turns int }{{10, 5}, {12, 5}, {13, 4}, {25, 2}} {
		planner.EstimateWith(p, h, nil, planner.EstimateOptions{Parallelism: c.slots})
		d := p.Estimates.DialTone
		longest, _ := pathSeconds(p)
		if d == nil || d.Waves != c.turns || d.Partial || math.Abs(d.Seconds-float64(c.turns)*longest) > 1e-6 {
			t.Errorf("%d slots: %+v, want %d turns of the %.0fs path", c.slots, d, c.turns, longest)
		}
		if d != nil && (d.AtParallelism != 50 || math.Abs(d.AtSeconds-longest) > 1e-6) {
			t.Errorf("%d slots: all at once %+v, want the %.0fs path", c.slots, d, longest)
		}
	}
}
