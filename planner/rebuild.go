package planner

import (
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// shareServerRebuilds keeps one rebuild of a lost server per plan. Each alternate_server
// recovery of a database on a lost server plans its own recover_server, but a server is
// rebuilt once: the first rebuild in plan order stays, and a later recovery's is dropped
// (apply never reached it anyway: the walk holds every step on that server, its rebuild
// included, behind the first, and once that one is confirmed the server is up and no
// rebuild is planned again). The step that followed a dropped rebuild in its recovery
// waits for the kept one (DependsOn), so renderers can say "done by step N" and
// -target on the plan keeps the order. The journal's step IDs are those an apply
// records today: only the rebuild confirmed.
//
// It runs after -target has narrowed the plan: a targeted recovery whose server's first
// rebuild belongs to a recovery left out keeps its own.
func shareServerRebuilds(steps []*Step) []*Step {
	first := map[string]*Step{}   // server -> the plan's rebuild of it
	dropped := map[string]*Step{} // ID of a dropped rebuild -> the kept one
	pending := map[string]*Step{} // recovery -> the kept rebuild its next step waits for
	out := steps[:0]
	for _, s := range steps {
		if s.Operation.Kind == providers.OpRecoverServer && s.Operation.Server != "" {
			key := strings.ToUpper(s.Operation.Server)
			if f := first[key]; f != nil && f.Recovery != s.Recovery {
				dropped[s.ID] = f
				pending[s.Recovery] = f
				continue
			}
			if first[key] == nil {
				first[key] = s
			}
		}
		var deps []string
		changed := false
		for _, d := range s.DependsOn {
			if f := dropped[d]; f != nil {
				d, changed = f.ID, true
			}
			deps = appendNew(deps, d)
		}
		if f := pending[s.Recovery]; f != nil {
			delete(pending, s.Recovery)
			deps, changed = appendNew(deps, f.ID), true
		}
		if changed {
			s.DependsOn = deps
		}
		out = append(out, s)
	}
	return out
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// RebuiltBy returns, for each step of p that waits for another recovery's rebuild of a
// server (shareServerRebuilds), that rebuild step: the renderers show "Rebuild EX01:
// done by step N" in the waiting recovery.
func RebuiltBy(p *Plan) map[*Step]*Step {
	byID := map[string]*Step{}
	for _, s := range p.Steps {
		if s != nil && s.Operation.Kind == providers.OpRecoverServer {
			byID[s.ID] = s
		}
	}
	if len(byID) == 0 {
		return nil
	}
	out := map[*Step]*Step{}
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		for _, d := range s.DependsOn {
			if r := byID[d]; r != nil && r.Recovery != s.Recovery {
				out[s] = r
				break
			}
		}
	}
	return out
}
