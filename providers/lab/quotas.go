package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/state"
)

// Quotas: a mailbox's size is the sum of its items' Size in its home database (the
// lab's ordinary messages weigh nothing; DeliverSized sends heavy ones). Transport
// refuses a message for a mailbox whose home database is mounted and whose size has
// reached that database's ProhibitSendReceiveQuota, as Exchange does (the sender gets
// a non-delivery report; the ledger never holds it). Mail for a database that is not
// mounted is accepted and queued, unchecked: the lab checks at acceptance only.

// checkQuota refuses mail for m when its home database enforces a quota it has reached.
func (s *session) checkQuota(m mailbox) error {
	db := s.org.database(m.Home)
	if db == nil || !db.Mounted || db.Recovery {
		return nil
	}
	q := db.setting(state.SettingProhibitSendReceiveQuota)
	if q == "Unlimited" {
		return nil
	}
	limit, err := strconv.ParseInt(q, 10, 64)
	if err != nil {
		return nil // checked when set; an unreadable value enforces nothing
	}
	size, err := s.mailboxSize(db, m.Guid)
	if err != nil {
		return err
	}
	if size >= limit {
		return fmt.Errorf("%s is over the ProhibitSendReceiveQuota of %s (%d bytes; its mailbox holds %d): message refused (550 5.2.2 mailbox full)",
			m.Address, db.Name, limit, size)
	}
	return nil
}

// mailboxSize sums the Size of the items of the mailbox guid in db's file.
func (s *session) mailboxSize(db *databaseObj, guid string) (int64, error) {
	e, err := s.openEDB(db)
	if err != nil {
		return 0, err
	}
	var total int64
	prefix := itemKey(guid, "")
	err = e.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItems)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !bytes.Contains(v, []byte(`"size"`)) {
				continue // weightless: no need to decode
			}
			var it item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("item %q of %s is damaged: %v", k, db.Name, err)
			}
			total += it.Size
		}
		return nil
	})
	return total, err
}

// SetDatabaseSettings is Set-MailboxDatabase on a lab database (lab commands and drills
// use it to give a database its own settings); values as Exchange takes them ("10GB").
func (l *Lab) SetDatabaseSettings(database string, set map[string]string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		changed, err := s.setSettings(db, set)
		if err != nil || !changed {
			return err
		}
		return s.saveOrg()
	})
}
