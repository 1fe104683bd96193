package state

import (
	"slices"
	"strings"
	"time"
)

// ApplyChange applies one Change to s in memory. Nil maps are created as needed. Every
// field that is set is applied, in declaration order; an empty change does nothing.
// Values are copied, so later edits to c's pointers do not reach s. ApplyChange never
// fails: a change that names something absent (a database to delete, a rehome from a
// database without mailboxes) simply has nothing to do, which keeps journal replay
// idempotent.
func (s *State) ApplyChange(c Change) {
	s.initMaps()
	if d := c.PutDatabase; d != nil {
		cp := *d
		s.Databases[cp.Name] = &cp
	}
	if c.DeleteDatabase != "" {
		delete(s.Databases, c.DeleteDatabase)
	}
	if r := c.Rehome; r != nil && r.From != r.To {
		// One pass: re-homing 100,000 mailboxes must stay linear.
		for _, m := range s.Mailboxes {
			if m == nil {
				continue
			}
			if m.Database == r.From && (r.Kinds == RehomeAll || (r.Kinds == RehomeUsers) == (m.Kind == "")) {
				m.Database = r.To
			}
			if r.Kinds == RehomeSystem && m.ArchiveDatabase == r.From {
				m.ArchiveDatabase = r.To
			}
		}
	}
	if st := c.Stage; st != nil {
		s.recovery(st.Recovery).Stage = st.Stage
	}
	if sd := c.StepDone; sd != nil {
		rec := sd.Record
		r := s.recovery(sd.Recovery)
		r.Steps[rec.ID] = &rec
		delete(r.Started, rec.ID)
		delete(r.Touching, rec.ID)
	}
	if ss := c.StepStarted; ss != nil {
		r := s.recovery(ss.Recovery)
		if r.Steps[ss.ID] == nil {
			if r.Started == nil {
				r.Started = map[string]time.Time{}
			}
			r.Started[ss.ID] = ss.Started
			if len(ss.Objects) > 0 {
				if r.Touching == nil {
					r.Touching = map[string][]string{}
				}
				r.Touching[ss.ID] = append([]string(nil), ss.Objects...)
			}
		}
	}
	if fs := c.ForgetStarted; fs != nil {
		if r := s.Recoveries[fs.Recovery]; r != nil {
			for _, id := range fs.IDs {
				delete(r.Started, id)
				delete(r.Touching, id)
			}
		}
	}
	if rr := c.PutRestoreRequest; rr != nil {
		cp := *rr
		s.RestoreRequests[cp.Name] = &cp
	}
	if c.DeleteRestoreRequest != "" {
		delete(s.RestoreRequests, c.DeleteRestoreRequest)
	}
	for _, w := range c.Wrote {
		if s.Written == nil {
			s.Written = map[string]*Written{}
		}
		cp := w
		s.Written[w.Key()] = &cp
	}
	for _, w := range c.Forgot {
		delete(s.Written, w.Key())
	}
	if cs := c.CopyServers; cs != nil && len(cs.Servers) > 0 {
		r := s.recovery(cs.Recovery)
		for _, srv := range cs.Servers {
			if srv != "" && !slices.ContainsFunc(r.CopyServers, func(x string) bool { return strings.EqualFold(x, srv) }) {
				r.CopyServers = append(r.CopyServers, srv)
			}
		}
	}
	if sb := c.SettingsBefore; sb != nil && len(sb.Settings) > 0 {
		r := s.recovery(sb.Recovery)
		if r.SettingsBefore == nil {
			r.SettingsBefore = map[string]map[string]string{}
		}
		m := r.SettingsBefore[sb.Database]
		if m == nil {
			m = map[string]string{}
			r.SettingsBefore[sb.Database] = m
		}
		for k, v := range sb.Settings {
			if _, seen := m[k]; !seen {
				m[k] = v
			}
		}
	}
}

// recovery returns the named recovery, creating it (and its Steps map) when missing.
func (s *State) recovery(name string) *Recovery {
	r := s.Recoveries[name]
	if r == nil {
		r = &Recovery{Name: name}
		s.Recoveries[name] = r
	}
	if r.Steps == nil {
		r.Steps = map[string]*StepRecord{}
	}
	return r
}

// Refresh replaces the observed part of s (servers, databases, mailboxes) with o. What
// apply recorded (recoveries, restore requests), the lineage and the serial are kept.
// A nil o, or a nil map in it, counts as observing nothing of that kind. A database
// observed without settings keeps the settings recorded for it (keepSettings).
func (s *State) Refresh(o *Observed) {
	s.initMaps()
	if o == nil {
		o = &Observed{}
	}
	keepSettings(s.Databases, o.Databases)
	s.Servers = o.Servers
	s.Databases = o.Databases
	if o.MailboxScope != nil {
		s.Mailboxes = scopedMailboxes(s.Mailboxes, o)
	} else {
		s.Mailboxes = o.Mailboxes
	}
	// A provider that cannot tell (nil) leaves what the state recorded; one that can
	// is the truth, including a Failed restore request the planner must resume.
	if o.Backups != nil {
		s.Backups = o.Backups
	}
	if o.RestoreRequests != nil {
		s.RestoreRequests = o.RestoreRequests
	}
	s.initMaps()
}

// scopedMailboxes is the mailboxes after a refresh that read only the databases of
// o.MailboxScope: what it read, plus what the state knew of the mailboxes of every other
// database. A mailbox recorded on a database of the scope that the read did not find
// there is gone from it (removed, or moved to a database not read: the next full
// refresh finds it). old is not changed.
func scopedMailboxes(old map[string]*Mailbox, o *Observed) map[string]*Mailbox {
	in := make(map[string]bool, len(o.MailboxScope))
	for _, db := range o.MailboxScope {
		in[strings.ToLower(db)] = true
	}
	out := make(map[string]*Mailbox, len(old)+len(o.Mailboxes))
	for addr, m := range old {
		if m != nil && !in[strings.ToLower(m.Database)] {
			out[addr] = m
		}
	}
	for addr, m := range o.Mailboxes {
		out[addr] = m
	}
	return out
}

// FinishedSteps counts the StepDone changes among changes: journal records also hold
// step starts, which are not finished steps.
func FinishedSteps(changes []Change) int {
	n := 0
	for _, c := range changes {
		if c.StepDone != nil {
			n++
		}
	}
	return n
}

// initMaps creates any nil map, so that callers can index and assign without checks.
func (s *State) initMaps() {
	if s.Servers == nil {
		s.Servers = map[string]*Server{}
	}
	if s.Databases == nil {
		s.Databases = map[string]*Database{}
	}
	if s.Mailboxes == nil {
		s.Mailboxes = map[string]*Mailbox{}
	}
	if s.Recoveries == nil {
		s.Recoveries = map[string]*Recovery{}
	}
	if s.RestoreRequests == nil {
		s.RestoreRequests = map[string]*RestoreRequest{}
	}
}
