package planner

// The time until the last user has dial tone. With more recoveries waiting for dial
// tone than apply runs steps at once (-parallelism, or the provider's sessions when
// fewer), recoveries take turns and the last users wait for several recoveries' paths.
// The estimate walks the plan as apply does (simulateWalk: the same graph, the same
// order of ready steps) with the estimated step durations, at the given parallelism and
// at the one that runs every such recovery at once, so that the admin sees what
// -parallelism would change before choosing it.

// DialToneEstimate is the time until the last user has dial tone, when more recoveries
// wait for it than run at once.
type DialToneEstimate struct {
	// Recoveries is how many recoveries' users are without service until dial tone.
	Recoveries int `json:"recoveries"`
	// Parallelism is apply's -parallelism; Slots the steps run at once under it (fewer
	// when the provider carries out fewer at once: its PowerShell sessions).
	Parallelism int `json:"parallelism"`
	Slots       int `json:"slots"`
	// Waves is how many turns the recoveries take: Recoveries over Slots, rounded up.
	Waves int `json:"waves"`
	// Seconds is the modelled time from the start of apply until the last of them has
	// dial tone; 0 with no history. Partial: some steps were never measured (at least).
	Seconds float64 `json:"seconds"`
	Partial bool    `json:"partial,omitempty"`
	// AtParallelism is the -parallelism that runs every one of them at once, or as many
	// as the provider can; 0 when no -parallelism would run more at once than Slots.
	// AtSlots, AtWaves and AtSeconds are what it would give.
	AtParallelism int     `json:"at_parallelism,omitempty"`
	AtSlots       int     `json:"at_slots,omitempty"`
	AtWaves       int     `json:"at_waves,omitempty"`
	AtSeconds     float64 `json:"at_seconds,omitempty"`
}

// estimateDialTone models the time to the last user's dial tone; secs and known are
// the steps' estimated durations (nil: no history, turns only). nil when every such
// recovery runs at once, or no parallelism was given.
func estimateDialTone(p *Plan, secs []float64, known []bool, o EstimateOptions) *DialToneEstimate {
	if o.Parallelism <= 0 {
		return nil
	}
	slotsFor := func(n int) int {
		if o.Slots != nil {
			if s := o.Slots(n); s > 0 && s < n {
				return s
			}
		}
		return n
	}
	pos := make(map[string]int, len(p.Steps))
	for i, s := range p.Steps {
		if s == nil {
			return nil // a damaged plan file: apply refuses it
		}
		pos[s.ID] = i
	}
	var ends []int // each recovery's last step before dial tone
	seen := map[string]bool{}
	for _, w := range p.Outages {
		if i, ok := pos[w.ToStep]; ok && w.Reason == ReasonFailure && !seen[w.Recovery] {
			seen[w.Recovery] = true
			ends = append(ends, i)
		}
	}
	e := &DialToneEstimate{Recoveries: len(ends), Parallelism: o.Parallelism, Slots: slotsFor(o.Parallelism)}
	if e.Recoveries <= e.Slots {
		return nil
	}
	e.Waves = ceilDiv(e.Recoveries, e.Slots)
	if at := slotsFor(e.Recoveries); at > e.Slots {
		e.AtParallelism, e.AtSlots, e.AtWaves = at, at, ceilDiv(e.Recoveries, at)
	}
	if secs == nil {
		return e
	}
	for i, k := range known {
		// A manual step takes no slot: a person does it while the walk goes on.
		e.Partial = e.Partial || (!k && !p.Steps[i].Manual)
	}
	last := func(slots int) float64 {
		end := simulateWalk(p, slots, secs)
		t := 0.0
		for _, i := range ends {
			if end[i] < 0 {
				e.Partial = true // a manual step holds it back: apply stops there
				continue
			}
			t = max(t, end[i])
		}
		return t
	}
	e.Seconds = last(e.Slots)
	if e.AtParallelism > 0 {
		e.AtSeconds = last(e.AtSlots)
	}
	return e
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
