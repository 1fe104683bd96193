package lab

import (
	"fmt"
)

// What an admin does by hand at the console, outside any recovery: the changes a
// refresh must notice as drift (mounting and dismounting go through Apply's
// OpMountDatabase and OpDismountDatabase), and the recipient check of the SMTP front
// end (cmd/dialtone lab serve).

// ErrNoMailbox is wrapped by LookupRecipient for an address the directory does not know.
var ErrNoMailbox = fmt.Errorf("no such mailbox")

// LookupRecipient reports whether transport accepts mail for address: a user mailbox
// of the directory (system mailboxes receive no lab mail). It returns the address as
// the directory spells it.
func (l *Lab) LookupRecipient(address string) (string, error) {
	var out string
	err := l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(address)
		if err != nil {
			return fmt.Errorf("%s: %w", address, ErrNoMailbox)
		}
		if m.Kind != "" {
			return fmt.Errorf("%s is an %s system mailbox: %w", m.Address, m.Kind, ErrNoMailbox)
		}
		out = m.Address
		return nil
	})
	return out, err
}

// MoveMailbox points one user mailbox at database by hand (Set-Mailbox -Database, as
// an admin would outside dialtone): the directory changes, the items stay where they
// were, exactly like re-homing. It returns the database the mailbox pointed at.
func (l *Lab) MoveMailbox(address, database string) (string, error) {
	var from string
	err := l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(address)
		if err != nil {
			return err
		}
		if m.Kind != "" {
			return fmt.Errorf("%s is an %s system mailbox: move it with its database", m.Address, m.Kind)
		}
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if db.Recovery {
			return fmt.Errorf("%s is a recovery database: no mailbox can point at it", db.Name)
		}
		from = m.Home
		_, err = s.updateAddress(m.Address, func(x *mailbox) bool {
			x.Home = db.Name
			return true
		})
		return err
	})
	return from, err
}
