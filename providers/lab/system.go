package lab

import (
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
)

// nothingPointsAt refuses while any mailbox of any kind, or any archive, points at the
// database (Remove-MailboxDatabase refuses the same way), naming how many of each kind.
func (s *session) nothingPointsAt(database string) error {
	all, err := s.pointingAt(database)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	first := ""
	for _, m := range all {
		if strings.EqualFold(m.Home, database) {
			kind := "user mailbox"
			if m.Kind != "" {
				kind = m.Kind + " mailbox"
			}
			counts[kind]++
			if first == "" {
				first = m.Address
			}
		}
		if strings.EqualFold(m.Archive, database) {
			counts["archive"]++
			if first == "" {
				first = m.Address
			}
		}
	}
	if len(counts) == 0 {
		return nil
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		plural := "es"
		if k == "archive" {
			plural = "s"
		}
		if counts[k] == 1 {
			plural = ""
		}
		parts[i] = fmt.Sprintf("%d %s%s", counts[k], k, plural)
	}
	return fmt.Errorf("%s point at it (first: %s); re-home them first (system mailboxes and archives need rehome_system_mailboxes)",
		strings.Join(parts, ", "), first)
}

// applyRehomeSystem is Get-Mailbox -Arbitration (and the other switches) -Database X |
// Set-Mailbox -Database Y, with Set-Mailbox -ArchiveDatabase Y for archives on X.
func (s *session) applyRehomeSystem(op providers.Operation) (providers.Result, error) {
	target, err := s.org.mustDatabase(op.Target)
	if err != nil {
		return providers.Result{}, err
	}
	if target.Recovery {
		return providers.Result{}, fmt.Errorf("cannot home mailboxes on %s: it is a recovery database", target.Name)
	}
	from := op.Database
	if d := s.org.database(from); d != nil {
		from = d.Name
	}
	n, err := s.rehomeSystem(from, target.Name)
	if err != nil {
		return providers.Result{}, err
	}
	if n == 0 {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("no system mailbox or archive left on %s", from)}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("re-homed %d system mailboxes and archives from %s to %s", n, from, target.Name), Count: n}, nil
}

// EnableArchive gives the mailbox at address an archive on database (Enable-Mailbox
// -Archive -ArchiveDatabase), or moves its archive there.
func (l *Lab) EnableArchive(address, database string) error {
	return l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(address)
		if err != nil {
			return err
		}
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if db.Recovery {
			return fmt.Errorf("cannot put an archive on %s: it is a recovery database", db.Name)
		}
		_, err = s.updateAddress(m.Address, func(e *mailbox) bool {
			e.Archive = db.Name
			return true
		})
		return err
	})
}

// pointingAt returns the mailboxes homed on database or with their archive there, in
// address order, through the directory's index (the whole directory for a name that
// is not ASCII).
func (s *session) pointingAt(database string) ([]mailbox, error) {
	if !isASCII(database) {
		return s.allMailboxes()
	}
	var out []mailbox
	err := s.dir.View(func(tx *bolt.Tx) error {
		addrs := append(indexedOn(tx, homePrefix('h', database)), indexedOn(tx, homePrefix('a', database))...)
		sort.Strings(addrs)
		mbs := tx.Bucket(bucketMailboxes)
		for i, a := range addrs {
			if i > 0 && addrs[i-1] == a {
				continue
			}
			v := mbs.Get([]byte(a))
			if v == nil {
				return fmt.Errorf("directory index lists %s on %s, which has no entry: the directory is damaged", a, database)
			}
			m, err := decodeMailbox([]byte(a), v)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}
