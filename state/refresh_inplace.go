package state

import "strings"

// MailboxChange is one mailbox a MailboxRefresh found changed in where it lives:
// moved From a database To another, New (To set) or Gone (From set).
type MailboxChange struct {
	Address, From, To string
	New, Gone         bool
}

// Marks of Mailbox.refreshed during a MailboxRefresh.
const (
	markSeen uint8 = 1 + iota // observed, was in the state
	markNew                   // observed, was not in the state
)

// MailboxRefresh updates a state's mailboxes in place from a stream of observed ones,
// so that a refresh keeps one map of mailboxes alive instead of two (the decoded one
// and the observed one) and finds what moved as it goes instead of comparing two maps
// afterwards. Unchanged mailboxes cost a lookup: no allocation, no map growth.
//
//	r := st.BeginMailboxRefresh()
//	... r.Observe(m) for every mailbox observed ...
//	changes := r.Finish(true) // removes the mailboxes not observed
//
// After Begin and before Finish the state's mailboxes are a mix of old and new: a
// caller whose read fails must call Abort and must not write the state.
type MailboxRefresh struct {
	s     *State
	names map[string]string // database and kind names, one string each
	// moved holds the mailboxes that were in the state and whose database changed,
	// with the database before the refresh (new ones are marked markNew instead).
	moved map[string]string
	slab  []Mailbox // new mailboxes are allocated in slabs
}

// BeginMailboxRefresh starts an in-place refresh of s's mailboxes.
func (s *State) BeginMailboxRefresh() *MailboxRefresh {
	s.initMaps()
	return &MailboxRefresh{s: s, names: map[string]string{}, moved: map[string]string{}}
}

// name returns the one copy of a database or kind name (b may be borrowed).
func (r *MailboxRefresh) name(b string) string {
	if b == "" {
		return ""
	}
	if n, ok := r.names[b]; ok {
		return n
	}
	n := strings.Clone(b)
	r.names[n] = n
	return n
}

// Observe records one observed mailbox. m and its strings may be borrowed (valid only
// during the call): whatever is kept is copied. A later observation of the same
// address wins, as in Observed.Mailboxes.
func (r *MailboxRefresh) Observe(m *Mailbox) {
	cur := r.s.Mailboxes[m.Address]
	switch {
	case cur == nil: // a nil entry counts as absent, as in DetectDrift
		if len(r.slab) == 0 {
			r.slab = make([]Mailbox, 1024)
		}
		cur = &r.slab[0]
		r.slab = r.slab[1:]
		cur.Address = strings.Clone(m.Address)
		cur.refreshed = markNew
		r.s.Mailboxes[cur.Address] = cur
	case cur.refreshed == 0:
		cur.refreshed = markSeen
		if cur.Database != m.Database {
			r.moved[cur.Address] = cur.Database
		}
	case cur.refreshed == markSeen && cur.Database != m.Database:
		if _, ok := r.moved[cur.Address]; !ok { // observed twice
			r.moved[cur.Address] = cur.Database
		}
	}
	if cur.ExchangeGuid != m.ExchangeGuid {
		cur.ExchangeGuid = strings.Clone(m.ExchangeGuid)
	}
	if cur.Database != m.Database {
		cur.Database = r.name(m.Database)
	}
	if cur.Kind != m.Kind {
		cur.Kind = r.name(m.Kind)
	}
	if cur.ArchiveDatabase != m.ArchiveDatabase {
		cur.ArchiveDatabase = r.name(m.ArchiveDatabase)
	}
	if cur.ArchiveGuid != m.ArchiveGuid {
		cur.ArchiveGuid = strings.Clone(m.ArchiveGuid)
	}
	cur.NoAutodiscover = m.NoAutodiscover
}

// Finish removes the mailboxes that were not observed and, with collect, returns what
// changed where mailboxes live (moved, appeared, gone), in no particular order (a
// caller that wants no drift, such as the first refresh of a state, passes false: the
// changes are then every mailbox). A nil entry in the map (never written by Decode)
// that was not observed is dropped without counting.
func (r *MailboxRefresh) Finish(collect bool) []MailboxChange {
	var out []MailboxChange
	for addr, m := range r.s.Mailboxes {
		switch {
		case m == nil:
			delete(r.s.Mailboxes, addr)
		case m.refreshed == 0:
			delete(r.s.Mailboxes, addr)
			if collect {
				out = append(out, MailboxChange{Address: addr, From: m.Database, Gone: true})
			}
		case m.refreshed == markNew:
			m.refreshed = 0
			if collect {
				out = append(out, MailboxChange{Address: addr, To: m.Database, New: true})
			}
		default:
			m.refreshed = 0
			if from, ok := r.moved[addr]; ok && collect && from != m.Database {
				out = append(out, MailboxChange{Address: addr, From: from, To: m.Database})
			}
		}
	}
	r.moved, r.slab = nil, nil
	return out
}

// Abort ends a refresh whose read failed: the marks are cleared, nothing is removed.
// The mailboxes observed so far stay updated: the state must not be written.
func (r *MailboxRefresh) Abort() {
	for _, m := range r.s.Mailboxes {
		if m != nil {
			m.refreshed = 0
		}
	}
	r.moved, r.slab = nil, nil
}

// RefreshObjects is Refresh for everything but the mailboxes (a MailboxRefresh
// updates those): servers and databases are replaced by o's, backups and restore
// requests when o knows them.
func (s *State) RefreshObjects(o *Observed) {
	s.initMaps()
	if o == nil {
		o = &Observed{}
	}
	keepSettings(s.Databases, o.Databases)
	s.Servers = o.Servers
	s.Databases = o.Databases
	if o.Backups != nil {
		s.Backups = o.Backups
	}
	if o.RestoreRequests != nil {
		s.RestoreRequests = o.RestoreRequests
	}
	s.initMaps()
}
