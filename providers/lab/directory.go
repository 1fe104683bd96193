package lab

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

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
	bucketWritten   = []byte("written")   // message ID -> written (JSON): where delivery made it durable
	bucketLost      = []byte("lost")      // message ID -> why no copy survives an injected failure
	bucketDestroyed = []byte("destroyed") // log signature -> destroyedLogs (JSON)
)

const guidLen = 36

func (s *session) openDirectory() error {
	path := filepath.Join(s.l.dir, directoryFile)
	db, err := bolt.Open(path, 0o600, s.boltOptions())
	if err != nil {
		return fmt.Errorf("open directory %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMailboxes, bucketLedger, bucketQueue, bucketRequests, bucketMeta, bucketWritten, bucketLost, bucketDestroyed} {
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

// mailbox is one directory entry (the AD user with its homeMDB). Kind is "" for a user
// mailbox, else the system mailbox kind ("arbitration"); Archive is the archive's
// database ("" when there is no archive).
type mailbox struct {
	Address        string
	Guid           string
	Home           string
	Kind           string
	Archive        string
	NoAutodiscover bool
}

// A directory value is the GUID followed by the home database, and, for a mailbox with a
// kind, an archive or a flag, "\x00kind\x00archive\x00flags" (flags: "n" for
// NoAutodiscover). Names never hold NUL, so entries of older labs (GUID and home only)
// read as plain user mailboxes.
func encodeMailbox(guid, home string) []byte { return []byte(guid + home) }

func (m mailbox) encode() []byte {
	if m.Kind == "" && m.Archive == "" && !m.NoAutodiscover {
		return encodeMailbox(m.Guid, m.Home)
	}
	flags := ""
	if m.NoAutodiscover {
		flags = "n"
	}
	return []byte(m.Guid + m.Home + "\x00" + m.Kind + "\x00" + m.Archive + "\x00" + flags)
}

func decodeMailbox(addr, v []byte) (mailbox, error) {
	if len(v) < guidLen {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", addr)
	}
	m := mailbox{Address: string(addr), Guid: string(v[:guidLen])}
	rest := v[guidLen:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		m.Home = string(rest)
		return m, nil
	}
	parts := bytes.Split(rest[i+1:], []byte{0})
	if len(parts) != 3 || len(parts[2]) > 1 || (len(parts[2]) == 1 && parts[2][0] != 'n') {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", addr)
	}
	m.Home, m.Kind, m.Archive, m.NoAutodiscover = string(rest[:i]), string(parts[0]), string(parts[1]), len(parts[2]) == 1
	return m, nil
}

// kindArbitration is the kind of the system mailbox Init gives each server's first database.
const kindArbitration = "arbitration"

// systemMailboxAddress is the address of that system mailbox.
func systemMailboxAddress(db string) string {
	return "systemmailbox-" + strings.ToLower(db) + "@contoso.com"
}

// mailboxAddress is the deterministic address of the n-th mailbox of a database.
func mailboxAddress(db string, n int) string {
	return fmt.Sprintf("%s-user%04d@contoso.com", strings.ToLower(db), n)
}

// exchangeGuid is stable per address, so a rebuilt lab gives every user the same GUID.
func exchangeGuid(address string) string { return guidFrom("mailbox " + strings.ToLower(address)) }

// createMailboxes adds n mailboxes homed on db, and their empty mailboxes inside db's
// file (the database is being built, so this is not logged).
// Every seventh user (user0007, user0014, ...) has a client without Autodiscover; with
// system, the database also gets an arbitration mailbox.
func (s *session) createMailboxes(db *databaseObj, n int, system bool) error {
	var ms []mailbox
	for i := 1; i <= n; i++ {
		addr := mailboxAddress(db.Name, i)
		ms = append(ms, mailbox{Address: addr, Guid: exchangeGuid(addr), Home: db.Name, NoAutodiscover: i%7 == 0})
	}
	if system {
		addr := systemMailboxAddress(db.Name)
		ms = append(ms, mailbox{Address: addr, Guid: exchangeGuid(addr), Home: db.Name, Kind: kindArbitration})
	}
	if len(ms) == 0 {
		return nil
	}
	var guids []string
	if s.bulk {
		s.bulkMailboxes = append(s.bulkMailboxes, ms...)
		for _, m := range ms {
			guids = append(guids, m.Guid)
		}
		return s.putStoreMailboxes(db, guids)
	}
	err := s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailboxes)
		for _, m := range ms {
			if b.Get([]byte(m.Address)) != nil {
				return fmt.Errorf("mailbox %s already exists", m.Address)
			}
			guids = append(guids, m.Guid)
			if err := b.Put([]byte(m.Address), m.encode()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.putStoreMailboxes(db, guids)
}

// putStoreMailboxes creates the store side of mailboxes guids in db's file.
func (s *session) putStoreMailboxes(db *databaseObj, guids []string) error {
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

// mailboxesOn returns the mailboxes (of every kind) homed on database, sorted by address.
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

// rehome points every user mailbox homed on from at to (Set-Mailbox -Database), in one
// transaction, and returns how many moved. System mailboxes and archives stay.
func (s *session) rehome(from, to string) (int64, error) {
	return s.updateMailboxes(func(m *mailbox) bool {
		if m.Kind != "" || !strings.EqualFold(m.Home, from) {
			return false
		}
		m.Home = to
		return true
	})
}

// rehomeSystem points the system mailboxes homed on from, and every archive on from, at to.
func (s *session) rehomeSystem(from, to string) (int64, error) {
	return s.updateMailboxes(func(m *mailbox) bool {
		changed := false
		if m.Kind != "" && strings.EqualFold(m.Home, from) {
			m.Home, changed = to, true
		}
		if m.Archive != "" && strings.EqualFold(m.Archive, from) {
			m.Archive, changed = to, true
		}
		return changed
	})
}

// updateMailboxes rewrites, in one transaction, every entry fn changes (fn returns
// true), and returns how many. Entries are collected first: bbolt cursors must not see
// their bucket change.
func (s *session) updateMailboxes(fn func(m *mailbox) bool) (int64, error) {
	var n int64
	err := s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailboxes)
		var changed []mailbox
		err := b.ForEach(func(k, v []byte) error {
			m, err := decodeMailbox(k, v)
			if err != nil {
				return err
			}
			if fn(&m) {
				changed = append(changed, m) // decodeMailbox copied the bytes
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range changed {
			if err := b.Put([]byte(m.Address), m.encode()); err != nil {
				return err
			}
		}
		n = int64(len(changed))
		return nil
	})
	return n, err
}
