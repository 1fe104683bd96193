package render

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// MarkdownLimit is the most characters Markdown writes: a GitHub comment holds 65,536.
const MarkdownLimit = 65000

// Markdown writes the plan as one GitHub comment: a summary line (steps, mailboxes,
// outage windows, risk classes, manual steps), the recoveries, a table of phases, the
// outage windows, then every step under its recovery and phase with a risk badge, what
// it changes (a diff of the settings it changes, see SettingChanges) and its Exchange
// Management Shell lines folded in a <details> section.
//
// The output never exceeds MarkdownLimit bytes (so characters too). When the full
// rendering is longer it shrinks in steps, and says so at the end: first the command
// lines of the (repetitive) merge steps go, then fewer merge steps are listed (the rest
// counted, per recovery), then every step shrinks to its ID and summary, then to its ID
// only. Every outage window and every step ID other than a merge's are kept as long as
// they alone fit; the JSON plan (show -json) always has everything. The same plan gives
// the same bytes.
func Markdown(w io.Writer, p *planner.Plan) error {
	return markdownLimited(w, p, MarkdownLimit)
}

// mdLevel is how much of each step a Markdown rendering shows.
type mdLevel struct {
	mergeShown   int  // merge steps listed per recovery
	mergeDetails bool // checks and commands of the listed merge steps
	details      bool // checks, changes and commands of the other steps
	summaries    bool // a step's summary line under its ID
	compact      bool // one line per recovery naming its steps
	note         string
}

var mdLevels = []mdLevel{
	{mergeShown: mergeShown, mergeDetails: true, details: true, summaries: true},
	{mergeShown: mergeShown, details: true, summaries: true,
		note: "the command lines of merge steps are left out"},
	{mergeShown: 5, details: true, summaries: true,
		note: "the command lines of merge steps are left out and at most 5 merge steps are listed per recovery"},
	{mergeShown: 0, summaries: true,
		note: "merge steps are only counted, and checks, setting changes and command lines are left out"},
	{compact: true,
		note: "steps are only named, and merge steps only counted"},
}

func markdownLimited(w io.Writer, p *planner.Plan, limit int) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	var out string
	for i, lv := range mdLevels {
		out = renderMarkdown(p, lv)
		if len(out) <= limit || i == len(mdLevels)-1 {
			break
		}
	}
	if len(out) > limit {
		out = truncateMarkdown(out, limit)
	}
	_, err := io.WriteString(w, out)
	return err
}

// truncateMarkdown cuts out at a line boundary so that it and a closing note fit limit.
func truncateMarkdown(out string, limit int) string {
	const note = "\n\n**The plan is too large for one comment: it stops here.** The JSON plan (`dialtone show -json PLANFILE`) has every step and outage window.\n"
	cut := limit - len(note)
	if cut < 0 {
		cut = 0
	}
	if i := strings.LastIndexByte(out[:cut], '\n'); i >= 0 {
		cut = i
	}
	// An open code fence or <details> would swallow the note; the compact level has neither.
	return out[:cut] + note
}

type mdWriter struct {
	sb      strings.Builder
	lv      mdLevel
	numbers map[*planner.Step]int
	index   map[string]*planner.Step
}

func (m *mdWriter) line(s string) { m.sb.WriteString(s); m.sb.WriteByte('\n') }

func renderMarkdown(p *planner.Plan, lv mdLevel) string {
	m := &mdWriter{lv: lv, numbers: make(map[*planner.Step]int, len(p.Steps)), index: make(map[string]*planner.Step, len(p.Steps))}
	m.line("## dialtone plan")
	m.line("")
	m.partial(p)
	m.drift(p)
	if !p.HasChanges() {
		m.line("No changes. Every recovery is at its requested stage.")
		for _, r := range p.Recoveries {
			for _, n := range r.Notes {
				m.line("")
				m.line(mdCode("recovery."+r.Name, false) + ": note: " + mdText(n))
			}
		}
		return m.sb.String()
	}
	byRecovery := map[string][]*planner.Step{}
	counts := map[planner.Risk]int{}
	manual := 0
	for i, s := range p.Steps {
		if s == nil {
			continue
		}
		m.numbers[s] = i + 1
		m.index[s.ID] = s
		byRecovery[s.Recovery] = append(byRecovery[s.Recovery], s)
		counts[s.Risk]++
		if s.Manual {
			manual++
		}
	}
	mailboxes := 0
	for _, r := range p.Recoveries {
		mailboxes += r.Mailboxes
	}

	// Summary line.
	m.line(fmt.Sprintf("**%s** for %s: **%s** affected, **%s**; risk: %s; **%s**.",
		plural(len(p.Steps), "step", "steps"), plural(len(p.Recoveries), "recovery", "recoveries"),
		plural(mailboxes, "mailbox", "mailboxes"), plural(len(p.Outages), "outage window", "outage windows"),
		riskCounts(counts), plural(manual, "manual step", "manual steps")))
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		m.line("")
		m.line(fmt.Sprintf("> **%s failed: apply will refuse this plan until they hold.**",
			plural(len(failed), "precondition", "preconditions")))
		for _, f := range failed {
			m.line("> - " + mdText(f))
		}
	}

	for _, n := range p.Notes {
		m.line("")
		m.line("**Serialized:** " + mdText(n))
	}
	for _, r := range p.Recoveries {
		for _, d := range r.DataLoss {
			m.line("")
			m.line(fmt.Sprintf("> **DATA LOSS** in %s: %s<br>", mdCode("recovery."+r.Name, false), mdText(d.What)))
			m.line("> why: " + mdText(d.Why) + "<br>")
			m.line("> decision: " + mdText(d.Decision))
		}
	}

	// Recoveries.
	m.line("")
	m.line("| recovery | priority | option | database | server | mailboxes | stage |")
	m.line("| --- | ---: | --- | --- | --- | ---: | --- |")
	for _, r := range p.Recoveries {
		m.line(fmt.Sprintf("| %s | %d | %s | %s | %s | %d | %s → %s |", mdCode("recovery."+r.Name, true), r.Priority, mdCell(r.Option),
			mdCell(r.Database), mdCell(r.Server), r.Mailboxes, mdCode(stageLabel(r.From), true), mdCode(stageLabel(r.To), true)))
	}

	m.phases(p, byRecovery)
	m.outages(p)
	m.estimates(p)

	m.line("")
	m.line("### Steps")
	for _, r := range p.Recoveries {
		m.line("")
		m.line(fmt.Sprintf("#### %s: %s → %s", mdCode("recovery."+r.Name, false), mdCode(stageLabel(r.From), false), mdCode(stageLabel(r.To), false)))
		for _, n := range r.Notes {
			m.line("")
			m.line("Note: " + mdText(n))
		}
		if lv.compact {
			m.compactSteps(r.Name, byRecovery[r.Name])
		} else {
			m.steps(byRecovery[r.Name])
		}
	}
	// Steps of recoveries the plan does not list (none today): never silently dropped.
	listed := map[string]bool{}
	for _, r := range p.Recoveries {
		listed[r.Name] = true
	}
	var orphans []string
	for name := range byRecovery {
		if !listed[name] {
			orphans = append(orphans, name)
		}
	}
	sort.Strings(orphans)
	for _, name := range orphans {
		m.line("")
		m.line("#### " + mdCode("recovery."+name, false))
		if lv.compact {
			m.compactSteps(name, byRecovery[name])
		} else {
			m.steps(byRecovery[name])
		}
	}

	if lv.note != "" {
		m.line("")
		m.line("<sub>Shortened to fit one comment: " + lv.note + ". The JSON plan (`dialtone show -json PLANFILE`) has every step.</sub>")
	}
	return m.sb.String()
}

func riskCounts(counts map[planner.Risk]int) string {
	parts := []string{
		fmt.Sprintf("%d read-only", counts[planner.RiskReadOnly]),
		fmt.Sprintf("%d reversible", counts[planner.RiskReversible]),
		fmt.Sprintf("%d user outage", counts[planner.RiskOutage]),
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
		if s.Outage != planner.OutageNone {
			a.down = max(a.down, s.Mailboxes)
		}
	}
	out := make(map[planner.Phase]phaseFigures, len(by))
	for ph, a := range by {
		out[ph] = phaseFigures{steps: a.steps, mailboxes: max(a.most, a.parallel), down: a.down}
	}
	return out
}

func (m *mdWriter) phases(p *planner.Plan, byRecovery map[string][]*planner.Step) {
	total := map[planner.Phase]phaseFigures{}
	recs := map[planner.Phase]int{}
	for _, steps := range byRecovery {
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
			down = "**" + plural(t.down, "mailbox", "mailboxes") + "**"
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
		m.line(fmt.Sprintf("- %s: **%s without service** from %s to %s (%s)", mdCode("recovery."+o.Recovery, false),
			plural(o.Mailboxes, "mailbox", "mailboxes"), m.stepRef(o.FromStep), m.stepRef(o.ToStep), mdText(o.Reason)))
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

func isMerge(s *planner.Step) bool {
	return s.Operation.Kind == providers.OpMergeMailbox || (s.Number == 13 && s.Parallel)
}

var mdRiskBadge = map[planner.Risk]string{
	planner.RiskReadOnly:   "`read-only`",
	planner.RiskReversible: "`reversible`",
	planner.RiskOutage:     "**`USER OUTAGE`**",
	planner.RiskDataLoss:   "**`DATA-LOSS RISK`**",
}

var mdOutageMarker = map[planner.Outage]string{
	planner.OutageContinues: "users down",
	planner.OutageStarts:    "**outage starts**",
	planner.OutageEnds:      "**service back**",
}

func (m *mdWriter) steps(steps []*planner.Step) {
	var phase planner.Phase
	merges, hidden := 0, 0
	flush := func() {
		if hidden > 0 {
			m.line("")
			m.line(fmt.Sprintf("… and %s more merge %s (one per mailbox; the JSON plan lists them all).",
				strconv.Itoa(hidden), pluralWord(hidden, "step", "steps")))
			hidden = 0
		}
	}
	for i, s := range steps {
		merge := isMerge(s)
		if !merge {
			flush()
		}
		if i == 0 || s.Phase != phase {
			flush()
			phase = s.Phase
			m.line("")
			m.line("**" + mdText(phaseName(phase)) + "**")
		}
		if merge {
			if merges++; merges > m.lv.mergeShown {
				hidden++
				continue
			}
		}
		m.step(s, !merge && m.lv.details || merge && m.lv.mergeDetails)
	}
	flush()
}

func (m *mdWriter) step(s *planner.Step, details bool) {
	badge := mdRiskBadge[s.Risk]
	if badge == "" {
		badge = mdCode(string(s.Risk), false)
	}
	head := fmt.Sprintf("**%d.** %s", m.numbers[s], badge)
	if mk := mdOutageMarker[s.Outage]; mk != "" {
		head += " " + mk
	}
	if s.Manual {
		head += " **MANUAL**"
	}
	m.line("")
	if m.lv.summaries {
		m.line(head + " " + mdCode(s.ID, false) + "<br>")
		m.line(mdLineStart(mdText(s.Summary)))
	} else {
		m.line(head + " " + mdCode(s.ID, false))
	}
	first := true
	item := func(text string) {
		if first {
			m.line("")
			first = false
		}
		m.line("- " + text)
	}
	for _, c := range s.Preconditions {
		if !details && c.Result != planner.ResultFailed {
			continue
		}
		label := "check " + mdText(c.Result)
		switch c.Result {
		case planner.ResultOK:
			label = "check ok"
		case planner.ResultFailed:
			label = "**check FAILED**"
		case planner.ResultAtApply:
			label = "check at apply"
		}
		fix := ""
		if c.Result == planner.ResultFailed && c.Fix != "" {
			fix = " (fix: " + mdText(c.Fix) + ")"
		}
		item(label + ": " + mdText(c.Description) + fix)
	}
	if !details {
		return
	}
	if s.Manual && s.Operation.Instructions != "" {
		item("by hand: " + mdText(s.Operation.Instructions))
	}
	for _, c := range SettingChanges(s) {
		m.line("")
		m.line("Changes " + mdText(c.Subject) + ":")
		m.line("")
		m.fence("diff", strings.TrimSuffix(Diff(c.Before, c.After), "\n"))
	}
	if len(s.Commands) > 0 {
		lines := 0
		var body []string
		for _, c := range s.Commands {
			for _, l := range strings.Split(c, "\n") {
				body = append(body, clean(l))
				lines++
			}
		}
		m.line("")
		m.line(fmt.Sprintf("<details><summary>Exchange Management Shell (%s)</summary>", plural(lines, "line", "lines")))
		m.line("")
		m.fence("powershell", strings.Join(body, "\n"))
		m.line("")
		m.line("</details>")
	}
}

// fence writes body in a code block; the fence is longer than any run of backticks in body.
func (m *mdWriter) fence(lang, body string) {
	f := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	m.line(f + lang)
	m.line(body)
	m.line(f)
}

func (m *mdWriter) compactSteps(name string, steps []*planner.Step) {
	prefix := "recovery." + name + "."
	merges := 0
	var names []string
	for _, s := range steps {
		if isMerge(s) {
			merges++
			continue
		}
		n := strings.TrimPrefix(s.ID, prefix)
		if s.Risk == planner.RiskOutage || s.Risk == planner.RiskDataLoss || s.Manual {
			names = append(names, fmt.Sprintf("%d %s*", m.numbers[s], mdCode(n, false)))
		} else {
			names = append(names, fmt.Sprintf("%d %s", m.numbers[s], mdCode(n, false)))
		}
	}
	m.line("")
	line := strings.Join(names, ", ")
	if merges > 0 {
		line += fmt.Sprintf("; %d merge %s", merges, pluralWord(merges, "step", "steps"))
	}
	m.line(line + ".")
	m.line("")
	m.line("<sub>* user outage, data-loss risk or manual.</sub>")
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
