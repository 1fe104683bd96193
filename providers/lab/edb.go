package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// The .edb is a bbolt file: a header, the mailboxes present in the database (the store
// side of each mailbox, by ExchangeGuid) and their items keyed by ExchangeGuid then item
// key (the message ID, so that delivering the same message again changes nothing).
var (
	bucketHeader       = []byte("header")
	bucketEdbMailboxes = []byte("mailboxes")
	bucketItems        = []byte("items")
	headerKey          = []byte("header")
)

const (
	stateClean = "clean"
	stateDirty = "dirty"
)

// edbHeader is what eseutil /mh shows of a database file.
type edbHeader struct {
	Signature    string `json:"db_signature"`
	LogSignature string `json:"log_signature"`
	LogPrefix    string `json:"log_prefix"`
	State        string `json:"state"`
	// Checkpoint is the last log generation whose records are all in this file.
	Checkpoint uint64 `json:"checkpoint"`
	Corrupt    bool   `json:"corrupt,omitempty"`
	// RestoredFrom names the backup set a restore wrote this file from ("" for a
	// database's own file): a re-run of the restore tells its own work from a file
	// that was never restored (a server back with its files intact).
	RestoredFrom string `json:"restored_from,omitempty"`
}

// item is one message in a mailbox.
type item struct {
	MessageID string `json:"message_id"`
	Subject   string `json:"subject"`
	// Origin names where a merged copy came from (source database signature and item
	// key), so that a merge re-run recognises its own earlier copies.
	Origin string `json:"origin,omitempty"`
	// Bad marks an item a restore request cannot read (the BadItemLimit hook).
	Bad bool `json:"bad,omitempty"`
	// Size is the bytes the message stands for in its mailbox's size (quotas.go); 0
	// for the lab's ordinary messages, which count as nothing.
	Size int64 `json:"size,omitempty"`
}

func itemKey(guid, key string) []byte { return []byte(guid + "|" + key) }

// openEDBPath opens a database file at path within the session. It never creates the
// file unless create is set: bbolt would happily create an empty database where a lost
// one should stay lost.
func (s *session) openEDBPath(path string, create bool) (*bolt.DB, error) {
	if e := s.edbs[path]; e != nil {
		return e, nil
	}
	if !create {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if st.Size() == 0 {
			return nil, fmt.Errorf("database file %s is empty", path)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	s.l.edbOpens.Add(1)
	e, err := bolt.Open(path, 0o600, s.boltOptions())
	if err != nil {
		return nil, fmt.Errorf("database file %s is damaged: %w", path, err)
	}
	s.edbs[path] = e
	return e, nil
}

func (s *session) openEDB(db *databaseObj) (*bolt.DB, error) {
	path, err := s.edbPath(db)
	if err != nil {
		return nil, err
	}
	return s.openEDBPath(path, false)
}

// closeEDB closes the handle on path, if any: needed before the file is copied, moved
// or deleted.
func (s *session) closeEDB(path string) error {
	e := s.edbs[path]
	if e == nil {
		return nil
	}
	delete(s.edbs, path)
	return e.Close()
}

func (s *session) closeEDBs() error {
	var first error
	for p := range s.edbs {
		if err := s.closeEDB(p); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// createEDB writes a new, empty database file with the given identity. It is built
// beside path and renamed into place, so that a crash in the middle (a dialtone apply
// killed while another step's mount creates a file) leaves no half-made file that the
// next mount would refuse as empty or damaged: only a leftover, removed by the next try.
func (s *session) createEDB(path string, h edbHeader) error {
	tmp := path + ".creating"
	if err := s.closeEDB(tmp); err != nil {
		return err
	}
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	e, err := s.openEDBPath(tmp, true)
	if err != nil {
		return err
	}
	err = e.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketHeader, bucketEdbMailboxes, bucketItems} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return putHeader(tx, &h)
	})
	if cerr := s.closeEDB(tmp); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func readHeader(tx *bolt.Tx) (*edbHeader, error) {
	b := tx.Bucket(bucketHeader)
	if b == nil {
		return nil, errors.New("no header")
	}
	v := b.Get(headerKey)
	if v == nil {
		return nil, errors.New("no header")
	}
	var h edbHeader
	if err := json.Unmarshal(v, &h); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if tx.Bucket(bucketEdbMailboxes) == nil || tx.Bucket(bucketItems) == nil {
		return nil, errors.New("tables missing")
	}
	return &h, nil
}

func putHeader(tx *bolt.Tx, h *edbHeader) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketHeader).Put(headerKey, data)
}

// header reads the header of the database file at path.
func (s *session) header(path string) (*edbHeader, error) {
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return nil, err
	}
	var h *edbHeader
	err = e.View(func(tx *bolt.Tx) error {
		var err error
		h, err = readHeader(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("database file %s is damaged: %v", path, err)
	}
	return h, nil
}

// updateHeader changes the header of the file at path.
func (s *session) updateHeader(path string, fn func(h *edbHeader)) error {
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return err
	}
	return e.Update(func(tx *bolt.Tx) error {
		h, err := readHeader(tx)
		if err != nil {
			return fmt.Errorf("database file %s is damaged: %v", path, err)
		}
		fn(h)
		return putHeader(tx, h)
	})
}

// applyRecords writes log records into the open file. Puts are keyed, so applying a
// record twice (replay after a crash) leaves the same result.
func applyRecords(tx *bolt.Tx, recs []logRecord) error {
	mb, items := tx.Bucket(bucketEdbMailboxes), tx.Bucket(bucketItems)
	for _, r := range recs {
		if len(r.Guid) != guidLen {
			return fmt.Errorf("record for mailbox %q: not a GUID", r.Guid)
		}
		if mb.Get([]byte(r.Guid)) == nil {
			if err := mb.Put([]byte(r.Guid), nil); err != nil {
				return err
			}
		}
		if r.Op == opMailbox {
			continue
		}
		data, err := json.Marshal(r.Item)
		if err != nil {
			return err
		}
		if err := items.Put(itemKey(r.Guid, r.Key), data); err != nil {
			return err
		}
	}
	return nil
}

// edbState describes a database file for Read and status: missing, damaged, corrupt,
// or its header.
type edbState struct {
	Header  *edbHeader
	Missing bool
	Err     error
}

func (s *session) inspect(db *databaseObj) edbState {
	path, err := s.edbPath(db)
	if err != nil {
		return edbState{Err: err}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return edbState{Missing: true}
	}
	h, err := s.header(path)
	if err != nil {
		return edbState{Err: err}
	}
	return edbState{Header: h}
}

// filesOK is false when the file is missing, unreadable or marked corrupt.
func (st edbState) filesOK() bool { return st.Header != nil && !st.Header.Corrupt }
