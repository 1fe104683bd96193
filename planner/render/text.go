package render

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// TextOptions tunes Text.
type TextOptions struct {
	// Color adds ANSI colours (terminals only); without it the output has none.
	Color bool
}

// mergeShown is how many merge steps of a recovery are listed one by one; the rest are
// summarised in one line (the JSON has them all).
const mergeShown = 20

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

var riskBadge = map[planner.Risk]string{
	planner.RiskReadOnly:   "[read-only]",
	planner.RiskReversible: "[reversible]",
	planner.RiskOutage:     "[user outage]",
	planner.RiskDataLoss:   "[data-loss risk]",
}

var riskColor = map[planner.Risk]string{
	planner.RiskOutage:   ansiYellow,
	planner.RiskDataLoss: ansiRed,
}

var outageMarker = map[planner.Outage]string{
	planner.OutageContinues: "!! users down",
	planner.OutageStarts:    "!! OUTAGE STARTS",
	planner.OutageEnds:      "** service back",
}

var outageColor = map[planner.Outage]string{
	planner.OutageContinues: ansiYellow,
	planner.OutageStarts:    ansiRed,
	planner.OutageEnds:      ansiGreen,
}

var phaseTitle = map[planner.Phase]string{
	planner.PhaseRestoreService: "Restore service",
	planner.PhaseRestoreData:    "Restore data",
	planner.PhaseSwap:           "Swap",
	planner.PhaseMerge:          "Merge",
	planner.PhaseCleanUp:        "Clean up",
}

var preconditionLabel = map[string]string{
	planner.ResultOK:      "check ok: ",
	planner.ResultFailed:  "check FAILED: ",
	planner.ResultAtApply: "check at apply: ",
	planner.ResultUnknown: "check unknown: ",
}

// Text writes the plan for people: a header, each recovery's steps grouped by phase
// (numbered in apply order, with the exchange-recovery.md row, risk, outage marker and
// step ID, then the summary, preconditions, the settings it changes as a diff (see
// SettingChanges) and the Exchange Management Shell lines), the outage windows, and a
// closing count by risk.
func Text(w io.Writer, p *planner.Plan, opts TextOptions) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	t := &textWriter{w: bufio.NewWriterSize(w, 64<<10), color: opts.Color}
	t.partial(p)
	t.drift(p)
	t.settings(p)
	t.unrecovered(p)
	if !p.HasChanges() {
		t.line("No changes. Every recovery is at its requested stage.")
		for _, r := range p.Recoveries {
			for _, n := range r.Notes {
				t.line("  recovery." + clean(r.Name) + ": note: " + clean(n))
			}
		}
		return t.w.Flush()
	}

	mailboxes := 0
	for _, r := range p.Recoveries {
		mailboxes += r.Mailboxes
	}
	t.line(fmt.Sprintf("dialtone will carry out %s for %s; %s affected.",
		Count(len(p.Steps), "step", "steps"), Count(len(p.Recoveries), "recovery", "recoveries"),
		Count(mailboxes, "mailbox", "mailboxes")))

	// Steps are numbered in apply order across the whole plan; each recovery's block
	// lists its own, so numbers jump where recoveries interleave.
	numbers := make(map[*planner.Step]int, len(p.Steps))
	byRecovery := map[string][]*planner.Step{}
	for i, s := range p.Steps {
		if s == nil {
			continue
		}
		numbers[s] = i + 1
		byRecovery[s.Recovery] = append(byRecovery[s.Recovery], s)
	}
	width := len(strconv.Itoa(len(p.Steps)))
	rebuiltBy := planner.RebuiltBy(p)
	if len(p.Recoveries) > 1 {
		order := make([]string, 0, len(p.Recoveries))
		for _, r := range p.Recoveries {
			order = append(order, fmt.Sprintf("%s (priority %d)", clean(r.Name), r.Priority))
		}
		t.line("Recoveries in order: " + strings.Join(order, ", ") + ".")
	}
	for _, n := range p.Notes {
		t.line(t.paint(ansiYellow, "Serialized: ") + clean(n))
	}
	for _, r := range p.Recoveries {
		t.line("")
		t.line(t.paint(ansiBold, fmt.Sprintf("recovery.%s: %s recovery of %s on %s (%s): stage %q -> %q",
			clean(r.Name), clean(r.Option), clean(r.Database), clean(r.Server), Count(r.Mailboxes, "mailbox", "mailboxes"),
			stageLabel(r.From), stageLabel(r.To))))
		for _, d := range r.DataLoss {
			t.line(t.paint(ansiRed, "  !! DATA LOSS: "+clean(d.What)))
			t.line("     why: " + clean(d.Why))
			t.line("     decision: " + clean(d.Decision))
		}
		for _, n := range r.Notes {
			t.line("  note: " + clean(n))
		}
		t.recoverySteps(byRecovery[r.Name], numbers, rebuiltBy, width)
	}

	t.line("")
	t.outages(p, numbers)
	t.estimates(p)

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
	t.line("")
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		t.line(t.paint(ansiRed, fmt.Sprintf("%s failed: apply will refuse this plan until they hold.",
			Count(len(failed), "precondition", "preconditions"))))
	}
	t.line(fmt.Sprintf("Plan: %s (%d read-only, %d reversible, %d user outage, %d data-loss risk; %d manual).",
		Count(len(p.Steps), "step", "steps"), counts[planner.RiskReadOnly], counts[planner.RiskReversible],
		counts[planner.RiskOutage], counts[planner.RiskDataLoss], manual))
	return t.w.Flush()
}

type textWriter struct {
	w     *bufio.Writer // sticky error: checked once at Flush
	color bool
}

func (t *textWriter) line(s string) {
	t.w.WriteString(s)
	t.w.WriteByte('\n')
}

func (t *textWriter) paint(code, s string) string {
	if !t.color || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) recoverySteps(steps []*planner.Step, numbers map[*planner.Step]int, rebuiltBy map[*planner.Step]*planner.Step, width int) {
	indent := strings.Repeat(" ", 4+width+2)
	var phase planner.Phase
	merges, hidden := 0, 0
	flushHidden := func() {
		if hidden > 0 {
			t.line(indent + fmt.Sprintf("... and %d more merge steps (one per mailbox; see -json)", hidden))
			hidden = 0
		}
	}
	for _, s := range steps {
		isMerge := s.Parallel && (s.Operation.Kind == providers.OpMergeMailbox || s.Operation.Kind == providers.OpResumeRestoreRequest)
		if !isMerge {
			flushHidden()
		}
		if s.Phase != phase {
			phase = s.Phase
			title := phaseTitle[phase]
			if title == "" {
				title = clean(string(phase))
			}
			t.line("")
			t.line("  " + t.paint(ansiBold, title+":"))
		}
		if isMerge {
			if merges++; merges > mergeShown {
				hidden++
				continue
			}
		}
		if r := rebuiltBy[s]; r != nil {
			// The server is rebuilt once, by another recovery's step: said, not repeated.
			t.line(fmt.Sprintf("  %*s  #%-2d %s: done by step %d (%s)", width, "", r.Number, clean(r.Summary), numbers[r], clean(r.ID)))
		}
		badge := riskBadge[s.Risk]
		if badge == "" {
			badge = "[" + clean(string(s.Risk)) + "]"
		}
		marker := outageMarker[s.Outage]
		summary := clean(s.Summary)
		if s.Manual {
			summary = t.paint(ansiYellow, "[MANUAL]") + " " + summary
		}
		// The ID is what -target, confirm and the journal use; the summary says it in words.
		t.line(fmt.Sprintf("  %*d. #%-2d %s %s %s", width, numbers[s], s.Number,
			t.paint(riskColor[s.Risk], pad(badge, 16)), t.paint(outageColor[s.Outage], pad(marker, 16)), clean(s.ID)))
		t.line(indent + summary)
		if s.Manual {
			what := s.Operation.Instructions
			if what == "" {
				what = s.Summary
			}
			t.line(indent + t.paint(ansiYellow, "[MANUAL] apply stops here. Do by hand: ") + clean(what))
			t.line(indent + "[MANUAL] then record it: dialtone confirm " + clean(s.ID))
		}
		for _, c := range s.Preconditions {
			label := preconditionLabel[c.Result]
			if label == "" {
				label = "check " + clean(c.Result) + ": "
			}
			if c.Result == planner.ResultFailed {
				label = t.paint(ansiRed, label)
			}
			t.line(indent + label + clean(c.Description))
			if c.Result == planner.ResultFailed && c.Fix != "" {
				t.line(indent + "  fix: " + clean(c.Fix))
			}
		}
		for _, c := range SettingChanges(s) {
			t.line(indent + "changes " + c.Subject + ":")
			d := DiffWith(c.Before, c.After, DiffOptions{Context: -1, Color: t.color})
			for _, l := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
				t.line(indent + "  " + l)
			}
		}
		for _, cmd := range s.Commands {
			// A quoted value may span lines; PowerShell shows continuation lines as ">>".
			for i, l := range strings.Split(cmd, "\n") {
				prompt := "PS> "
				if i > 0 {
					prompt = ">>  "
				}
				t.line(indent + prompt + clean(l))
			}
		}
	}
	flushHidden()
}

func (t *textWriter) outages(p *planner.Plan, numbers map[*planner.Step]int) {
	if len(p.Outages) == 0 {
		t.line("Outage windows: none; users keep their service throughout this plan.")
		return
	}
	t.line("Outage windows:")
	index := make(map[string]*planner.Step, len(p.Steps))
	for _, s := range p.Steps {
		if s != nil {
			index[s.ID] = s
		}
	}
	ref := func(id string) string {
		s := index[id]
		if s == nil {
			return clean(id)
		}
		return fmt.Sprintf("step %d (%s)", numbers[s], clean(strings.TrimPrefix(id, "recovery."+s.Recovery+".")))
	}
	for _, o := range p.Outages {
		t.line(fmt.Sprintf("  recovery.%s: %s without service from %s to %s: %s",
			clean(o.Recovery), Count(o.Mailboxes, "mailbox", "mailboxes"), ref(o.FromStep), ref(o.ToStep), clean(o.Reason)))
	}
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// Count is n with its noun, as dialtone's output writes counts: "1 mailbox",
// "2 mailboxes". The command line's views and drill write theirs with it too. (The
// planner keeps its own for step descriptions: it cannot import render.)
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func stageLabel(stage string) string {
	if stage == "" {
		return "(not started)"
	}
	return clean(stage)
}

// clean replaces control characters (line breaks, ANSI escapes) in values taken from
// configuration or state, so that no name can forge lines or colours in the output.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, s)
}
