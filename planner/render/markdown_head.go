package render

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// The first screen of the Markdown plan, and the tables after it.

// mdListCap is how many entries of a long list (preconditions, addresses) are shown.
const mdListCap = 10

// head is the title, the targeting and drift warnings, the summary line, the note that
// the plan was shortened (when note is not empty), failed preconditions and data loss.
func (m *mdWriter) head(p *planner.Plan, note string) string {
	m.line("## dialtone plan")
	m.line("")
	m.partial(p)
	m.drift(p)
	m.settings(p)
	m.unrecovered(p)
	counts := map[planner.Risk]int{}
	manual := 0
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		counts[s.Risk]++
		if s.Manual {
			manual++
		}
	}
	mailboxes := 0
	for _, r := range p.Recoveries {
		mailboxes += r.Mailboxes
	}
	down := 0
	for _, o := range p.Outages {
		if o.Reason == planner.ReasonFailure {
			down += o.Mailboxes
		}
	}
	line := fmt.Sprintf("**%s** for %s: **%s** affected, **%s**",
		Count(len(p.Steps), "step", "steps"), Count(len(p.Recoveries), "recovery", "recoveries"),
		Count(mailboxes, "mailbox", "mailboxes"), Count(len(p.Outages), "outage window", "outage windows"))
	if down > 0 {
		line += fmt.Sprintf(" (%s without service since the failure)", Count(down, "mailbox", "mailboxes"))
	}
	m.line(fmt.Sprintf("%s; steps by risk: %s; **%s**.", line, riskCounts(counts), Count(manual, "manual step", "manual steps")))
	if note != "" {
		m.line("")
		m.line("> [!NOTE]")
		m.line("> **Shortened to fit one comment:** " + note + ". The full plan is the JSON plan (`dialtone show -json PLANFILE`; in CI, the saved plan artifact).")
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		m.line("")
		m.line(fmt.Sprintf("> **%s failed: apply will refuse this plan until they hold.**",
			Count(len(failed), "precondition", "preconditions")))
		for i, f := range failed {
			if i == mdListCap {
				m.line(fmt.Sprintf("> - … and %d more (under their steps below, and in the JSON plan)", len(failed)-mdListCap))
				break
			}
			m.line("> - " + mdText(f))
		}
	}
	for _, r := range p.Recoveries {
		for _, d := range r.DataLoss {
			m.line("")
			m.line(fmt.Sprintf("> ⚠ **DATA LOSS** in %s: %s<br>", mdCode("recovery."+r.Name, false), mdText(d.What)))
			m.line("> why: " + mdText(d.Why) + "<br>")
			m.line("> decision: " + mdText(d.Decision))
		}
	}
	return m.take()
}

// riskCounts counts steps by risk. A "user outage" step is one that takes service
// away; users already down since the failure are in the table, not here.
func riskCounts(counts map[planner.Risk]int) string {
	parts := []string{
		fmt.Sprintf("%d read-only", counts[planner.RiskReadOnly]),
		fmt.Sprintf("%d reversible", counts[planner.RiskReversible]),
		fmt.Sprintf("%d %s service away", counts[planner.RiskOutage], pluralWord(counts[planner.RiskOutage], "takes", "take")),
		fmt.Sprintf("%d data-loss risk", counts[planner.RiskDataLoss]),
	}
	var other []string
	for r, n := range counts {
		switch r {
		case planner.RiskReadOnly, planner.RiskReversible, planner.RiskOutage, planner.RiskDataLoss:
		default:
			other = append(other, fmt.Sprintf("%d %s", n, mdText(string(r))))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

// users is the first screen's table: one row per recovery. full names what each manual
// step needs; otherwise manual steps are only numbered. Four columns, so that it fits a
// comment's width: the data-loss and manual steps share the last.
func (m *mdWriter) users(p *planner.Plan, full bool) {
	m.line("")
	m.line("### What happens to users")
	m.line("")
	m.line("| recovery | mailboxes | without service | data-loss risk, manual steps |")
	m.line("| --- | ---: | --- | --- |")
	for _, r := range p.Recoveries {
		var down []string
		for i, o := range p.Outages {
			if o.Recovery == r.Name {
				down = append(down, m.windowText(p, o, i))
			}
		}
		if len(down) == 0 {
			down = append(down, "none in this plan")
		}
		var loss, manual, needs []string
		for _, s := range m.byRecovery[r.Name] {
			if s.Risk == planner.RiskDataLoss {
				loss = append(loss, m.stepRef(s.ID))
			}
			if s.Manual {
				manual = append(manual, fmt.Sprintf("%d", m.numbers[s]))
				needs = append(needs, "manual: "+m.stepRef(s.ID)+": "+mdCell(m.need(s)))
			}
		}
		var risk []string
		if len(loss) > 0 {
			risk = append(risk, "⚠ data loss: "+capJoin(loss, 3, ""))
		}
		switch {
		case len(manual) > 0 && full:
			risk = append(risk, needs...)
		case len(manual) > 0:
			risk = append(risk, "manual: "+pluralWord(len(manual), "step ", "steps ")+strings.Join(manual, ", "))
		}
		if len(risk) == 0 {
			risk = append(risk, "none")
		}
		m.line(fmt.Sprintf("| %s | %d | %s | %s |", mdCode("recovery."+r.Name, true), r.Mailboxes,
			strings.Join(down, "<br>"), strings.Join(risk, "<br>")))
	}
}

// need is what a manual step asks of a person, in one line.
func (m *mdWriter) need(s *planner.Step) string {
	return capText(s.Summary, 120)
}

// windowText is an outage window for the table: users down since the failure until
// a step, or from one step to another, with its estimate when there is one.
func (m *mdWriter) windowText(p *planner.Plan, o planner.OutageWindow, i int) string {
	var s string
	switch {
	case o.Reason == planner.ReasonFailure:
		s = "since the failure until " + m.stepRef(o.ToStep)
	case !windowEnds(p, o):
		s = fmt.Sprintf("%s: from %s to beyond this plan", mdText(o.Reason), m.stepRef(o.FromStep))
	default:
		s = fmt.Sprintf("%s: %s to %s", mdText(o.Reason), m.stepRef(o.FromStep), m.stepRef(o.ToStep))
	}
	if e := p.Estimates; e != nil && i < len(e.Outages) && e.Outages[i].FromStep == o.FromStep && e.Outages[i].ToStep == o.ToStep {
		est := e.Outages[i]
		switch {
		case est.Partial && est.Seconds == 0:
			s += " (not measured yet)"
		case o.Reason == planner.ReasonFailure:
			s += " (these steps: about " + estimateText(est.Partial, est.Seconds) + ")"
		default:
			s += " (about " + estimateText(est.Partial, est.Seconds) + ")"
		}
	}
	return s
}

// recoveries is the table of recoveries and the plan's notes, folded when many;
// without full, the notes are only counted.
func (m *mdWriter) recoveries(p *planner.Plan, full bool) {
	m.line("")
	m.line("### Recoveries")
	m.line("")
	m.line("| recovery | priority | option | database | server | mailboxes | stage |")
	m.line("| --- | ---: | --- | --- | --- | ---: | --- |")
	for _, r := range p.Recoveries {
		m.line(fmt.Sprintf("| %s | %d | %s | %s | %s | %d | %s → %s |", mdCode("recovery."+r.Name, true), r.Priority, mdCell(r.Option),
			mdCell(r.Database), mdCell(r.Server), r.Mailboxes, mdCode(stageLabel(r.From), true), mdCode(stageLabel(r.To), true)))
	}
	switch {
	case len(p.Notes) == 0:
	case !full:
		m.line("")
		m.line(fmt.Sprintf("%s on the order of the plan (serialized steps): the JSON plan lists them.", Count(len(p.Notes), "note", "notes")))
	case len(p.Notes) <= 3:
		for _, n := range p.Notes {
			m.line("")
			m.line("**Serialized:** " + mdText(n))
		}
	default:
		m.line("")
		m.line(fmt.Sprintf("<details><summary>Serialized: %s on the order of the plan</summary>", Count(len(p.Notes), "note", "notes")))
		m.line("")
		for _, n := range p.Notes {
			m.line("- " + mdText(n))
		}
		m.line("")
		m.line("</details>")
	}
}

// phaseOrder lists the phases in recovery order, then unknown ones by name.
func phaseOrder(steps []*planner.Step) []planner.Phase {
	known := []planner.Phase{planner.PhaseRestoreService, planner.PhaseRestoreData, planner.PhaseSwap, planner.PhaseMerge, planner.PhaseCleanUp}
	seen := map[planner.Phase]bool{}
	for _, s := range steps {
		if s != nil {
			seen[s.Phase] = true
		}
	}
	var out []planner.Phase
	for _, ph := range known {
		if seen[ph] {
			out = append(out, ph)
			delete(seen, ph)
		}
	}
	var rest []string
	for ph := range seen {
		rest = append(rest, string(ph))
	}
	sort.Strings(rest)
	for _, ph := range rest {
		out = append(out, planner.Phase(ph))
	}
	return out
}

func phaseName(ph planner.Phase) string {
	if t := phaseTitle[ph]; t != "" {
		return t
	}
	return clean(string(ph))
}

// phaseFigures are one recovery's figures for one phase.
type phaseFigures struct {
	steps, mailboxes, down int
}

// figures: mailboxes a phase touches is the most any of its one-off steps touches, or
// the sum over its parallel (per-mailbox) steps when that is more; users without
// service likewise over the steps with an outage.
func figures(steps []*planner.Step) map[planner.Phase]phaseFigures {
	type acc struct{ steps, most, parallel, down int }
	by := map[planner.Phase]*acc{}
	for _, s := range steps {
		a := by[s.Phase]
		if a == nil {
			a = &acc{}
			by[s.Phase] = a
		}
		a.steps++
		if s.Parallel {
			a.parallel += s.Mailboxes
		} else {
			a.most = max(a.most, s.Mailboxes)
		}
		if s.Outage != planner.OutageNone || s.Operation.Kind == providers.OpRestartStore {
			a.down = max(a.down, s.Mailboxes)
		}
	}
	out := make(map[planner.Phase]phaseFigures, len(by))
	for ph, a := range by {
		out[ph] = phaseFigures{steps: a.steps, mailboxes: max(a.most, a.parallel), down: a.down}
	}
	return out
}

func (m *mdWriter) phases(p *planner.Plan) {
	total := map[planner.Phase]phaseFigures{}
	recs := map[planner.Phase]int{}
	for _, steps := range m.byRecovery {
		for ph, f := range figures(steps) {
			t := total[ph]
			t.steps += f.steps
			t.mailboxes += f.mailboxes
			t.down += f.down
			total[ph] = t
			recs[ph]++
		}
	}
	m.line("")
	m.line("### Phases")
	m.line("")
	m.line("| phase | recoveries | steps | mailboxes | users without service |")
	m.line("| --- | ---: | ---: | ---: | --- |")
	for _, ph := range phaseOrder(p.Steps) {
		t := total[ph]
		down := "none"
		if t.down > 0 {
			down = "**" + Count(t.down, "mailbox", "mailboxes") + "**"
		}
		m.line(fmt.Sprintf("| %s | %d | %d | %d | %s |", mdCell(phaseName(ph)), recs[ph], t.steps, t.mailboxes, down))
	}
}

func (m *mdWriter) outages(p *planner.Plan) {
	m.line("")
	m.line("### Outage windows")
	m.line("")
	if len(p.Outages) == 0 {
		m.line("None: users keep their service throughout this plan.")
		return
	}
	for _, o := range p.Outages {
		var when string
		switch {
		case o.Reason == planner.ReasonFailure:
			when = "since the failure until " + m.stepRef(o.ToStep)
		case !windowEnds(p, o):
			when = "from " + m.stepRef(o.FromStep) + " to beyond this plan"
		default:
			when = "from " + m.stepRef(o.FromStep) + " to " + m.stepRef(o.ToStep)
		}
		if o.Reason != planner.ReasonFailure {
			when += " (" + mdText(o.Reason) + ")"
		}
		m.line(fmt.Sprintf("- %s: **%s without service** %s", mdCode("recovery."+o.Recovery, false),
			Count(o.Mailboxes, "mailbox", "mailboxes"), when))
	}
}

// stepRef names a step by number and its ID's last part ("step 8 `dismount_dial_tone_database`").
func (m *mdWriter) stepRef(id string) string {
	s := m.index[id]
	if s == nil {
		return mdCode(id, false)
	}
	return fmt.Sprintf("step %d %s", m.numbers[s], mdCode(strings.TrimPrefix(id, "recovery."+s.Recovery+"."), false))
}

// capJoin joins at most n items and counts the rest; empty when there are none.
func capJoin(items []string, n int, empty string) string {
	switch {
	case len(items) == 0:
		return empty
	case len(items) > n:
		return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
	}
	return strings.Join(items, ", ")
}

// capText cuts s to at most n bytes at a word boundary, with an ellipsis.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		for cut = n; cut > 0 && !utf8.RuneStart(s[cut]); cut-- {
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + " …"
}
