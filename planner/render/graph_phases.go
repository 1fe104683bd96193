package render

import (
	"fmt"

	"github.com/dialtone/dialtone/planner"
)

// Mermaid's limits as GitHub applies them (Mermaid 11: maxEdges 500, maxTextSize
// 50,000), with room to spare: a chart over either shows an error instead.
const (
	mermaidMaxEdges = 450
	mermaidMaxChars = 45000
	// mermaidStepNodes is the most step nodes drawn one by one: above it a step graph
	// is drawn as one node per recovery and phase (per-step nodes are no longer readable).
	mermaidStepNodes = 120
)

// buildPhaseGraph is the plan's graph at the scale of phases: one node per recovery and
// phase (how many steps, whether users are down, manual steps, data-loss risks), an
// edge where a step of one phase node depends on a step of another.
func buildPhaseGraph(p *planner.Plan) *stepGraph {
	steps := buildGraph(p) // same recoveries, phases and order
	g := &stepGraph{nodes: map[string]*graphNode{}, phaseNodes: true}
	nodeOf := map[*graphNode]*graphNode{} // step node -> its phase node
	for _, r := range steps.recoveries {
		rec := graphRecovery{id: r.id, name: r.name}
		for _, ph := range r.phases {
			n := &graphNode{id: ph.id}
			count, down, back, manual, loss := 0, false, false, 0, 0
			for _, sn := range ph.nodes {
				nodeOf[sn] = n
				if n.order == 0 || sn.order < n.order {
					n.order = sn.order
				}
				count += sn.steps
				down = down || sn.down()
				back = back || sn.outage == planner.OutageEnds
				if sn.manual {
					manual++
				}
				if sn.risk == planner.RiskDataLoss {
					loss++
				}
			}
			n.title = fmt.Sprintf("%s: %s", ph.title, Count(count, "step", "steps"))
			switch {
			case down:
				n.outage, n.detail = planner.OutageContinues, "users down"
			case back:
				n.outage, n.detail = planner.OutageEnds, "service back"
			}
			if loss > 0 {
				n.risk = planner.RiskDataLoss
				n.detail = joinDetail(n.detail, Count(loss, "data-loss risk", "data-loss risks"))
			}
			if manual > 0 {
				n.manual = true
				n.detail = joinDetail(n.detail, Count(manual, "manual step", "manual steps"))
			}
			if down && back {
				n.detail = joinDetail(n.detail, "service back at its end")
			}
			rec.phases = append(rec.phases, graphPhase{id: ph.id, title: ph.title, nodes: []*graphNode{n}})
			g.nodes[n.id] = n
		}
		g.recoveries = append(g.recoveries, rec)
	}
	seen := map[[2]*graphNode]bool{}
	for _, e := range steps.edges {
		from, to := nodeOf[e.from], nodeOf[e.to]
		if from == nil || to == nil || from == to || seen[[2]*graphNode{from, to}] {
			continue
		}
		seen[[2]*graphNode{from, to}] = true
		g.edges = append(g.edges, graphEdge{from, to})
	}
	return g
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}
