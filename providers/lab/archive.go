package lab

import (
	"fmt"
	"sort"
)

// SeedArchives gives the first perDB user mailboxes of every database (in address order)
// an archive on their own database, and puts items archive items in each, through
// transport and the ledger like any message: lab verify and drills count them by
// message ID in the archive mailbox.
func (l *Lab) SeedArchives(perDB, items int) ([]Accepted, error) {
	if perDB <= 0 {
		return nil, nil
	}
	var out []Accepted
	err := l.run(false, func(s *session) error {
		var names []string
		for _, d := range s.org.Databases {
			if !d.Recovery {
				names = append(names, d.Name)
			}
		}
		sort.Strings(names)
		var addrs []string
		for _, name := range names {
			all, err := s.mailboxesOn(name)
			if err != nil {
				return err
			}
			n := 0
			for _, m := range all {
				if m.Kind != "" || n == perDB {
					continue
				}
				n++
				db := name
				if _, err := s.updateAddress(m.Address, func(e *mailbox) bool { e.Archive = db; return true }); err != nil {
					return fmt.Errorf("archive of %s: %w", m.Address, err)
				}
				for i := 0; i < items; i++ {
					addrs = append(addrs, m.Address)
				}
			}
		}
		var err error
		out, err = s.deliverTo(addrs, 0, true)
		return err
	})
	return out, err
}
