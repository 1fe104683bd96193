package planner

import (
	"sort"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// touchedObjects lists what an operation may change that a refresh compares: the
// databases it acts on and, for a re-home, the move of mailboxes between two databases.
func touchedObjects(op providers.Operation) []string {
	var out []string
	add := func(db string) {
		if db != "" {
			out = append(out, "database."+db)
		}
	}
	switch op.Kind {
	case providers.OpRehomeMailboxes, providers.OpRehomeSystemMailboxes:
		out = append(out, "mailboxes."+op.Database+">"+op.Target)
	case providers.OpRenameDatabase:
		add(op.Database)
		add(op.Target)
		out = append(out, "mailboxes."+op.Database+">"+op.Target)
	case providers.OpMergeMailbox, providers.OpResumeRestoreRequest, providers.OpRemoveRestoreRequests,
		providers.OpRepointProfiles, providers.OpManual, providers.OpResubmitQueues:
	default:
		add(op.Database)
	}
	return out
}

// OwnDrift splits what a refresh found changed into what an interrupted apply's started
// steps did themselves (own: their partial effects, which apply resumes) and the rest
// (outside: changed outside dialtone). Each own drift names its step in Step.
func OwnDrift(drift []Drift, st *state.State) (outside, own []Drift) {
	owner := map[string]string{}
	if st != nil {
		names := make([]string, 0, len(st.Recoveries))
		for name := range st.Recoveries {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			r := st.Recoveries[name]
			if r == nil {
				continue
			}
			ids := make([]string, 0, len(r.Touching))
			for id := range r.Touching {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				for _, obj := range r.Touching[id] {
					if owner[obj] == "" {
						owner[obj] = id
					}
				}
			}
		}
	}
	for _, d := range drift {
		key := d.Object
		if d.Kind == DriftMailboxesMoved {
			key = "mailboxes." + d.From + ">" + d.To
		}
		switch d.Kind {
		case DriftDatabaseAdded, DriftDatabaseRemoved, DriftDatabaseMounted, DriftDatabaseDismounted,
			DriftDatabaseFilesLost, DriftMailboxesMoved:
			if id := owner[key]; id != "" {
				d.Step = id
				own = append(own, d)
				continue
			}
		}
		outside = append(outside, d)
	}
	return outside, own
}
