package lab

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
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
	bucketByHome    = []byte("by_home")   // index of mailboxes by database (see homeKey)
)

// metaIndexed is the meta key set, in the transaction that built it, once by_home
// indexes every entry of mailboxes. A lab from before the index lacks it and gets the
// index built the first time it is opened.
var metaIndexed = []byte("by_home_index")

const indexVersion = "1"

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
		if string(tx.Bucket(bucketMeta).Get(metaIndexed)) != indexVersion {
			return rebuildHomeIndex(tx)
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

// The by_home index lists, for every database, the mailboxes homed on it ("h" + the
// lower-cased database name + NUL + address) and the mailboxes whose archive is on it
// ("a" + name + NUL + address), with empty values. It lets re-homing, delivery to one
// database and the removal check read only that database's mailboxes instead of the
// whole directory (which made a site failure O(databases x mailboxes)). Every write of
// a directory entry goes through dirWriter.put, which updates the index in the same
// bbolt transaction, so the two can never disagree on disk.

func homeKey(kind byte, database, address string) []byte {
	k := make([]byte, 0, 2+len(database)+len(address))
	k = append(k, kind)
	k = append(k, strings.ToLower(database)...)
	k = append(k, 0)
	return append(k, address...)
}

// homePrefix is the prefix of the index keys of one database ("h" or "a").
func homePrefix(kind byte, database string) []byte {
	return append(append([]byte{kind}, strings.ToLower(database)...), 0)
}

// indexKeys are the index keys of an entry.
func (m mailbox) indexKeys() [][]byte {
	keys := [][]byte{homeKey('h', m.Home, m.Address)}
	if m.Archive != "" {
		keys = append(keys, homeKey('a', m.Archive, m.Address))
	}
	return keys
}

// rebuildHomeIndex (re)creates by_home from the directory in tx and marks it built.
func rebuildHomeIndex(tx *bolt.Tx) error {
	if tx.Bucket(bucketByHome) != nil {
		if err := tx.DeleteBucket(bucketByHome); err != nil {
			return err
		}
	}
	idx, err := tx.CreateBucket(bucketByHome)
	if err != nil {
		return err
	}
	var keys [][]byte
	err = tx.Bucket(bucketMailboxes).ForEach(func(k, v []byte) error {
		m, err := decodeMailbox(k, v)
		if err != nil {
			return err
		}
		keys = append(keys, m.indexKeys()...)
		return nil
	})
	if err != nil {
		return err
	}
	if err := putSortedKeys(idx, keys); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(metaIndexed, []byte(indexVersion))
}

// putSortedKeys puts keys (empty values) in key order: bbolt fills pages best that way.
func putSortedKeys(b *bolt.Bucket, keys [][]byte) error {
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	b.FillPercent = 0.9
	for _, k := range keys {
		if err := b.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// dirWriter writes directory entries and keeps the index in step, in one transaction.
type dirWriter struct{ mbs, idx *bolt.Bucket }

func newDirWriter(tx *bolt.Tx) dirWriter {
	return dirWriter{mbs: tx.Bucket(bucketMailboxes), idx: tx.Bucket(bucketByHome)}
}

// put writes m; old is the entry it replaces (nil for a new mailbox).
func (w dirWriter) put(old *mailbox, m mailbox) error {
	if old != nil {
		for _, k := range old.indexKeys() {
			if err := w.idx.Delete(k); err != nil {
				return err
			}
		}
	}
	for _, k := range m.indexKeys() {
		if err := w.idx.Put(k, nil); err != nil {
			return err
		}
	}
	return w.mbs.Put([]byte(m.Address), m.encode())
}

// indexedOn returns the addresses the index lists under prefix, in address order.
func indexedOn(tx *bolt.Tx, prefix []byte) []string {
	var out []string
	c := tx.Bucket(bucketByHome).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
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

// archiveGuid is the ArchiveGuid of the archive of the mailbox at address, stable like
// its ExchangeGuid: the archive is a mailbox of its own inside its archive database.
func archiveGuid(address string) string { return guidFrom("archive " + strings.ToLower(address)) }

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
		w := newDirWriter(tx)
		for _, m := range ms {
			if w.mbs.Get([]byte(m.Address)) != nil {
				return fmt.Errorf("mailbox %s already exists", m.Address)
			}
			guids = append(guids, m.Guid)
			if err := w.put(nil, m); err != nil {
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

// mailboxesOn returns the mailboxes (of every kind) homed on database, sorted by
// address, through the index (a name that is not ASCII is matched by EqualFold over
// the whole directory, as before the index).
func (s *session) mailboxesOn(database string) ([]mailbox, error) {
	if !isASCII(database) {
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
		return out, nil
	}
	var out []mailbox
	err := s.dir.View(func(tx *bolt.Tx) error {
		mbs := tx.Bucket(bucketMailboxes)
		for _, a := range indexedOn(tx, homePrefix('h', database)) {
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

// rehome points every user mailbox homed on from at to (Set-Mailbox -Database), in one
// transaction, and returns how many moved. System mailboxes and archives stay.
func (s *session) rehome(from, to string) (int64, error) {
	return s.updateOn(from, false, func(m *mailbox) bool {
		if m.Kind != "" || !strings.EqualFold(m.Home, from) {
			return false
		}
		m.Home = to
		return true
	})
}

// rehomeSystem points the system mailboxes homed on from, and every archive on from, at to.
func (s *session) rehomeSystem(from, to string) (int64, error) {
	return s.updateOn(from, true, func(m *mailbox) bool {
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

// updateOn is updateMailboxes over the mailboxes homed on database (and, with
// archives, those whose archive is there), read through the index. fn must change
// nothing of other entries.
func (s *session) updateOn(database string, archives bool, fn func(m *mailbox) bool) (int64, error) {
	if !isASCII(database) {
		return s.updateMailboxes(fn)
	}
	var n int64
	err := s.dir.Update(func(tx *bolt.Tx) error {
		w := newDirWriter(tx)
		addrs := indexedOn(tx, homePrefix('h', database))
		if archives {
			addrs = append(addrs, indexedOn(tx, homePrefix('a', database))...)
			sort.Strings(addrs)
			addrs = slices.Compact(addrs)
		}
		type change struct{ old, m mailbox }
		var changed []change
		for _, a := range addrs {
			v := w.mbs.Get([]byte(a))
			if v == nil {
				return fmt.Errorf("directory index lists %s on %s, which has no entry: the directory is damaged", a, database)
			}
			old, err := decodeMailbox([]byte(a), v)
			if err != nil {
				return err
			}
			m := old
			if fn(&m) {
				changed = append(changed, change{old, m})
			}
		}
		for _, c := range changed { // after the reads: a cursor must not see its bucket change
			if err := w.put(&c.old, c.m); err != nil {
				return err
			}
		}
		n = int64(len(changed))
		return nil
	})
	return n, err
}

// updateAddress rewrites the one entry at address when fn changes it; false when
// there is no such entry.
func (s *session) updateAddress(address string, fn func(m *mailbox) bool) (bool, error) {
	found := false
	err := s.dir.Update(func(tx *bolt.Tx) error {
		w := newDirWriter(tx)
		key := []byte(strings.ToLower(address))
		v := w.mbs.Get(key)
		if v == nil {
			return nil
		}
		found = true
		old, err := decodeMailbox(key, v)
		if err != nil {
			return err
		}
		m := old
		if !fn(&m) {
			return nil
		}
		return w.put(&old, m)
	})
	return found, err
}

// updateMailboxes rewrites, in one transaction, every entry fn changes (fn returns
// true), and returns how many. Entries are collected first: bbolt cursors must not see
// their bucket change. It reads the whole directory: callers that know the database
// use updateOn.
func (s *session) updateMailboxes(fn func(m *mailbox) bool) (int64, error) {
	var n int64
	err := s.dir.Update(func(tx *bolt.Tx) error {
		w := newDirWriter(tx)
		type change struct{ old, m mailbox }
		var changed []change
		err := w.mbs.ForEach(func(k, v []byte) error {
			old, err := decodeMailbox(k, v)
			if err != nil {
				return err
			}
			m := old
			if fn(&m) {
				changed = append(changed, change{old, m}) // decodeMailbox copied the bytes
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range changed {
			if err := w.put(&c.old, c.m); err != nil {
				return err
			}
		}
		n = int64(len(changed))
		return nil
	})
	return n, err
}
