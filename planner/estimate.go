package planner

import (
	"sort"
	"time"

	"github.com/dialtone/dialtone/providers"
)

// History is what earlier runs (applies and drills) measured: the input of Estimate.
// cmd/dialtone loads it from the run reports; the planner never reads files.
type History struct {
	Runs []HistoryRun
}

// HistoryRun is one earlier run's steps as measured.
type HistoryRun struct {
	ID    string
	Steps []MeasuredStep
}

// MeasuredStep is one step of an earlier run: its kind, what it handled and how long it
// took. Only steps that finished (done or already done) count.
type MeasuredStep struct {
	Kind      providers.OpKind
	Mailboxes int
	SizeBytes int64 // the data it handled; 0 unknown
	Started   time.Time
	Duration  time.Duration
}

// Estimates are the expected durations of a plan's phases and outage windows, from the
// measured durations of earlier runs of the same step kinds:
//
//   - re-homes and merges by a per-mailbox rate (merges: the wall time of a run's
//     merges over their count, so that their parallelism is measured too);
//   - steps that handle a database's data (restore, copy, move files, replay) by a
//     per-GB rate when both the earlier run and this plan know the size;
//   - every other step by the median duration of its kind.
//
// Rates are medians over the runs. A step whose kind was never measured adds nothing
// and makes its phase and window Partial. UI data: apply never reads it.
type Estimates struct {
	// NoHistory is true when no earlier run measured anything: nothing to estimate from.
	NoHistory bool `json:"no_history,omitempty"`
	// Runs is how many earlier runs the estimates are taken from.
	Runs    int              `json:"runs"`
	Phases  []PhaseEstimate  `json:"phases"`
	Outages []OutageEstimate `json:"outages"`
	// TotalSeconds is the sum of the phases.
	TotalSeconds float64 `json:"total_seconds"`
	// DialTone is the time until the last user has dial tone when more recoveries wait
	// for it than apply runs at once; nil otherwise (or when no parallelism was given).
	DialTone *DialToneEstimate `json:"dial_tone,omitempty"`
}

// PhaseEstimate is one recovery's phase.
type PhaseEstimate struct {
	Recovery string  `json:"recovery"`
	Phase    Phase   `json:"phase"`
	Steps    int     `json:"steps"`
	Seconds  float64 `json:"seconds"`
	Partial  bool    `json:"partial,omitempty"` // some steps have no history: at least Seconds
}

// OutageEstimate is one outage window of the plan (same order as Plan.Outages).
type OutageEstimate struct {
	Recovery string  `json:"recovery"`
	FromStep string  `json:"from_step"`
	ToStep   string  `json:"to_step"`
	Seconds  float64 `json:"seconds"`
	Partial  bool    `json:"partial,omitempty"`
}

// perMailbox kinds are estimated by a per-mailbox rate.
func perMailbox(k providers.OpKind) bool {
	return k == providers.OpMergeMailbox || k == providers.OpRehomeMailboxes
}

// perGB kinds handle a database's data.
func perGB(k providers.OpKind) bool {
	switch k {
	case providers.OpRestoreBackup, providers.OpCopyFiles, providers.OpMoveFiles, providers.OpReplayLogs:
		return true
	}
	return false
}

const gb = 1 << 30

// Estimate fills p.Estimates from h. sizes gives the size in bytes of the databases the
// plan's steps handle, by name (nil or missing: unknown). It is pure: same inputs, same
// estimates.
func Estimate(p *Plan, h History, sizes map[string]int64) {
	EstimateWith(p, h, sizes, EstimateOptions{})
}

// EstimateOptions say how the plan will be applied, for the time to dial tone.
type EstimateOptions struct {
	// Parallelism is apply's -parallelism; 0: no estimate of the time to dial tone.
	Parallelism int
	// Slots is how many steps run at once under a -parallelism (the provider's
	// providers.Concurrency); nil: the parallelism itself.
	Slots func(parallelism int) int
}

// EstimateWith is Estimate, and with o.Parallelism also the time until the last user
// has dial tone (Estimates.DialTone).
func EstimateWith(p *Plan, h History, sizes map[string]int64, o EstimateOptions) {
	if p == nil {
		return
	}
	rates := measure(h)
	if rates.runs == 0 {
		p.Estimates = &Estimates{NoHistory: true, Phases: []PhaseEstimate{}, Outages: []OutageEstimate{}}
		p.Estimates.DialTone = estimateDialTone(p, nil, nil, o)
		return
	}
	est := &Estimates{Runs: rates.runs, Phases: []PhaseEstimate{}, Outages: []OutageEstimate{}}
	secs := make([]float64, len(p.Steps))
	known := make([]bool, len(p.Steps))
	mergesOf := map[string]int{}
	for _, s := range p.Steps {
		if s != nil && s.Operation.Kind == providers.OpMergeMailbox {
			mergesOf[s.Recovery]++
		}
	}
	for i, s := range p.Steps {
		if s == nil {
			continue
		}
		k := s.Operation.Kind
		switch {
		case perMailbox(k) && rates.perMailbox[k] > 0:
			n := max(s.Mailboxes, 1)
			if k == providers.OpMergeMailbox {
				n = 1 // one mailbox per merge step; the rate already includes parallelism
			}
			secs[i], known[i] = rates.perMailbox[k]*float64(n), true
		case perGB(k) && rates.perGB[k] > 0 && sizes[s.Operation.Database] > 0:
			secs[i], known[i] = rates.perGB[k]*float64(sizes[s.Operation.Database])/gb, true
		case rates.median[k] > 0:
			secs[i], known[i] = rates.median[k], true
		}
	}
	// Phases, in plan order of first appearance.
	type key struct {
		rec   string
		phase Phase
	}
	idx := map[key]int{}
	for i, s := range p.Steps {
		if s == nil {
			continue
		}
		k := key{s.Recovery, s.Phase}
		j, ok := idx[k]
		if !ok {
			j = len(est.Phases)
			idx[k] = j
			est.Phases = append(est.Phases, PhaseEstimate{Recovery: s.Recovery, Phase: s.Phase})
		}
		ph := &est.Phases[j]
		ph.Steps++
		ph.Seconds += secs[i]
		ph.Partial = ph.Partial || !known[i]
		est.TotalSeconds += secs[i]
	}
	pos := map[string]int{}
	for i, s := range p.Steps {
		if s != nil {
			pos[s.ID] = i
		}
	}
	for _, o := range p.Outages {
		oe := OutageEstimate{Recovery: o.Recovery, FromStep: o.FromStep, ToStep: o.ToStep}
		from, okF := pos[o.FromStep]
		to, okT := pos[o.ToStep]
		if okF && okT {
			for i := from; i <= to; i++ {
				if s := p.Steps[i]; s != nil && s.Recovery == o.Recovery {
					oe.Seconds += secs[i]
					oe.Partial = oe.Partial || !known[i]
				}
			}
		}
		est.Outages = append(est.Outages, oe)
	}
	est.DialTone = estimateDialTone(p, secs, known, o)
	p.Estimates = est
}

// rates are the medians measured over the history.
type rates struct {
	runs       int
	perMailbox map[providers.OpKind]float64 // seconds per mailbox
	perGB      map[providers.OpKind]float64 // seconds per GiB
	median     map[providers.OpKind]float64 // seconds per step
}

func measure(h History) rates {
	per := map[providers.OpKind][]float64{}
	pergb := map[providers.OpKind][]float64{}
	each := map[providers.OpKind][]float64{}
	runs := 0
	for _, r := range h.Runs {
		if len(r.Steps) == 0 {
			continue
		}
		runs++
		var mFirst, mLast time.Time
		merges := 0
		for _, s := range r.Steps {
			d := s.Duration.Seconds()
			each[s.Kind] = append(each[s.Kind], d)
			switch {
			case s.Kind == providers.OpMergeMailbox:
				merges++
				if mFirst.IsZero() || s.Started.Before(mFirst) {
					mFirst = s.Started
				}
				if end := s.Started.Add(s.Duration); end.After(mLast) {
					mLast = end
				}
			case perMailbox(s.Kind) && s.Mailboxes > 0:
				per[s.Kind] = append(per[s.Kind], d/float64(s.Mailboxes))
			case perGB(s.Kind) && s.SizeBytes > 0:
				pergb[s.Kind] = append(pergb[s.Kind], d/(float64(s.SizeBytes)/gb))
			}
		}
		if merges > 0 {
			per[providers.OpMergeMailbox] = append(per[providers.OpMergeMailbox], mLast.Sub(mFirst).Seconds()/float64(merges))
		}
	}
	out := rates{runs: runs, perMailbox: map[providers.OpKind]float64{}, perGB: map[providers.OpKind]float64{}, median: map[providers.OpKind]float64{}}
	for k, v := range per {
		out.perMailbox[k] = median(v)
	}
	for k, v := range pergb {
		out.perGB[k] = median(v)
	}
	for k, v := range each {
		out.median[k] = median(v)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
