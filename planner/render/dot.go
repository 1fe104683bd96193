package render

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// DOT writes the plan's step graph in Graphviz DOT (dot -Tsvg): the same graph as
// Mermaid, recoveries and phases as clusters, users-down steps filled red, the step
// that gives service back green, data-loss risks with a thick red border, manual steps
// dashed, many merge steps of a recovery as one node. Strings are DOT-quoted.
func DOT(w io.Writer, p *planner.Plan) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	bw := bufio.NewWriter(w)
	g := buildGraph(p)
	fmt.Fprintln(bw, "digraph dialtone {")
	fmt.Fprintln(bw, `  rankdir="TB";`)
	fmt.Fprintln(bw, `  node [shape="box", style="rounded,filled", fillcolor="white", fontname="Helvetica"];`)
	fmt.Fprintln(bw, `  graph [fontname="Helvetica"];`)
	if p.Partial {
		fmt.Fprintf(bw, "  label=%s;\n  labelloc=\"t\";\n  fontcolor=\"#b58900\";\n", dotQuote(partialLabel(p)))
	}
	if len(g.nodes) == 0 {
		fmt.Fprintln(bw, `  empty [label="No changes. Every recovery is at its requested stage."];`)
	}
	for _, r := range g.recoveries {
		fmt.Fprintf(bw, "  subgraph cluster_%s {\n", r.id)
		fmt.Fprintf(bw, "    label=%s;\n", dotQuote("recovery."+r.name))
		for _, ph := range r.phases {
			fmt.Fprintf(bw, "    subgraph cluster_%s {\n", ph.id)
			fmt.Fprintf(bw, "      label=%s;\n", dotQuote(ph.title))
			for _, n := range ph.nodes {
				label := dotQuote(n.title)
				if n.detail != "" {
					label = dotQuote(n.title, n.detail)
				}
				attrs := []string{"label=" + label}
				switch {
				case n.down():
					attrs = append(attrs, `fillcolor="#f8d7da"`)
				case n.outage == planner.OutageEnds:
					attrs = append(attrs, `fillcolor="#d1e7dd"`)
				}
				if n.risk == planner.RiskDataLoss {
					attrs = append(attrs, `color="#b02a37"`, `penwidth="3"`)
				}
				if n.manual {
					attrs = append(attrs, `style="rounded,filled,dashed"`)
				}
				fmt.Fprintf(bw, "      %s [%s];\n", n.id, strings.Join(attrs, ", "))
			}
			fmt.Fprintln(bw, "    }")
		}
		fmt.Fprintln(bw, "  }")
	}
	for _, e := range g.edges {
		fmt.Fprintf(bw, "  %s -> %s;\n", e.from.id, e.to.id)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// dotQuote is lines as one DOT string: quotes and backslashes escaped, lines joined
// by \n, control characters (line breaks within a line too) as "?".
func dotQuote(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`\n`)
		}
		l = clean(l)
		l = strings.ReplaceAll(l, `\`, `\\`)
		l = strings.ReplaceAll(l, `"`, `\"`)
		b.WriteString(l)
	}
	b.WriteByte('"')
	return b.String()
}
