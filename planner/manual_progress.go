package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Manual steps are carried out by a person between a plan and its apply: the plan
// says so, apply pauses there. Their progress must not make a reviewed plan useless
// (issue 15): a manual step confirmed, or found done in the organization (a rebuilt
// server is up), leaves the rest of a saved plan exactly as reviewed.

// ConfirmSeen says what the organization, as last read into st, shows of a manual
// step's effect, for confirm to check before recording it: ok is false when it shows
// the effect missing (a rebuilt server still down, a restored database's files not
// there), and seen says what was seen. Steps whose effect dialtone cannot see (a
// client profile repointed) are ok with seen "".
func ConfirmSeen(s *Step, st *state.State) (seen string, ok bool) {
	if s == nil || st == nil {
		return "", true
	}
	op := s.Operation
	switch op.Kind {
	case providers.OpRecoverServer:
		srv := st.Servers[op.Server]
		switch {
		case srv == nil:
			return "server " + op.Server + " is not in the organization as read", false
		case !srv.Up:
			return "server " + op.Server + " is still down as the organization reports it", false
		}
		return "server " + op.Server + " is up", true
	case providers.OpRestoreBackup:
		db := st.Databases[op.Database]
		switch {
		case db == nil:
			return "database " + op.Database + " is not in the organization as read", false
		case !db.FilesOK:
			return "the files of " + op.Database + " are missing or damaged as the organization reports them", false
		}
		return "the files of " + op.Database + " are there", true
	case providers.OpAddCopies:
		db := st.Databases[op.Database]
		if db == nil {
			return "database " + op.Database + " is not in the organization as read", false
		}
		// A copy counts once it is healthy (a status Active Manager activates), not
		// merely listed: Exchange keeps a Failed or ServiceDown copy object after its
		// server or disk died, and a copy still Seeding protects nothing yet.
		var missing, unhealthy []string
		for _, srv := range op.Servers {
			i := slices.IndexFunc(db.Copies, func(c state.DatabaseCopy) bool { return strings.EqualFold(c.Server, srv) })
			switch {
			case i < 0:
				missing = append(missing, srv)
			case !db.Copies[i].Healthy:
				status := db.Copies[i].Status
				if status == "" {
					status = "not healthy"
				}
				unhealthy = append(unhealthy, srv+": "+status)
			}
		}
		var why []string
		if len(missing) > 0 {
			why = append(why, op.Database+" has no copy on "+strings.Join(missing, ", "))
		}
		if len(unhealthy) > 0 {
			why = append(why, op.Database+"'s copies are not healthy ("+strings.Join(unhealthy, ", ")+
				"; reseed a failed copy, wait for a seeding one, then refresh)")
		}
		if len(why) > 0 {
			return strings.Join(why, "; ") + " as the organization reports it", false
		}
		return op.Database + " has healthy copies on " + strings.Join(op.Servers, ", "), true
	}
	return "", true
}

// FoundDone says whether the manual step stepID is no longer planned because the
// organization shows its effect, and what it shows: today a server rebuilt by hand
// (recover_server of an alternate_server recovery) that is up again. A step the
// configuration could not plan at all is not found done.
func FoundDone(cfg *config.Config, st *state.State, stepID string) (seen string, ok bool) {
	if cfg == nil || st == nil {
		return "", false
	}
	rest, found := strings.CutPrefix(stepID, "recovery.")
	name, key, found2 := strings.Cut(rest, ".")
	if !found || !found2 || key != "recover_server" {
		return "", false
	}
	rec := cfg.Recoveries[name]
	if rec == nil || rec.Option != config.OptionAlternateServer {
		return "", false
	}
	db := cfg.Databases[rec.Database.Name]
	if db == nil {
		return "", false
	}
	if r := st.Recoveries[name]; r != nil && r.Steps[stepID] != nil {
		return "", false // recorded: not "found"
	}
	if srv := st.Servers[db.Server.Name]; srv != nil && srv.Up {
		return "server " + db.Server.Name + " is up", true
	}
	return "", false
}

// ManualDone is a manual step of a saved plan carried out since the plan was made.
type ManualDone struct {
	Step *Step
	How  string // "confirmed by NAME" or "found done: server EX01 is up"
}

// ManualProgress is StaleReasons (against cfg) for a saved plan some of whose manual steps
// were carried out since it was made: those steps (confirmed in st, or found done in
// the organization) are returned, and what they explain is not a reason: the state
// serial (confirm and refresh write the state) and the snapshot of the servers and
// databases they touch (a rebuilt server up, its databases' files there). Any other
// move is a reason as before. With no such step it is StaleReasons. The caller
// compares the plan computed again with saved minus those steps (CompareSteps).
func ManualProgress(saved *Plan, cfg *config.Config, st *state.State) ([]ManualDone, []string) {
	if saved == nil || st == nil {
		return nil, StaleReasons(saved, st, StaleOptions{Config: cfg})
	}
	var done []ManualDone
	touched := map[string]bool{} // snapshot prefixes the done steps explain
	for _, s := range saved.Steps {
		if s == nil || !s.Manual {
			continue
		}
		how := ""
		if r := st.Recoveries[s.Recovery]; r != nil && r.Steps[s.ID] != nil {
			rec := r.Steps[s.ID]
			if rec.Result != RecordConfirmed {
				continue
			}
			how = "confirmed by " + rec.ConfirmedBy
		} else if seen, ok := FoundDone(cfg, st, s.ID); ok {
			how = "found done: " + seen
		} else {
			continue
		}
		done = append(done, ManualDone{Step: s, How: how})
		op := s.Operation
		if op.Server != "" {
			touched["server "+op.Server+": "] = true
			for name, db := range saved.Snapshot.Databases {
				if db.Server == op.Server {
					touched["database "+name+": "] = true
				}
			}
		}
		if op.Database != "" {
			touched["database "+op.Database+": "] = true
		}
	}
	if len(done) == 0 {
		return nil, StaleReasons(saved, st, StaleOptions{Config: cfg})
	}
	// No step of the plan other than these may have been recorded since: the rest of
	// the plan is still to run, as reviewed.
	var reasons []string
	for _, s := range saved.Steps {
		r := st.Recoveries[s.Recovery]
		if r == nil || r.Steps[s.ID] == nil {
			continue
		}
		if !isDone(done, s.ID) {
			reasons = append(reasons, fmt.Sprintf("step %s was carried out since the plan was made", s.ID))
		}
	}
	cp := *saved
	cp.Serial = st.Serial // confirm and refresh move it; what they moved is checked below
	for _, r := range staleReasons(&cp, cfg.Digest(), cfg, st) {
		explained := false
		for prefix := range touched {
			if strings.HasPrefix(r, prefix) {
				explained = true
				break
			}
		}
		if !explained {
			reasons = append(reasons, r)
		}
	}
	return done, reasons
}

func isDone(done []ManualDone, id string) bool {
	for _, d := range done {
		if d.Step.ID == id {
			return true
		}
	}
	return false
}

// WithoutSteps returns the steps of p, in order, less those done.
func WithoutSteps(p *Plan, done []ManualDone) []*Step {
	out := make([]*Step, 0, len(p.Steps))
	for _, s := range p.Steps {
		if !isDone(done, s.ID) {
			out = append(out, s)
		}
	}
	return out
}

// CompareRemaining compares the steps left of a saved plan (WithoutSteps) with the
// plan computed again, in order, by what runs: ID, operation, command lines, summary,
// risk, manual. Preconditions and dependencies are left out: the manual steps done
// change their results (a server the plan rebuilt is now simply up) and the steps
// that waited for them, and every precondition is checked again before its step
// runs. It returns the first difference, nil when the rest is the plan as reviewed.
func CompareRemaining(left, fresh []*Step) *Mismatch {
	n := max(len(left), len(fresh))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(fresh):
			return &Mismatch{Number: i + 1, Step: left[i].ID, What: "in the file, but not in the plan the configuration and state give"}
		case i >= len(left):
			return &Mismatch{Number: i + 1, Step: fresh[i].ID, What: "missing from the file (the configuration and state plan it here)"}
		}
		a, b := left[i], fresh[i]
		if a.ID != b.ID {
			return &Mismatch{Number: i + 1, Step: a.ID, What: fmt.Sprintf("the configuration and state plan %s here", b.ID)}
		}
		what := firstDifference("operation", a.Operation, b.Operation)
		if what == "" {
			what = firstDifference("commands", a.Commands, b.Commands)
		}
		if what == "" {
			what = firstDifference("summary", a.Summary, b.Summary)
		}
		if what == "" {
			what = firstDifference("risk", a.Risk, b.Risk)
		}
		if what == "" {
			what = firstDifference("manual", a.Manual, b.Manual)
		}
		if what != "" {
			return &Mismatch{Number: i + 1, Step: a.ID, What: what}
		}
	}
	return nil
}
