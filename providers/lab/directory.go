package lab

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// directoryFile is the bbolt file holding what AD, transport and MRS keep: mailboxes,
// the ledger of accepted messages, the transport queue and restore requests.
const directoryFile = "lab.db"

var (
	bucketMailboxes = []byte("mailboxes") // address -> guid + home database
	bucketLedger    = []byte("ledger")    // message ID -> ledgerEntry (JSON)
	bucketQueue     = []byte("queue")     // message ID -> owner address
	bucketRequests  = []byte("requests")  // target \x00 name -> restoreRequest (JSON)
	bucketMeta      = []byte("meta")      // "seq" -> last message number
)

const guidLen = 36

func (s *session) openDirectory() error {
	path := filepath.Join(s.l.dir, directoryFile)
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("open directory %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMailboxes, bucketLedger, bucketQueue, bucketRequests, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("directory %s is damaged: %w", path, err)
	}
	s.dir = db
	return nil
}

// mailbox is one directory entry (the AD user with its homeMDB).
type mailbox struct {
	Address string
	Guid    string
	Home    string
}

func encodeMailbox(guid, home string) []byte { return []byte(guid + home) }

func decodeMailbox(addr, v []byte) (mailbox, error) {
	if len(v) < guidLen {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", addr)
	}
	return mailbox{Address: string(addr), Guid: string(v[:guidLen]), Home: string(v[guidLen:])}, nil
}

// mailboxAddress is the deterministic address of the n-th mailbox of a database.
func mailboxAddress(db string, n int) string {
	return fmt.Sprintf("%s-user%04d@contoso.com", strings.ToLower(db), n)
}

// exchangeGuid is stable per address, so a rebuilt lab gives every user the same GUID.
func exchangeGuid(address string) string { return guidFrom("mailbox " + strings.ToLower(address)) }

// createMailboxes adds n mailboxes homed on db, and their empty mailboxes inside db's
// file (the database is being built, so this is not logged).
func (s *session) createMailboxes(db *databaseObj, n int) error {
	if n == 0 {
		return nil
	}
	var guids []string
	err := s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailboxes)
		for i := 1; i <= n; i++ {
			addr := mailboxAddress(db.Name, i)
			if b.Get([]byte(addr)) != nil {
				return fmt.Errorf("mailbox %s already exists", addr)
			}
			g := exchangeGuid(addr)
			guids = append(guids, g)
			if err := b.Put([]byte(addr), encodeMailbox(g, db.Name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	e, err := s.openEDB(db)
	if err != nil {
		return err
	}
	return e.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEdbMailboxes)
		if b == nil {
			return fmt.Errorf("database file of %s has no mailbox table", db.Name)
		}
		for _, g := range guids {
			if err := b.Put([]byte(g), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// lookupMailbox finds a mailbox by address (case-insensitive, addresses are stored lower case).
func (s *session) lookupMailbox(address string) (mailbox, error) {
	key := []byte(strings.ToLower(address))
	var m mailbox
	var found bool
	err := s.dir.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMailboxes).Get(key)
		if v == nil {
			return nil
		}
		found = true
		var err error
		m, err = decodeMailbox(key, v)
		return err
	})
	if err != nil {
		return m, err
	}
	if !found {
		return m, fmt.Errorf("mailbox %s does not exist", address)
	}
	return m, nil
}

// allMailboxes returns every mailbox sorted by address (bbolt keys are sorted).
func (s *session) allMailboxes() ([]mailbox, error) {
	var out []mailbox
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMailboxes).ForEach(func(k, v []byte) error {
			m, err := decodeMailbox(k, v)
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// mailboxesOn returns the mailboxes homed on database, sorted by address.
func (s *session) mailboxesOn(database string) ([]mailbox, error) {
	all, err := s.allMailboxes()
	if err != nil {
		return nil, err
	}
	var out []mailbox
	for _, m := range all {
		if strings.EqualFold(m.Home, database) {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// rehome points every mailbox homed on from at to, in one transaction, and returns how
// many moved. Keys are collected first: bbolt cursors must not see their bucket change.
func (s *session) rehome(from, to string) (int64, error) {
	var n int64
	err := s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailboxes)
		var keys, guids [][]byte
		err := b.ForEach(func(k, v []byte) error {
			if len(v) < guidLen {
				return fmt.Errorf("directory entry for %s is damaged", k)
			}
			if bytes.EqualFold(v[guidLen:], []byte(from)) {
				// Copy: the slices point into pages the puts below may move.
				keys = append(keys, append([]byte(nil), k...))
				guids = append(guids, append([]byte(nil), v[:guidLen]...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			if err := b.Put(k, encodeMailbox(string(guids[i]), to)); err != nil {
				return err
			}
		}
		n = int64(len(keys))
		return nil
	})
	return n, err
}
