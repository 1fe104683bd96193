package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
)

// ComputeOptions narrow a plan to some recoveries (-target, -exclude).
//
// An address is recovery.NAME, or database.NAME for the recovery of that database.
// With Targets the plan holds the targeted recoveries plus the dependency closure they
// pull in; Excludes drop recoveries (from all of them, or from the targets' closure).
// Dependencies are followed step by step, but a recovery is pulled in by whole stages:
// the stage mark that apply records with a stage's last step must never come early.
// The typical pull is RDB serialization in a site failure: a recovery whose recovery
// database mounts on a server where another recovery's is mounted waits for that one's
// dismount, so it pulls in that recovery's stages up to the dismount. Excluding a
// recovery that a target needs is an error naming both.
type ComputeOptions struct {
	Targets  []config.Addr
	Excludes []config.Addr
}

// PulledIn is a recovery that a targeted plan holds without it being targeted, and why.
type PulledIn struct {
	Recovery string `json:"recovery"` // recovery.NAME
	Reason   string `json:"reason"`
}

// targeting reports whether opts narrow the plan.
func (o ComputeOptions) targeting() bool { return len(o.Targets) > 0 || len(o.Excludes) > 0 }

// ParseTargetAddr reads recovery.NAME or database.NAME (from -target or -exclude).
func ParseTargetAddr(s string) (config.Addr, error) {
	kind, name, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok || name == "" || (kind != config.KindRecovery && kind != config.KindDatabase) {
		return config.Addr{}, fmt.Errorf("%q is not a target: use recovery.NAME (a recovery block) or database.NAME (the recovery of that database)", s)
	}
	return config.Addr{Kind: kind, Name: name}, nil
}

// resolveTargets maps addresses to recovery names; unknown ones are errors.
func resolveTargets(cfg *config.Config, addrs []config.Addr, flag string) (map[string]string, hcl.Diagnostics) {
	out := map[string]string{} // recovery name -> the address that named it
	var diags hcl.Diagnostics
	for _, a := range addrs {
		switch a.Kind {
		case config.KindRecovery:
			if cfg.Recoveries[a.Name] == nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + flag + " address",
					Detail: fmt.Sprintf("-%s=%s: no recovery %q is declared. Declared recoveries: %s.", flag, a, a.Name, nameList(cfg.Recoveries))})
				continue
			}
			out[a.Name] = a.String()
		case config.KindDatabase:
			r := cfg.RecoveryFor(a.Name)
			if r == nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + flag + " address",
					Detail: fmt.Sprintf("-%s=%s: no recovery recovers database %q. %s names the recovery of a database; declared recoveries: %s.", flag, a, a.Name, a, nameList(cfg.Recoveries))})
				continue
			}
			out[r.Name] = a.String()
		default:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + flag + " address",
				Detail: fmt.Sprintf("-%s=%s: use recovery.NAME or database.NAME.", flag, a)})
		}
	}
	return out, diags
}

func nameList[V any](m map[string]V) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// applyTargets narrows p (steps, recoveries, notes) to the targeted recoveries and
// their closure, and records Partial, Targets, Excludes and PulledIn.
func applyTargets(p *Plan, cfg *config.Config, opts ComputeOptions) hcl.Diagnostics {
	targets, diags := resolveTargets(cfg, opts.Targets, "target")
	excludes, d := resolveTargets(cfg, opts.Excludes, "exclude")
	diags = append(diags, d...)
	p.Partial = true
	for _, a := range opts.Targets {
		p.Targets = append(p.Targets, a.String())
	}
	for _, a := range opts.Excludes {
		p.Excludes = append(p.Excludes, a.String())
	}
	if diags.HasErrors() {
		return diags
	}
	for name, by := range excludes {
		if t, ok := targets[name]; ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Target excluded",
				Detail: fmt.Sprintf("-target=%s and -exclude=%s both name recovery.%s; drop one of them.", t, by, name)})
		}
	}
	if diags.HasErrors() {
		return diags
	}

	byID := make(map[string]*Step, len(p.Steps))
	for _, s := range p.Steps {
		byID[s.ID] = s
	}
	type stageOf struct{ recovery, stage string }
	chosen := map[string]bool{} // recoveries selected (targets, or all but the excluded)
	for _, rc := range p.Recoveries {
		if len(targets) > 0 && targets[rc.Name] == "" {
			continue
		}
		if excludes[rc.Name] == "" {
			chosen[rc.Name] = true
		}
	}
	for name := range targets {
		chosen[name] = true
	}
	needed := map[string]bool{}
	stages := map[stageOf]bool{}
	reasons := map[string]string{} // pulled-in recovery -> why (the first reason found)
	var queue []*Step
	add := func(s *Step) {
		if !needed[s.ID] {
			needed[s.ID] = true
			queue = append(queue, s)
		}
	}
	addStage := func(k stageOf) {
		if stages[k] {
			return
		}
		stages[k] = true
		for _, s := range p.Steps {
			if s.Recovery == k.recovery && s.Stage == k.stage {
				add(s)
			}
		}
	}
	for _, s := range p.Steps {
		if chosen[s.Recovery] {
			add(s)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		addStage(stageOf{s.Recovery, s.Stage})
		for _, dep := range s.DependsOn {
			b := byID[dep]
			if b == nil {
				continue // done before this plan
			}
			if b.Recovery != s.Recovery && !chosen[b.Recovery] {
				if by, ok := excludes[b.Recovery]; ok {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Excluded recovery is needed",
						Detail: fmt.Sprintf("-exclude=%s drops recovery.%s, but step %s of recovery.%s waits for its step %s%s. Remove the -exclude, or target recovery.%s only after recovery.%s has got past that step.",
							by, b.Recovery, s.ID, s.Recovery, b.ID, why(b), s.Recovery, b.Recovery)})
					continue
				}
				if _, ok := reasons[b.Recovery]; !ok {
					reasons[b.Recovery] = fmt.Sprintf("step %s of recovery.%s waits for its step %s%s", s.ID, s.Recovery, b.ID, why(b))
				}
			}
			add(b)
		}
	}
	if diags.HasErrors() {
		return diags
	}

	kept := p.Steps[:0]
	recs := map[string]bool{}
	for _, s := range p.Steps {
		if needed[s.ID] {
			kept = append(kept, s)
			recs[s.Recovery] = true
		}
	}
	p.Steps = kept
	var changes []RecoveryChange
	for _, rc := range p.Recoveries {
		if !chosen[rc.Name] && recs[rc.Name] {
			// Pulled in by whole stages: it gets as far as its last stage kept.
			last := rc.From
			for _, s := range p.Steps {
				if s.Recovery == rc.Name && config.StageIndex(s.Stage) > config.StageIndex(last) {
					last = s.Stage
				}
			}
			if last != rc.To {
				rc.Notes = append(append([]string(nil), rc.Notes...), fmt.Sprintf("pulled in by the targets: planned up to stage %q only (it asks for %q)", last, rc.To))
				rc.To = last
			}
		}
		if chosen[rc.Name] || recs[rc.Name] {
			changes = append(changes, rc)
		}
	}
	p.Recoveries = changes
	if p.Recoveries == nil {
		p.Recoveries = []RecoveryChange{}
	}
	for _, name := range keysOf(reasons) {
		p.PulledIn = append(p.PulledIn, PulledIn{Recovery: "recovery." + name, Reason: reasons[name]})
	}
	// Plan-wide notes that name a recovery left out no longer apply.
	var notes []string
	for _, n := range p.Notes {
		if mentionsOnly(n, recs) {
			notes = append(notes, n)
		}
	}
	p.Notes = notes
	return diags
}

// why explains a cross-recovery dependency when it is the RDB hand-over.
func why(b *Step) string {
	if b.Operation.Kind == providers.OpDismountDatabase {
		return fmt.Sprintf(" (dismount %s: one recovery database mounted on %s at a time)", b.Operation.Database, b.Operation.Server)
	}
	return ""
}

// mentionsOnly reports whether every recovery.NAME in the note is one of recs.
func mentionsOnly(note string, recs map[string]bool) bool {
	for _, f := range strings.Fields(note) {
		rest, ok := strings.CutPrefix(f, "recovery.")
		if !ok {
			continue
		}
		name := strings.FieldsFunc(rest, func(r rune) bool { return r == '\'' || r == '.' || r == ' ' || r == '(' || r == ')' })
		if len(name) > 0 && !recs[name[0]] {
			return false
		}
	}
	return true
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
