package render

import (
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// Every view of a partial plan (-target, -exclude) says so first, like Terraform's
// "Resource targeting is in effect": the plan leaves other recoveries where they are.

const partialTitle = "Recovery targeting is in effect"

// partialScope says what narrowed the plan: "-target=recovery.a -exclude=database.B".
func partialScope(p *planner.Plan) string {
	var parts []string
	for _, t := range p.Targets {
		parts = append(parts, "-target="+t)
	}
	for _, e := range p.Excludes {
		parts = append(parts, "-exclude="+e)
	}
	return strings.Join(parts, " ")
}

// partialDetail is the warning's body, one paragraph per line.
func partialDetail(p *planner.Plan) []string {
	lines := []string{
		"This plan was made with " + partialScope(p) + ": it holds only part of the changes the configuration asks for, and leaves every other recovery where it is.",
	}
	for _, pi := range p.PulledIn {
		lines = append(lines, "Pulled in: "+pi.Recovery+": "+pi.Reason+".")
	}
	lines = append(lines, "Use targeting for an emergency, then plan without -target and -exclude so that nothing is left behind.")
	return lines
}

// partialText writes the warning box of the text view.
func (t *textWriter) partial(p *planner.Plan) {
	if !p.Partial {
		return
	}
	t.line("╷")
	t.line("│ " + t.paint(ansiYellow, "Warning: ") + t.paint(ansiBold, partialTitle))
	t.line("│")
	for i, l := range partialDetail(p) {
		if i > 0 {
			t.line("│")
		}
		t.line("│ " + clean(l))
	}
	t.line("╵")
	t.line("")
}

// partialMarkdown writes the warning as a GitHub alert.
func (m *mdWriter) partial(p *planner.Plan) {
	if !p.Partial {
		return
	}
	m.line("> [!WARNING]")
	m.line("> **" + partialTitle + ".**")
	for _, l := range partialDetail(p) {
		m.line(">")
		m.line("> " + mdText(l))
	}
	m.line("")
}

// partialLabel is the one-line warning of the graph views.
func partialLabel(p *planner.Plan) string {
	s := "Partial plan: " + partialScope(p)
	if len(p.PulledIn) > 0 {
		var names []string
		for _, pi := range p.PulledIn {
			names = append(names, pi.Recovery)
		}
		s += "; pulled in: " + strings.Join(names, ", ")
	}
	return s
}
