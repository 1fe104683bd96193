package render

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// Mermaid writes the plan's step graph as a Mermaid flowchart that GitHub renders (in a
// ```mermaid block): one subgraph per recovery holding one per phase (top to bottom,
// recoveries in priority order), one node per step ("8. dismount_dial_tone_database",
// its risk and outage marker), an edge per dependency. Steps during which users are
// without service are red (class outage), the step that gives service back green
// (class serviceback), data-loss risks have a thick border (class dataloss), manual
// steps a dashed one. A recovery with more than five merge steps has them drawn as one
// node that says how many. Above mermaidStepNodes nodes the chart has one node per
// recovery and phase instead, and a chart that would still exceed Mermaid's limits
// (mermaidMaxEdges, mermaidMaxChars) is one node pointing at the DOT graph. Labels are
// escaped with Mermaid's entity codes, so no name can break the chart. A plan without
// steps gives a one-node chart.
func Mermaid(w io.Writer, p *planner.Plan) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	chart, ok := mermaidChart(p)
	if !ok {
		chart = "flowchart TD\n  toolarge[\"" + mermaidText(mermaidTooLarge) + "\"]\n"
	}
	_, err := io.WriteString(w, chart)
	return err
}

// mermaidTooLarge is what stands for a graph Mermaid cannot draw.
const mermaidTooLarge = "The step graph is too large for Mermaid: dialtone graph -format=dot draws it (dot -Tsvg)."

// mermaidChart is the flowchart at the finest scale that fits Mermaid's limits; false
// when not even one node per recovery and phase does.
func mermaidChart(p *planner.Plan) (string, bool) {
	g := buildGraph(p)
	if len(g.nodes) <= mermaidStepNodes {
		if chart, edges := writeMermaid(p, g); edges <= mermaidMaxEdges && len(chart) <= mermaidMaxChars {
			return chart, true
		}
	}
	chart, edges := writeMermaid(p, buildPhaseGraph(p))
	return chart, edges <= mermaidMaxEdges && len(chart) <= mermaidMaxChars
}

// writeMermaid draws g; it returns the chart and how many edges Mermaid counts in it.
func writeMermaid(p *planner.Plan, g *stepGraph) (string, int) {
	var bw strings.Builder
	fmt.Fprintln(&bw, "flowchart TD")
	if p.Partial {
		fmt.Fprintf(&bw, "  partial[\"%s\"]\n", mermaidText("⚠ "+partialLabel(p)))
		fmt.Fprintln(&bw, "  style partial fill:#fff3cd,stroke:#b58900")
	}
	if len(g.nodes) == 0 {
		fmt.Fprintln(&bw, `  empty["No changes. Every recovery is at its requested stage."]`)
		return bw.String(), 0
	}
	var down, back, loss, manual []string
	node := func(indent string, n *graphNode) {
		label := mermaidText(n.title)
		if n.detail != "" {
			label += "<br/>" + mermaidText(n.detail)
		}
		fmt.Fprintf(&bw, "%s%s[\"%s\"]\n", indent, n.id, label)
		switch {
		case n.down():
			down = append(down, n.id)
		case n.outage == planner.OutageEnds:
			back = append(back, n.id)
		}
		if n.risk == planner.RiskDataLoss {
			loss = append(loss, n.id)
		}
		if n.manual {
			manual = append(manual, n.id)
		}
	}
	for _, r := range g.recoveries {
		fmt.Fprintf(&bw, "  subgraph %s[\"%s\"]\n", r.id, mermaidText("recovery."+r.name))
		fmt.Fprintln(&bw, "    direction TB")
		for _, ph := range r.phases {
			if g.phaseNodes {
				for _, n := range ph.nodes {
					node("    ", n)
				}
				continue
			}
			fmt.Fprintf(&bw, "    subgraph %s[\"%s\"]\n", ph.id, mermaidText(ph.title))
			fmt.Fprintln(&bw, "      direction TB")
			for _, n := range ph.nodes {
				node("      ", n)
			}
			fmt.Fprintln(&bw, "    end")
		}
		fmt.Fprintln(&bw, "  end")
	}
	edges := len(g.edges)
	// Recoveries in priority order, one below the other: Mermaid lays sibling subgraphs
	// without edges between them out in reverse, side by side; invisible links order them.
	for i := 1; i < len(g.recoveries); i++ {
		fmt.Fprintf(&bw, "  %s ~~~ %s\n", g.recoveries[i-1].id, g.recoveries[i].id)
		edges++
	}
	for _, e := range g.edges {
		fmt.Fprintf(&bw, "  %s --> %s\n", e.from.id, e.to.id)
	}
	fmt.Fprintln(&bw, "  classDef outage fill:#f8d7da,stroke:#b02a37,color:#000")
	fmt.Fprintln(&bw, "  classDef serviceback fill:#d1e7dd,stroke:#146c43,color:#000")
	fmt.Fprintln(&bw, "  classDef dataloss stroke:#b02a37,stroke-width:4px")
	fmt.Fprintln(&bw, "  classDef manual stroke-dasharray:6 3")
	for _, c := range []struct {
		class string
		ids   []string
	}{{"outage", down}, {"serviceback", back}, {"dataloss", loss}, {"manual", manual}} {
		if len(c.ids) > 0 {
			fmt.Fprintf(&bw, "  class %s %s\n", strings.Join(c.ids, ","), c.class)
		}
	}
	return bw.String(), edges
}

// mermaidText escapes s for a quoted Mermaid label: quotes, entity starts, HTML and
// markdown-string backticks become entity codes; control characters become "?".
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range clean(s) {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '`':
			b.WriteString("#96;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
