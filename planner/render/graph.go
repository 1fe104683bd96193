package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// mergeNodes is how many merge steps of a recovery the graphs draw one by one; a
// recovery with more has them collapsed into one node that says how many.
const mergeNodes = 5

// stepGraph is the plan's step graph as Mermaid and DOT draw it: nodes in apply order,
// grouped by recovery then phase, and the dependency edges between them.
type stepGraph struct {
	recoveries []graphRecovery
	edges      []graphEdge // sorted by (from, to) node order
	nodes      map[string]*graphNode
	phaseNodes bool // one node per recovery and phase (buildPhaseGraph)
}

type graphRecovery struct {
	id     string // r1, r2, ... in plan order
	name   string
	phases []graphPhase
}

type graphPhase struct {
	id    string // r1p1, ...
	title string
	nodes []*graphNode
}

type graphNode struct {
	id     string // s<number> for a step, r<i>merge for collapsed merges
	order  int    // for sorting edges: the (first) step number
	steps  int    // how many steps it stands for
	title  string // "8. dismount_dial_tone_database"
	detail string // "user outage, outage starts"
	outage planner.Outage
	risk   planner.Risk
	manual bool
}

type graphEdge struct{ from, to *graphNode }

// buildGraph groups the plan's steps for drawing. Edges come from DependsOn; an edge to
// a step outside the plan (done by an earlier apply) is left out.
func buildGraph(p *planner.Plan) *stepGraph {
	g := &stepGraph{nodes: map[string]*graphNode{}}
	byRecovery := map[string][]*planner.Step{}
	var order []string
	for _, r := range p.Recoveries {
		order = append(order, r.Name)
	}
	listed := map[string]bool{}
	for _, n := range order {
		listed[n] = true
	}
	var extra []string
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		if !listed[s.Recovery] {
			listed[s.Recovery] = true
			extra = append(extra, s.Recovery)
		}
		byRecovery[s.Recovery] = append(byRecovery[s.Recovery], s)
	}
	sort.Strings(extra)
	order = append(order, extra...)

	numbers := map[*planner.Step]int{}
	for i, s := range p.Steps {
		if s != nil {
			numbers[s] = i + 1
		}
	}
	nodeOf := map[string]*graphNode{} // step ID -> its node
	for ri, name := range order {
		steps := byRecovery[name]
		if len(steps) == 0 {
			continue
		}
		rec := graphRecovery{id: fmt.Sprintf("r%d", ri+1), name: name}
		merges := 0
		for _, s := range steps {
			if isMerge(s) {
				merges++
			}
		}
		var collapsed *graphNode
		prefix := "recovery." + name + "."
		for _, s := range steps {
			if len(rec.phases) == 0 || rec.phases[len(rec.phases)-1].title != phaseName(s.Phase) {
				rec.phases = append(rec.phases, graphPhase{id: fmt.Sprintf("%sp%d", rec.id, len(rec.phases)+1), title: phaseName(s.Phase)})
			}
			ph := &rec.phases[len(rec.phases)-1]
			if isMerge(s) && merges > mergeNodes {
				if collapsed == nil {
					collapsed = &graphNode{id: rec.id + "merge", order: numbers[s],
						title:  fmt.Sprintf("%d+. merge: %d steps, one per mailbox", numbers[s], merges),
						detail: riskWords(s.Risk) + ", shown as one node", risk: s.Risk, steps: merges}
					ph.nodes = append(ph.nodes, collapsed)
					g.nodes[collapsed.id] = collapsed
				}
				nodeOf[s.ID] = collapsed
				continue
			}
			n := &graphNode{id: fmt.Sprintf("s%d", numbers[s]), order: numbers[s],
				title: fmt.Sprintf("%d. %s", numbers[s], strings.TrimPrefix(s.ID, prefix)), outage: s.Outage, risk: s.Risk, manual: s.Manual, steps: 1}
			n.detail = riskWords(s.Risk)
			if mk := outageWords[s.Outage]; mk != "" {
				n.detail += ", " + mk
			}
			if s.Manual {
				n.detail += ", manual"
			}
			ph.nodes = append(ph.nodes, n)
			nodeOf[s.ID] = n
			g.nodes[n.id] = n
		}
		g.recoveries = append(g.recoveries, rec)
	}

	seen := map[[2]*graphNode]bool{}
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		to := nodeOf[s.ID]
		for _, d := range s.DependsOn {
			from := nodeOf[d]
			if from == nil || to == nil || from == to || seen[[2]*graphNode{from, to}] {
				continue
			}
			seen[[2]*graphNode{from, to}] = true
			g.edges = append(g.edges, graphEdge{from, to})
		}
	}
	sort.Slice(g.edges, func(i, j int) bool {
		a, b := g.edges[i], g.edges[j]
		if a.from.order != b.from.order {
			return a.from.order < b.from.order
		}
		return a.to.order < b.to.order
	})
	return g
}

var outageWords = map[planner.Outage]string{
	planner.OutageContinues: "users down",
	planner.OutageStarts:    "outage starts",
	planner.OutageEnds:      "service back",
}

func riskWords(r planner.Risk) string {
	switch r {
	case planner.RiskReadOnly:
		return "read-only"
	case planner.RiskReversible:
		return "reversible"
	case planner.RiskOutage:
		return "user outage"
	case planner.RiskDataLoss:
		return "data-loss risk"
	}
	return string(r)
}

// down reports whether users are without service during the node's step.
func (n *graphNode) down() bool {
	return n.outage == planner.OutageStarts || n.outage == planner.OutageContinues
}
