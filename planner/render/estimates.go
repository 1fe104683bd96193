package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// Drift and estimates: the two UI-only parts of a plan that callers fill in
// (planner.DetectDrift, planner.Estimate). Both render nothing when absent, so plans
// made without them (goldens) are unchanged.

const driftTitle = "Changed outside dialtone since the last recorded state"

func (t *textWriter) drift(p *planner.Plan) {
	if len(p.Drift) == 0 {
		return
	}
	t.line(driftTitle + ":")
	for _, d := range p.Drift {
		t.line("  ~ " + clean(d.Summary))
	}
	t.line("The plan below is computed from the organization as it is now.")
	t.line("")
}

func (m *mdWriter) drift(p *planner.Plan) {
	if len(p.Drift) == 0 {
		return
	}
	m.line("### " + driftTitle)
	m.line("")
	for _, d := range p.Drift {
		m.line("- " + mdText(d.Summary))
	}
	m.line("")
	m.line("The plan below is computed from the organization as it is now.")
	m.line("")
}

func (t *textWriter) estimates(p *planner.Plan) {
	e := p.Estimates
	if e == nil {
		return
	}
	t.line("")
	if e.NoHistory {
		t.line("Estimated durations: no history to estimate from (no earlier apply or drill has measured these steps).")
		for _, l := range dialToneLines(e.DialTone, false) {
			t.line("  " + l)
		}
		return
	}
	t.line(fmt.Sprintf("Estimated durations (from %s; \"at least\" where a step kind was never measured):", Count(e.Runs, "earlier run", "earlier runs")))
	for _, ph := range e.Phases {
		t.line(fmt.Sprintf("  recovery.%s %s: %s (%s)", clean(ph.Recovery), phaseName(ph.Phase), estimateText(ph.Partial, ph.Seconds), Count(ph.Steps, "step", "steps")))
	}
	for _, o := range e.Outages {
		t.line(fmt.Sprintf("  outage window of recovery.%s (%s to %s): %s", clean(o.Recovery), shortID(o.FromStep), shortID(o.ToStep), estimateText(o.Partial, o.Seconds)))
	}
	t.line(fmt.Sprintf("  whole plan: %s", estimateText(wholePartial(e), e.TotalSeconds)))
	for _, l := range dialToneLines(e.DialTone, true) {
		t.line("  " + l)
	}
}

func (m *mdWriter) estimates(p *planner.Plan) {
	e := p.Estimates
	if e == nil {
		return
	}
	m.line("")
	m.line("### Estimated durations")
	m.line("")
	if e.NoHistory {
		m.line("No history to estimate from: no earlier apply or drill has measured these steps.")
		m.dialTone(e.DialTone, false)
		return
	}
	m.line(fmt.Sprintf("From %s of the same step kinds; \"at least\" where a step kind was never measured.", Count(e.Runs, "earlier run", "earlier runs")))
	m.line("")
	m.line("| recovery | phase or window | steps | estimate |")
	m.line("| --- | --- | ---: | ---: |")
	for _, ph := range e.Phases {
		m.line(fmt.Sprintf("| %s | %s | %d | %s |", mdCode("recovery."+ph.Recovery, true), mdCell(phaseName(ph.Phase)), ph.Steps, estimateText(ph.Partial, ph.Seconds)))
	}
	for _, o := range e.Outages {
		m.line(fmt.Sprintf("| %s | outage window %s → %s | | %s |", mdCode("recovery."+o.Recovery, true), mdCode(shortID(o.FromStep), true), mdCode(shortID(o.ToStep), true), estimateText(o.Partial, o.Seconds)))
	}
	m.line(fmt.Sprintf("| | whole plan | %d | %s |", len(p.Steps), estimateText(wholePartial(e), e.TotalSeconds)))
	m.dialTone(e.DialTone, true)
}

func (m *mdWriter) dialTone(d *planner.DialToneEstimate, timed bool) {
	lines := dialToneLines(d, timed)
	if len(lines) == 0 {
		return
	}
	m.line("")
	for _, l := range lines {
		m.line("- " + mdText(l))
	}
}

// dialToneLines say when the last user has dial tone while recoveries take turns for
// the slots apply runs at once, and what another -parallelism would give (a hint, as
// Terraform gives them). timed: the estimate has durations (history), else only turns.
func dialToneLines(d *planner.DialToneEstimate, timed bool) []string {
	if d == nil {
		return nil
	}
	slots := fmt.Sprintf("%d at a time", d.Slots)
	if d.Slots < d.Parallelism {
		slots += ", the provider's most,"
	}
	turns := fmt.Sprintf("%d recoveries wait for dial tone, %s with -parallelism=%d: %s", d.Recoveries, slots, d.Parallelism, Count(d.Waves, "turn", "turns"))
	var out []string
	if timed && !(d.Partial && d.Seconds == 0) {
		out = append(out, fmt.Sprintf("last user's dial tone: %s (%s)", estimateText(d.Partial, d.Seconds), turns))
	} else {
		out = append(out, fmt.Sprintf("last user's dial tone: %s of one recovery's path (%s)", Count(d.Waves, "turn", "turns"), turns))
	}
	timedAt := timed && !(d.Partial && d.AtSeconds == 0)
	switch {
	case d.AtParallelism == 0:
		out = append(out, fmt.Sprintf("hint: a higher -parallelism runs no more at once here: the provider carries out at most %d operations at once", d.Slots))
	case d.AtWaves >= d.Waves && (!timedAt || d.AtSeconds >= d.Seconds):
		// More slots, but the provider's most still takes as many turns.
		out = append(out, fmt.Sprintf("hint: -parallelism=%d would run %d at a time, still %s: the provider carries out at most %d operations at once", d.AtParallelism, d.AtSlots, Count(d.AtWaves, "turn", "turns"), d.AtSlots))
	case timedAt:
		out = append(out, fmt.Sprintf("hint: -parallelism=%d would give %s (%d at a time: %s)", d.AtParallelism, estimateText(d.Partial, d.AtSeconds), d.AtSlots, Count(d.AtWaves, "turn", "turns")))
	default:
		out = append(out, fmt.Sprintf("hint: -parallelism=%d would run %d at a time: %s", d.AtParallelism, d.AtSlots, Count(d.AtWaves, "turn", "turns")))
	}
	return out
}

// wholePartial says whether the whole plan's estimate is partial: a phase of it is
// (some step kind never measured). Then the total is "at least", or "not measured yet"
// when nothing of the plan was ever measured, never a bare "0.0s".
func wholePartial(e *planner.Estimates) bool {
	for _, ph := range e.Phases {
		if ph.Partial {
			return true
		}
	}
	return false
}

// estimateText is an estimate for people; a phase none of whose steps was measured says so.
func estimateText(partial bool, secs float64) string {
	if partial && secs == 0 {
		return "not measured yet"
	}
	return atLeast(partial) + fmtSeconds(secs)
}

func atLeast(partial bool) string {
	if partial {
		return "at least "
	}
	return ""
}

// shortID is a step ID without its "recovery.NAME." prefix.
func shortID(id string) string {
	if rest, ok := strings.CutPrefix(id, "recovery."); ok {
		if i := strings.Index(rest, "."); i >= 0 {
			return rest[i+1:]
		}
	}
	return id
}

// fmtSeconds is an estimate for people: "0.2s", "45s", "12m", "2h05m".
func fmtSeconds(s float64) string {
	switch {
	case s < 10:
		return fmt.Sprintf("%.1fs", s)
	case s < 60:
		return fmt.Sprintf("%.0fs", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
	}
	h := int(math.Floor(s / 3600))
	return fmt.Sprintf("%dh%02dm", h, (int(s)%3600)/60)
}
