package main

import (
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
)

// cmdGraph prints the step graph of the plan, as plan would compute it (refresh, then
// plan) or of a saved plan (-plan=FILE): Graphviz DOT by default, or Mermaid. Like
// plan it changes nothing.
func cmdGraph(c *cli, args []string) int {
	fs := newFlagSet(c, "graph", "graph [-format=dot|mermaid] [-refresh=false] [-plan=FILE] [-var 'NAME=VALUE'] [-var-file=FILE]")
	format := fs.String("format", "dot", "dot (Graphviz: dialtone graph | dot -Tsvg > plan.svg) or mermaid (renders in GitHub)")
	refresh := fs.Bool("refresh", true, "read the organization through the provider first")
	planFile := fs.String("plan", "", "graph this saved plan instead of planning")
	vars := addVarFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("graph takes no arguments (got %q); a saved plan goes in -plan=FILE", fs.Arg(0))
	}
	if isConfigFileName(*planFile) {
		return configNotPlanError(c, *planFile, `"dialtone graph" without -plan graphs the plan of the configuration`)
	}
	draw := render.DOT
	switch *format {
	case "dot":
	case "mermaid":
		draw = render.Mermaid
	default:
		return c.errorf("unknown graph format %q: use dot or mermaid", *format)
	}

	var p *planner.Plan
	if *planFile != "" {
		cfg, ok := loadConfigVars(c, vars)
		if p, ok = verifiedPlanFile(c, cfg, ok, *planFile, *refresh); !ok {
			return exitError
		}
	} else {
		cfg, ok := loadConfigVars(c, vars)
		if !ok {
			return exitError
		}
		s, err := openSession(c, cfg, "")
		if err != nil {
			return c.errorf("%v", err)
		}
		defer s.close(c)
		st, prov := s.st, s.prov
		if *refresh {
			if err := refreshFrom(c, prov, st); err != nil {
				return c.errorf("%v", err)
			}
		}
		if p, ok = makePlan(c, cfg, st, prov.Capabilities()); !ok {
			return exitError
		}
	}
	if err := draw(c.stdout, p); err != nil {
		return c.errorf("rendering the graph: %v", err)
	}
	return exitOK
}
