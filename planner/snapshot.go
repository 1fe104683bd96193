package planner

import "github.com/dialtone/dialtone/state"

// Snap summarises what a plan relies on in st: every database (server, mount and
// shutdown state, files, mailbox count) and whether every server is up. A nil state
// gives an empty snapshot. The maps are never nil, so the JSON form is stable.
func Snap(st *state.State) Snapshot {
	snap := Snapshot{Databases: map[string]DatabaseSnapshot{}, Servers: map[string]bool{}}
	if st == nil {
		return snap
	}
	for name, s := range st.Servers {
		if s != nil {
			snap.Servers[name] = s.Up
		}
	}
	counts := make(map[string]int, len(st.Databases))
	for _, mb := range st.Mailboxes {
		if mb != nil {
			counts[mb.Database]++
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
			Mailboxes: counts[name],
		}
	}
	return snap
}
