package planner

import "github.com/dialtone/dialtone/state"

// Snap summarises what a plan relies on in st: every database (server, mount and
// shutdown state, files, mailbox count) and whether every server is up. A nil state
// gives an empty snapshot. The maps are never nil, so the JSON form is stable.
func Snap(st *state.State) Snapshot {
	if st == nil {
		return Snapshot{Databases: map[string]DatabaseSnapshot{}, Servers: map[string]bool{}}
	}
	return snapWith(st, countPointers(st))
}

// snapWith is Snap with the mailboxes already counted (countPointers(st)).
func snapWith(st *state.State, ptrs map[string]*pointers) Snapshot {
	snap := Snapshot{Databases: map[string]DatabaseSnapshot{}, Servers: map[string]bool{}}
	for name, s := range st.Servers {
		if s != nil {
			snap.Servers[name] = s.Up
		}
	}
	for name, db := range st.Databases {
		if db == nil {
			continue
		}
		snap.Databases[name] = DatabaseSnapshot{
			Server:    db.Server,
			Mounted:   db.Mounted,
			Clean:     db.Clean,
			FilesOK:   db.FilesOK,
			Mailboxes: mailboxesOn(ptrs, name),
		}
	}
	return snap
}

// mailboxesOn is how many mailboxes (users and system) are homed on db.
func mailboxesOn(ptrs map[string]*pointers, db string) int {
	if p := ptrs[db]; p != nil {
		return p.users + p.system
	}
	return 0
}
