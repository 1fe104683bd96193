package render

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// MarkdownLimit is the most characters Markdown writes. A GitHub comment holds 65,536;
// the rest is room for what a workflow wraps around the plan (plan-comment.sh adds a
// marker, a status line and a footer).
const MarkdownLimit = 64000

// Markdown writes the plan as one GitHub comment. The first screen answers "what
// happens to users": a summary line, a note when the plan had to be shortened, then one
// row per recovery (mailboxes, without service since the failure or from which step to
// which, the estimate where known, the data-loss steps, the manual steps and what they
// need). Then a timeline (a Mermaid gantt chart), the recoveries, the phases, the
// outage windows, the estimates, the step graph (Mermaid, folded), and every step under
// its recovery and phase with a risk badge, what it changes (a diff of the settings it
// changes, see SettingChanges) and its Exchange Management Shell lines folded in a
// <details> section.
//
// The output never exceeds MarkdownLimit bytes (so characters too). When the full
// rendering is longer, sections shrink one at a time, the largest first: a recovery's
// steps lose the command lines of merge steps, then most merge steps, then checks and
// commands, then their summaries; lists that repeat the table at the top go; the graph
// becomes a sentence; the timeline goes last. The first screen says what was left out
// and where the full plan is (the JSON plan has everything). Lists of addresses show
// ten and a count. The same plan gives the same bytes.
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
	counted      bool // one line per recovery counting its steps by phase
	note         string
}

var mdLevels = []mdLevel{
	{mergeShown: mergeShown, mergeDetails: true, details: true, summaries: true},
	{mergeShown: mergeShown, details: true, summaries: true,
		note: "without the command lines of merge steps"},
	{mergeShown: 5, details: true, summaries: true,
		note: "with at most 5 merge steps listed"},
	{mergeShown: 0, summaries: true,
		note: "without checks, setting changes and command lines"},
	{compact: true,
		note: "named only"},
	{counted: true,
		note: "counted by phase only"},
}

// Shrinking tiers: the first screen's table shrinks only when nothing else can, the
// timeline last of all.
const (
	mdTierUsers = 1
	mdTierLast  = 2
)

// mdSection is one part of the comment in the forms it can take, fullest first.
type mdSection struct {
	levels   []string
	render   func(level int) string // renders levels on demand; nil when levels holds them all
	rendered []bool
	notes    []string // what each level after the first leaves out, for the first screen
	tier     int      // shrunk only when no section of a lower tier can be
	steps    bool     // a recovery's steps
	at       int
}

func (s *mdSection) text() string { return s.level(s.at) }

// level is the section at level i, rendered the first time it is asked for: most
// sections of a plan that fits never shrink.
func (s *mdSection) level(i int) string {
	if s.render != nil && !s.rendered[i] {
		s.levels[i], s.rendered[i] = s.render(i), true
	}
	return s.levels[i]
}

func markdownLimited(w io.Writer, p *planner.Plan, limit int) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	m := newMdWriter(p)
	if !p.HasChanges() {
		_, err := io.WriteString(w, m.noChanges(p))
		return err
	}
	sections := m.sections(p)
	size := func(head string) int {
		n := len(head)
		for _, s := range sections {
			n += len(s.text())
		}
		return n
	}
	out := func(head string) string {
		var b strings.Builder
		b.WriteString(head)
		for _, s := range sections {
			b.WriteString(s.text())
		}
		return b.String()
	}
	if full := m.head(p, ""); size(full) <= limit {
		_, err := io.WriteString(w, out(full))
		return err
	}
	// Shortened: room for the note at its longest, then the largest section shrinks
	// one level at a time until everything fits.
	reserve := len(m.head(p, shortenedNote(sections, true, true))) + 200
	for size("")+reserve > limit {
		best := -1
		for tier := 0; tier <= mdTierLast && best < 0; tier++ {
			for i, s := range sections {
				if s.at+1 < len(s.levels) && s.tier == tier && (best < 0 || len(s.text()) > len(sections[best].text())) {
					best = i
				}
			}
		}
		if best < 0 {
			break
		}
		sections[best].at++
	}
	// Room left over goes back to sections in document order (the first recoveries, in
	// priority order, get their detail back first).
	for _, s := range sections {
		for s.at > 0 && size("")-len(s.text())+len(s.level(s.at-1))+reserve <= limit {
			s.at--
		}
	}
	cut := size("")+reserve > limit
	doc := out(m.head(p, shortenedNote(sections, cut, false)))
	if len(doc) > limit {
		doc = truncateMarkdown(doc, limit)
	}
	_, err := io.WriteString(w, doc)
	return err
}

// shortenedNote says what the shrinking left out; worst is its longest form.
func shortenedNote(sections []*mdSection, cut, worst bool) string {
	var parts []string
	steps, stepLevel, recs := 0, 0, 0
	for _, s := range sections {
		if s.steps {
			recs++
		}
		at := s.at
		if worst {
			at = len(s.levels) - 1
		}
		if at == 0 {
			continue
		}
		if s.steps {
			steps++
			stepLevel = max(stepLevel, at)
			continue
		}
		parts = append(parts, s.notes[at-1])
	}
	if steps > 0 {
		parts = append([]string{fmt.Sprintf("the steps of %d of %d recoveries are shown with less detail (at most: %s)",
			steps, recs, mdLevels[stepLevel].note)}, parts...)
	}
	if cut || worst {
		parts = append(parts, "the step list stops before its end")
	}
	return strings.Join(parts, "; ")
}

// truncateMarkdown cuts out between blocks (never inside a code fence or <details>),
// before the recovery whose steps would be cut, so that it and a closing note fit limit.
func truncateMarkdown(out string, limit int) string {
	const note = "\n\n**The plan is too large for one comment: it stops here.** The JSON plan (`dialtone show -json PLANFILE`) has every step and outage window.\n"
	cut := safeCut(out, limit-len(note))
	// Whole recoveries only: the last one's steps were cut, so it goes entirely.
	if i, steps := strings.LastIndex(cut, "\n#### "), strings.Index(cut, "\n### Steps\n"); steps >= 0 && i > steps {
		cut = strings.TrimRight(cut[:i], "\n")
	}
	return cut + note
}

// safeCut is the longest prefix of whole lines of s, at most n bytes, after which every
// code fence and <details> section is closed.
func safeCut(s string, n int) string {
	fence, depth, safe, used := "", 0, 0, 0
	for _, l := range strings.SplitAfter(s, "\n") {
		if used+len(l) > n {
			break
		}
		used += len(l)
		t := strings.TrimLeft(strings.TrimRight(l, "\n"), " ")
		switch {
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
		case fence != "":
			if strings.HasPrefix(t, fence) && strings.Trim(strings.TrimSpace(t), fence[:1]) == "" {
				fence = ""
			}
		default:
			depth += strings.Count(l, "<details") - strings.Count(l, "</details>")
		}
		if fence == "" && depth <= 0 {
			safe = used
		}
	}
	// A heading whose content was cut would stand empty: cut it too.
	out := strings.TrimRight(s[:safe], "\n")
	for {
		i := strings.LastIndexByte(out, '\n')
		if i < 0 || !strings.HasPrefix(out[i+1:], "#") {
			return out
		}
		out = strings.TrimRight(out[:i], "\n")
	}
}

type mdWriter struct {
	sb      strings.Builder
	lv      mdLevel
	numbers map[*planner.Step]int
	index   map[string]*planner.Step
	// byRecovery lists each recovery's steps in apply order.
	byRecovery map[string][]*planner.Step
	// rebuiltBy maps a step that waits for another recovery's rebuild of its server to
	// that rebuild (planner.RebuiltBy): the step says it is done there.
	rebuiltBy map[*planner.Step]*planner.Step
}

func (m *mdWriter) line(s string) { m.sb.WriteString(s); m.sb.WriteByte('\n') }

// take returns what was written since the last take.
func (m *mdWriter) take() string {
	s := m.sb.String()
	m.sb.Reset()
	return s
}

func newMdWriter(p *planner.Plan) *mdWriter {
	m := &mdWriter{numbers: make(map[*planner.Step]int, len(p.Steps)), index: make(map[string]*planner.Step, len(p.Steps)),
		byRecovery: map[string][]*planner.Step{}, rebuiltBy: planner.RebuiltBy(p)}
	for i, s := range p.Steps {
		if s == nil {
			continue
		}
		m.numbers[s] = i + 1
		m.index[s.ID] = s
		m.byRecovery[s.Recovery] = append(m.byRecovery[s.Recovery], s)
	}
	return m
}

func (m *mdWriter) noChanges(p *planner.Plan) string {
	m.line("## dialtone plan")
	m.line("")
	m.partial(p)
	m.drift(p)
	m.settings(p)
	m.unrecovered(p)
	m.line("No changes. Every recovery is at its requested stage.")
	for _, r := range p.Recoveries {
		for _, n := range r.Notes {
			m.line("")
			m.line(mdCode("recovery."+r.Name, false) + ": note: " + mdText(n))
		}
	}
	return m.take()
}

// sections renders every part after the head in each form it can take.
func (m *mdWriter) sections(p *planner.Plan) []*mdSection {
	var out []*mdSection
	one := func(s string) { out = append(out, &mdSection{levels: []string{s}}) }

	m.users(p, true)
	full := m.take()
	m.users(p, false)
	out = append(out, &mdSection{levels: []string{full, m.take()}, notes: []string{"the manual steps at the top are only numbered"}, tier: mdTierUsers})

	m.line("")
	m.line("### Timeline")
	m.line("")
	m.fence("mermaid", strings.TrimSuffix(planTimeline(p), "\n"))
	out = append(out, &mdSection{levels: []string{m.take(), ""}, notes: []string{"the timeline is left out"}, tier: mdTierLast})

	m.recoveries(p, true)
	full = m.take()
	m.recoveries(p, false)
	out = append(out, &mdSection{levels: []string{full, m.take()}, notes: []string{"plan notes are only counted"}})

	m.phases(p)
	one(m.take())
	m.outages(p)
	out = append(out, &mdSection{levels: []string{m.take(), ""}, notes: []string{"the list of outage windows is left out (the table at the top has them)"}})
	if m.estimates(p); m.sb.Len() > 0 {
		out = append(out, &mdSection{levels: []string{m.take(), ""}, notes: []string{"the estimates per phase are left out"}})
	}

	m.line("")
	m.line("### Step graph")
	m.line("")
	sentence := "Too large to draw here: `dialtone graph -format=dot` draws it (`dot -Tsvg`)."
	if chart, ok := mermaidChart(p); ok {
		m.line("<details><summary>Steps and their dependencies (Mermaid)</summary>")
		m.line("")
		m.fence("mermaid", strings.TrimSuffix(chart, "\n"))
		m.line("")
		m.line("</details>")
		full = m.take()
		m.line("")
		m.line("### Step graph")
		m.line("")
		m.line("Left out to fit one comment: `dialtone graph -format=mermaid` (or `-format=dot`) draws it.")
		out = append(out, &mdSection{levels: []string{full, m.take()}, notes: []string{"the step graph is left out"}})
	} else {
		m.line(sentence)
		one(m.take())
	}

	m.line("")
	m.line("### Steps")
	m.line("")
	m.line("Numbered in apply order across the plan: under each recovery the numbers skip the steps of other recoveries.")
	one(m.take())
	for _, name := range m.stepOrder(p) {
		out = append(out, &mdSection{steps: true, levels: make([]string, len(mdLevels)), rendered: make([]bool, len(mdLevels)),
			render: func(i int) string {
				m.lv = mdLevels[i]
				m.recoverySteps(p, name)
				return m.take()
			}})
	}
	return out
}

// stepOrder is the recoveries whose steps are listed: the plan's, then (none today)
// any other a step names, by name, so that no step is silently dropped.
func (m *mdWriter) stepOrder(p *planner.Plan) []string {
	var names []string
	listed := map[string]bool{}
	for _, r := range p.Recoveries {
		names = append(names, r.Name)
		listed[r.Name] = true
	}
	var orphans []string
	for name := range m.byRecovery {
		if !listed[name] {
			orphans = append(orphans, name)
		}
	}
	sort.Strings(orphans)
	return append(names, orphans...)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
