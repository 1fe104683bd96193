package planner

import (
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Compute plans: it returns the steps that move every recovery of cfg from the stage
// recorded in st to the stage cfg asks for. (It cannot be named Plan: that is the type.)
// It only reads its inputs: the same inputs give the same plan, byte for byte. caps
// turns what the provider cannot do into manual steps.
//
// Steps are ordered stage by stage and, within a stage, recovery by recovery (by
// priority, lower first, then name), each recovery's steps in Microsoft's order: in a
// site failure every recovery gets dial tone before any restore starts. Recovery
// database mounts are serialized per server (one mounted at a time): a recovery's merge
// and dismount finish before the next recovery mounts one there. Steps already
// recorded done are left out.
//
// Error diagnostics name recoveries that cannot be planned (stage moving backwards,
// data loss nobody accepted) and every failed precondition (step, object, limit, fix);
// the plan still holds the steps, with their preconditions (see FailedPreconditions).
//
// opts narrow the plan by -target and -exclude; the zero value plans everything.
func Compute(cfg *config.Config, st *state.State, caps providers.Capabilities, opts ComputeOptions) (*Plan, hcl.Diagnostics) {
	if st == nil {
		st = &state.State{} // nil maps read as empty
	}
	p := &Plan{
		FormatVersion: PlanFormatVersion,
		Lineage:       st.Lineage,
		Serial:        st.Serial,
		Recoveries:    []RecoveryChange{},
		Steps:         []*Step{},
		Outages:       []OutageWindow{},
	}
	if cfg == nil {
		p.Snapshot = Snap(st)
		return p, nil
	}
	p.ConfigDigest = cfg.Digest()
	p.ConfigFiles = cfg.FileDigests()

	var diags hcl.Diagnostics
	p.Variables = DigestVariables(cfg)
	names := make([]string, 0, len(cfg.Recoveries))
	for name, rec := range cfg.Recoveries {
		if rec != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)

	var rcs []*recCtx
	for _, name := range names {
		rc, d := resolve(cfg, st, name, cfg.Recoveries[name])
		diags = append(diags, d...)
		if rc != nil {
			rcs = append(rcs, rc)
		}
	}
	// One pass over the mailboxes: the recoveries' mailboxes and the counts for the
	// snapshot and the checks.
	ptrs, d := attachMailboxes(st, rcs)
	diags = append(diags, d...)
	p.Snapshot = snapWith(st, ptrs)
	p.Unrecovered = unrecovered(cfg, st, ptrs)
	attachUnrecovered(cfg, st, rcs, p.Unrecovered)
	sort.SliceStable(rcs, func(i, j int) bool { return rcs[i].rec.Priority < rcs[j].rec.Priority })

	var byStage [stageCount][]*Step
	for _, rc := range rcs {
		var built [stageCount][]*Step
		switch rc.rec.Option {
		case config.OptionAlternateServer:
			built = alternateServer(rc, caps)
		case config.OptionAlternateServerStay:
			built = alternateServerStay(rc, caps)
		default:
			built = sameServer(rc, caps)
		}
		n := 0
		for i := range built {
			for _, s := range built[i] {
				if rc.done[s.ID] != nil {
					continue // a re-run plans only what is left
				}
				byStage[i] = append(byStage[i], s)
				n++
			}
		}
		if n > 0 {
			rc.settingsNotes()
			rc.topologyNotes(cfg, st)
		}
		if n == 0 && len(rc.notes) == 0 {
			continue
		}
		p.Recoveries = append(p.Recoveries, RecoveryChange{
			Name:      rc.name,
			Option:    rc.rec.Option,
			Database:  rc.failed.Name,
			Server:    rc.failed.Server,
			From:      stageName(rc.from),
			To:        config.Stages[rc.to],
			Mailboxes: len(rc.mailboxes),
			Priority:  rc.rec.Priority,
			DataLoss:  rc.dataLoss,
			Notes:     rc.notes,
		})
	}
	for i := range byStage {
		p.Steps = append(p.Steps, byStage[i]...)
	}

	byName := make(map[string]*recCtx, len(rcs))
	for _, rc := range rcs {
		byName[rc.name] = rc
	}
	p.Steps, p.Notes = serializeRecoveryMounts(p.Steps, rcs, st)
	storeRestartImpact(p, st)
	if opts.targeting() {
		if d := applyTargets(p, cfg, opts); d.HasErrors() {
			return p, append(diags, d...)
		}
	}
	// Before recordCopyServers, which marks each recovery's first step: a dropped
	// rebuild must not take that mark with it.
	p.Steps = shareServerRebuilds(p.Steps)
	recordCopyServers(p, byName)
	diags = append(diags, checkPreconditions(p, byName, cfg, st, ptrs)...)
	p.Outages = outageWindows(p, byName)
	stepsForUnrecovered(p)
	return p, diags
}
