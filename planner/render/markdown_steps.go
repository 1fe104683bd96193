package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// The steps of the Markdown plan: under each recovery, by phase, at the detail of the
// writer's level.

func isMerge(s *planner.Step) bool {
	return s.Operation.Kind == providers.OpMergeMailbox || (s.Number == 13 && s.Parallel)
}

// Risk badges read without colour (GitHub strips it): the two risks that matter are
// words in capitals outside code, data loss with a warning sign.
var mdRiskBadge = map[planner.Risk]string{
	planner.RiskReadOnly:   "`read-only`",
	planner.RiskReversible: "`reversible`",
	planner.RiskOutage:     "**USER OUTAGE**",
	planner.RiskDataLoss:   "⚠ **DATA-LOSS RISK**",
}

var mdOutageMarker = map[planner.Outage]string{
	planner.OutageContinues: "users down",
	planner.OutageStarts:    "**outage starts**",
	planner.OutageEnds:      "**service back**",
}

// recoverySteps writes one recovery's heading and steps.
func (m *mdWriter) recoverySteps(p *planner.Plan, name string) {
	steps := m.byRecovery[name]
	m.line("")
	var rc *planner.RecoveryChange
	for i := range p.Recoveries {
		if p.Recoveries[i].Name == name {
			rc = &p.Recoveries[i]
		}
	}
	if rc == nil {
		m.line("#### " + mdCode("recovery."+name, false))
	} else {
		m.line(fmt.Sprintf("#### %s: %s → %s", mdCode("recovery."+name, false), mdCode(stageLabel(rc.From), false), mdCode(stageLabel(rc.To), false)))
		for _, n := range rc.Notes {
			m.line("")
			m.line("Note: " + mdText(n))
		}
	}
	if r := m.ranges(steps); strings.Contains(r, ",") {
		m.line("")
		m.line("Steps " + r + " of the plan.")
	}
	switch {
	case m.lv.counted:
		m.countedSteps(steps)
	case m.lv.compact:
		m.compactSteps(name, steps)
	default:
		m.steps(steps)
	}
}

// ranges are the plan numbers of steps as runs: "1–7, 22–28, 43".
func (m *mdWriter) ranges(steps []*planner.Step) string {
	var parts []string
	for i := 0; i < len(steps); {
		j := i
		for j+1 < len(steps) && m.numbers[steps[j+1]] == m.numbers[steps[j]]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(m.numbers[steps[i]]))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", m.numbers[steps[i]], m.numbers[steps[j]]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
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
	if r := m.rebuiltBy[s]; r != nil {
		// The server is rebuilt once, by another recovery's step: said, not repeated.
		m.line("")
		m.line(mdLineStart(mdText(fmt.Sprintf("%s: done by step %d", r.Summary, m.numbers[r]))) + " (" + mdCode(r.ID, false) + ").")
	}
	m.line("")
	if m.lv.summaries {
		m.line(head + " " + mdCode(s.ID, false) + "<br>")
		m.line(mdLineStart(mdText(capAddresses(s.Summary, s.Operation.Mailboxes))))
	} else {
		m.line(head + " " + mdCode(s.ID, false))
	}
	started := false
	item := func(text string) {
		if !started {
			m.line("")
			started = true
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
		item("by hand: " + mdText(capAddresses(s.Operation.Instructions, s.Operation.Mailboxes)))
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
			for _, l := range strings.Split(capAddresses(c, s.Operation.Mailboxes), "\n") {
				body = append(body, clean(l))
				lines++
			}
		}
		m.line("")
		m.line(fmt.Sprintf("<details><summary>Exchange Management Shell (%s)</summary>", Count(lines, "line", "lines")))
		m.line("")
		m.fence("powershell", strings.Join(body, "\n"))
		m.line("")
		m.line("</details>")
	}
}

// capAddresses shortens the list of addrs (as the planner joins it, ", ") in text to
// its first ten and a count: the JSON plan has them all.
func capAddresses(text string, addrs []string) string {
	if len(addrs) <= mdListCap {
		return text
	}
	all := strings.Join(addrs, ", ")
	short := strings.Join(addrs[:mdListCap], ", ") + fmt.Sprintf(" and %d more (the JSON plan lists them all)", len(addrs)-mdListCap)
	return strings.ReplaceAll(text, all, short)
}

// fence writes body in a code block; the fence is longer than any run of backticks in body.
func (m *mdWriter) fence(lang, body string) {
	f := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	m.line(f + lang)
	m.line(body)
	m.line(f)
}

// compactSteps names a recovery's steps on one line, the ones that take service
// away, risk data or need a person marked in words.
func (m *mdWriter) compactSteps(name string, steps []*planner.Step) {
	prefix := "recovery." + name + "."
	merges := 0
	var names []string
	for _, s := range steps {
		if isMerge(s) {
			merges++
			continue
		}
		if r := m.rebuiltBy[s]; r != nil {
			names = append(names, fmt.Sprintf("%s done by step %d", mdCode("recover_server", false), m.numbers[r]))
		}
		n := fmt.Sprintf("%d %s", m.numbers[s], mdCode(strings.TrimPrefix(s.ID, prefix), false))
		var marks []string
		switch s.Risk {
		case planner.RiskOutage:
			marks = append(marks, "USER OUTAGE")
		case planner.RiskDataLoss:
			marks = append(marks, "DATA-LOSS RISK")
		}
		if s.Manual {
			marks = append(marks, "manual")
		}
		if len(marks) > 0 {
			n += " (" + strings.Join(marks, ", ") + ")"
		}
		names = append(names, n)
	}
	m.line("")
	line := strings.Join(names, ", ")
	if merges > 0 {
		line += fmt.Sprintf("; %d merge %s", merges, pluralWord(merges, "step", "steps"))
	}
	m.line(line + ".")
}

// countedSteps counts a recovery's steps by phase, with the plan numbers of the ones
// that take service away, risk data or need a person.
func (m *mdWriter) countedSteps(steps []*planner.Step) {
	var parts []string
	for _, ph := range phaseOrder(steps) {
		var in []*planner.Step
		var marked []string
		for _, s := range steps {
			if s.Phase != ph {
				continue
			}
			in = append(in, s)
			if s.Risk == planner.RiskOutage || s.Risk == planner.RiskDataLoss || s.Manual {
				marked = append(marked, strconv.Itoa(m.numbers[s]))
			}
		}
		part := fmt.Sprintf("%s %s (%s)", mdText(phaseName(ph)), Count(len(in), "step", "steps"), m.ranges(in))
		if len(marked) > 0 {
			part += ", marked " + strings.Join(marked, ", ")
		}
		parts = append(parts, part)
	}
	m.line("")
	m.line(strings.Join(parts, "; ") + ". Marked: user outage, data-loss risk or manual.")
}
