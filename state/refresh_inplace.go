package state

import "strings"

// MailboxChange is one mailbox a MailboxRefresh found changed in where it lives:
// moved From a database To another, New (To set) or Gone (From set).
type MailboxChange struct {
	Address, From, To string
	New, Gone         bool
}

// before is where a changed mailbox lived before the refresh.
type before struct {
	database string
	isNew    bool
}

// MailboxRefresh updates a state's mailboxes in place from a stream of observed ones,
// so that a refresh keeps one map of mailboxes alive instead of two (the decoded one
// and the observed one) and finds what moved as it goes instead of comparing two maps
// afterwards. Unchanged mailboxes cost a lookup: no allocation, no map growth.
//
//	r := st.BeginMailboxRefresh()
//	... r.Observe(m) for every mailbox observed ...
//	changes := r.Finish() // removes the mailboxes not observed
//
// After Begin and before Finish the state's mailboxes are a mix of old and new: a
// caller whose read fails must call Abort and must not write the state.
type MailboxRefresh struct {
	s     *State
	names map[string]string // database and kind names, one string each
	// changed holds the mailboxes whose database changed, or that are new, by
	// address, with where they lived before the refresh.
	changed map[string]before
}

// BeginMailboxRefresh starts an in-place refresh of s's mailboxes.
func (s *State) BeginMailboxRefresh() *MailboxRefresh {
	s.initMaps()
	return &MailboxRefresh{s: s, names: map[string]string{}, changed: map[string]before{}}
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
	if cur == nil {
		addr := strings.Clone(m.Address)
		cur = &Mailbox{Address: addr}
		r.s.Mailboxes[addr] = cur
		r.changed[addr] = before{isNew: true} // a nil entry counts as absent, as in DetectDrift
	} else if cur.Database != m.Database {
		if _, seen := r.changed[cur.Address]; !seen {
			r.changed[cur.Address] = before{database: cur.Database}
		}
	}
	cur.refreshed = true
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
	cur.NoAutodiscover = m.NoAutodiscover
}

// Finish removes the mailboxes that were not observed and returns what changed where
// mailboxes live (moved, appeared, gone), in no particular order. A nil entry in the
// map (never written by Decode) that was not observed is dropped without counting.
func (r *MailboxRefresh) Finish() []MailboxChange {
	var out []MailboxChange
	for addr, m := range r.s.Mailboxes {
		switch {
		case m == nil:
			delete(r.s.Mailboxes, addr)
		case !m.refreshed:
			delete(r.s.Mailboxes, addr)
			out = append(out, MailboxChange{Address: addr, From: m.Database, Gone: true})
		default:
			m.refreshed = false
		}
	}
	for addr, b := range r.changed {
		m := r.s.Mailboxes[addr]
		switch {
		case m == nil:
		case b.isNew:
			out = append(out, MailboxChange{Address: addr, To: m.Database, New: true})
		case b.database != m.Database:
			out = append(out, MailboxChange{Address: addr, From: b.database, To: m.Database})
		}
	}
	r.changed = nil
	return out
}

// Abort ends a refresh whose read failed: the marks are cleared, nothing is removed.
// The mailboxes observed so far stay updated: the state must not be written.
func (r *MailboxRefresh) Abort() {
	for _, m := range r.s.Mailboxes {
		if m != nil {
			m.refreshed = false
		}
	}
	r.changed = nil
}

// RefreshObjects is Refresh for everything but the mailboxes (a MailboxRefresh
// updates those): servers and databases are replaced by o's, backups and restore
// requests when o knows them.
func (s *State) RefreshObjects(o *Observed) {
	s.initMaps()
	if o == nil {
		o = &Observed{}
	}
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
