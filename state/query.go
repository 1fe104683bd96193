package state

import (
	"slices"
	"strings"
)

// MailboxesOn returns the mailboxes whose database is database, sorted by address. It
// returns nil when there are none. The mailboxes are the state's own: do not modify them.
func (s *State) MailboxesOn(database string) []*Mailbox {
	var out []*Mailbox
	for _, m := range s.Mailboxes {
		if m != nil && m.Database == database {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *Mailbox) int { return strings.Compare(a.Address, b.Address) })
	return out
}

// CountMailboxesOn returns the number of mailboxes on each database, in one pass over
// the mailboxes. Databases without mailboxes are absent from the map.
func (s *State) CountMailboxesOn() map[string]int {
	n := map[string]int{}
	for _, m := range s.Mailboxes {
		if m != nil {
			n[m.Database]++
		}
	}
	return n
}
