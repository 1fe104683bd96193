package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// A timeline is a Mermaid gantt chart: bars only, no edges, so it stays small at any
// scale. Positions are whole units (steps, seconds, minutes) drawn as Unix
// milliseconds (dateFormat x) with an axis that prints them as numbers (%Q): no dates,
// no time zone, and the title says what one unit is. Milliseconds, not seconds
// (dateFormat X): Mermaid 11 reads a bar's start as milliseconds whatever the format,
// so with X every bar would start at 0.

// GanttBar is one bar of a timeline, from Start to End (End > Start) in the chart's unit.
type GanttBar struct {
	Section string
	Name    string
	Crit    bool // users without service: drawn red
	Start   int64
	End     int64
}

// GanttChart is the Mermaid source of a timeline (without the ```mermaid fence).
func GanttChart(title string, bars []GanttBar) string {
	var b strings.Builder
	b.WriteString("gantt\n")
	b.WriteString("  title " + ganttText(title) + "\n")
	b.WriteString("  dateFormat x\n  axisFormat %Q\n  todayMarker off\n")
	section := "\x00"
	for _, bar := range bars {
		if bar.Section != section {
			section = bar.Section
			b.WriteString("  section " + ganttText(section) + "\n")
		}
		tag := ""
		if bar.Crit {
			tag = "crit, "
		}
		end := max(bar.End, bar.Start+1)
		fmt.Fprintf(&b, "  %s :%s%d, %d\n", ganttText(bar.Name), tag, bar.Start, end)
	}
	return b.String()
}

// ganttText keeps what a gantt line cannot hold (":" ends a task name, "#" and ";"
// start comments and statements, "%%" comments) out of a name.
func ganttText(s string) string {
	var b strings.Builder
	for _, r := range clean(s) {
		switch {
		case r == ':' || r == '#' || r == ';' || r == '%' || r == '"' || r == '`' || r == '<' || r == '>' || r == '&':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// ganttRecoveries is the most recoveries drawn with a section each (their phases and
// outage windows); above it the chart has one bar per outage window and one per phase
// across all recoveries.
const ganttRecoveries = 10

// planTimeline lays the plan's steps out in apply order, one after the other: each
// step takes its share of its phase's estimate when every phase has one (a partial
// estimate counts: "at least"), else one tick. It returns the chart.
func planTimeline(p *planner.Plan) string {
	e := p.Estimates
	estimated := e != nil && !e.NoHistory && len(e.Phases) > 0
	secs := map[[2]string]float64{}
	if estimated {
		for _, ph := range e.Phases {
			if ph.Seconds <= 0 || ph.Steps == 0 {
				estimated = false
				break
			}
			secs[[2]string{ph.Recovery, string(ph.Phase)}] = ph.Seconds / float64(ph.Steps)
		}
	}
	for _, s := range p.Steps {
		if s == nil || !estimated {
			continue
		}
		if _, ok := secs[[2]string{s.Recovery, string(s.Phase)}]; !ok {
			estimated = false // a phase never measured: steps, not a guess
		}
	}
	start := make(map[string]float64, len(p.Steps))
	end := make(map[string]float64, len(p.Steps))
	at := 0.0
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		d := 1.0
		if estimated {
			if v, ok := secs[[2]string{s.Recovery, string(s.Phase)}]; ok {
				d = v
			} else {
				d = 0
			}
		}
		start[s.ID], end[s.ID] = at, at+d
		at += d
	}
	unit, title := 1.0, "One tick per step, in apply order (no measured durations to estimate from)"
	if e != nil && !e.NoHistory && !estimated {
		title = "One tick per step, in apply order (not every phase has been measured yet)"
	}
	if estimated {
		unit, title = 1, fmt.Sprintf("Estimated seconds from the start of apply, steps in apply order (from %s)", Count(e.Runs, "earlier run", "earlier runs"))
		if at > 1200 {
			unit, title = 60, fmt.Sprintf("Estimated minutes from the start of apply, steps in apply order (from %s)", Count(e.Runs, "earlier run", "earlier runs"))
		}
	}
	pos := func(v float64) int64 { return int64(math.Round(v / unit)) }

	type span struct{ from, to float64 }
	phases := map[string]map[planner.Phase]*span{}
	all := map[planner.Phase]*span{}
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		if phases[s.Recovery] == nil {
			phases[s.Recovery] = map[planner.Phase]*span{}
		}
		for _, m := range []map[planner.Phase]*span{phases[s.Recovery], all} {
			if sp := m[s.Phase]; sp == nil {
				m[s.Phase] = &span{start[s.ID], end[s.ID]}
			} else {
				sp.to = end[s.ID]
			}
		}
	}
	window := func(o planner.OutageWindow) (GanttBar, bool) {
		if _, ok := start[o.FromStep]; !ok {
			return GanttBar{}, false
		}
		bar := GanttBar{Crit: true, Start: pos(start[o.FromStep]), End: pos(end[o.ToStep])}
		switch {
		case o.Reason == planner.ReasonFailure:
			bar.Start, bar.Name = 0, "without service since the failure"
		case !windowEnds(p, o):
			bar.End, bar.Name = pos(at), "without service to the end of this plan"
		default:
			bar.Name = "without service (" + o.Reason + ")"
		}
		return bar, true
	}
	var bars []GanttBar
	if len(p.Recoveries) <= ganttRecoveries {
		for _, r := range p.Recoveries {
			for _, o := range p.Outages {
				if o.Recovery != r.Name {
					continue
				}
				if bar, ok := window(o); ok {
					bar.Section = r.Name
					bars = append(bars, bar)
				}
			}
			for _, ph := range phaseOrder(p.Steps) {
				if sp := phases[r.Name][ph]; sp != nil {
					bars = append(bars, GanttBar{Section: r.Name, Name: phaseName(ph), Start: pos(sp.from), End: pos(sp.to)})
				}
			}
		}
	} else {
		for _, o := range p.Outages {
			if bar, ok := window(o); ok {
				bar.Section, bar.Name = "Users without service", o.Recovery+" "+strings.TrimPrefix(bar.Name, "without service ")
				bars = append(bars, bar)
			}
		}
		for _, ph := range phaseOrder(p.Steps) {
			if sp := all[ph]; sp != nil {
				bars = append(bars, GanttBar{Section: "Phases, all recoveries", Name: phaseName(ph), Start: pos(sp.from), End: pos(sp.to)})
			}
		}
	}
	return GanttChart(title, bars)
}

// windowEnds reports whether the outage window ends in this plan (its last step gives
// service back); a window left open goes on after the plan.
func windowEnds(p *planner.Plan, o planner.OutageWindow) bool {
	if o.Reason == planner.ReasonStoreRestart {
		return true // the restart's own step: users are back when it finishes
	}
	for _, s := range p.Steps {
		if s != nil && s.ID == o.ToStep {
			return s.Outage == planner.OutageEnds
		}
	}
	return false
}
