package planner

import (
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// serializeRecoveryMounts keeps one recovery database mounted per server (exchange-
// recovery.md 1.5, 4.1): walking the plan, when a recovery mounts its recovery database
// on a server where another recovery's is still mounted, that one's dismount is moved
// (or, when its clean-up is not in this plan, added) right before the mount, after its
// merges, and the mount waits for it. It returns the steps and a note per such hand-over.
func serializeRecoveryMounts(steps []*Step, rcs []*recCtx, st *state.State) ([]*Step, []string) {
	owner := make(map[string]*recCtx, len(rcs))
	for _, rc := range rcs {
		owner[rc.rdb.Name] = rc
	}
	open := map[string]string{} // server -> recovery database mounted there (of a planned recovery)
	for name, db := range st.Databases {
		if db != nil && db.Recovery && db.Mounted && owner[name] != nil {
			if cur, ok := open[db.Server]; !ok || name < cur {
				open[db.Server] = name
			}
		}
	}
	var notes []string
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		op := s.Operation
		rc := owner[op.Database]
		if rc == nil || op.Database != rc.rdb.Name || s.Recovery != rc.name {
			continue
		}
		switch op.Kind {
		case providers.OpDismountDatabase:
			if open[op.Server] == op.Database {
				delete(open, op.Server)
			}
		case providers.OpMountDatabase:
			cur := open[op.Server]
			open[op.Server] = op.Database
			if cur == "" || cur == op.Database {
				continue
			}
			prev := owner[cur]
			// The other recovery's merges (or last step) planned before this mount.
			var waitFor []string
			last := ""
			for _, b := range steps[:i] {
				if b.Recovery != prev.name {
					continue
				}
				last = b.ID
				if b.Operation.Kind == providers.OpMergeMailbox || b.Operation.Kind == providers.OpResumeRestoreRequest {
					waitFor = append(waitFor, b.ID)
				}
			}
			// With nothing of it planned before this mount, its database is handed over
			// only when its merge is done in earlier runs (a crash after its last merge
			// and before its dismount, or its clean-up planned in a later stage);
			// otherwise it is not progressing in this plan: the precondition says so.
			if last == "" && !mergeDone(prev, steps) {
				continue
			}
			if len(waitFor) == 0 && last != "" {
				waitFor = []string{last}
			}
			var dis *Step
			for j := i + 1; j < len(steps); j++ {
				if d := steps[j]; d.Recovery == prev.name && d.Operation.Kind == providers.OpDismountDatabase && d.Operation.Database == cur {
					dis = d
					steps = append(steps[:j], steps[j+1:]...)
					break
				}
			}
			if dis == nil {
				stage := stMerged
				if last == "" {
					// It raises no stage the recovery has not reached (its stage mark).
					stage = prev.to
				}
				dis = prev.newStep("dismount_recovery_database_after_merge", stage, 14, PhaseCleanUp, RiskReadOnly,
					providers.Operation{Kind: providers.OpDismountDatabase, Database: cur, Server: op.Server}, "", cmdDismount(cur))
				if prev.done[dis.ID] != nil {
					// Recorded done, yet mounted: not this plan's to undo; the precondition says so.
					continue
				}
			}
			for _, b := range steps[:i] {
				if b.ID == last {
					dis.Stage = b.Stage
				}
			}
			dis.DependsOn = waitFor
			dis.Summary = "Dismount " + cur + " now that recovery." + prev.name + "'s merge is done, so that " + op.Database +
				" can be mounted on " + op.Server + " (one mounted recovery database per server)"
			steps = append(steps[:i], append([]*Step{dis}, steps[i:]...)...)
			i++ // s is now at i
			s.DependsOn = append(append([]string(nil), s.DependsOn...), dis.ID)
			s.Summary += " (after recovery." + prev.name + " dismounts " + cur + ": one mounted recovery database per server)"
			notes = append(notes, "recovery databases on "+op.Server+" are mounted one at a time: recovery."+prev.name+
				" finishes its merge and dismounts "+cur+" ("+dis.ID+") before recovery."+rc.name+" mounts "+op.Database+" ("+s.ID+")")
		}
	}
	return steps, notes
}

// mergeDone reports whether a recovery's merge from its recovery database is behind
// it: it asks for stage merged or later and no step of it up to stage merged is left
// in the plan (every merge was recorded by an earlier run).
func mergeDone(rc *recCtx, steps []*Step) bool {
	if rc.to < stMerged {
		return false
	}
	for _, s := range steps {
		if s.Recovery == rc.name && config.StageIndex(s.Stage) <= stMerged {
			return false
		}
	}
	return true
}
