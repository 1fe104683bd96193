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
