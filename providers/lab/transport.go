package lab

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Accepted is one message transport accepted.
type Accepted struct {
	MessageID string `json:"message_id"`
	To        string `json:"to"`
	Queued    bool   `json:"queued"`
}

// ledgerEntry is what the ledger keeps of every accepted message: the proof of what
// must be somewhere when a recovery is done.
type ledgerEntry struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size,omitempty"` // item.Size of the message
	// Archive: the message belongs in the archive mailbox of To (its ArchiveGuid, in its
	// archive database), not in the primary mailbox.
	Archive bool `json:"archive,omitempty"`
}

// writeBatch bounds how many records go through one log append and one .edb commit.
const writeBatch = 4096

// Deliver sends count test messages to the mailbox at address. Messages whose mailbox
// database is not mounted stay queued (Accepted.Queued).
func (l *Lab) Deliver(to string, count int) ([]Accepted, error) {
	return l.DeliverSized(to, count, 0)
}

// DeliverSized is Deliver with messages that each count size bytes toward the
// mailbox's size (0: the lab's ordinary, weightless messages). A mailbox whose home
// database is mounted and whose size has reached that database's
// ProhibitSendReceiveQuota refuses them, as Exchange does (quotas.go).
func (l *Lab) DeliverSized(to string, count int, size int64) ([]Accepted, error) {
	if size < 0 {
		return nil, fmt.Errorf("message size %d is negative", size)
	}
	var out []Accepted
	err := l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(to)
		if err != nil {
			return err
		}
		if m.Kind != "" {
			return fmt.Errorf("%s is an %s system mailbox: the lab delivers no mail to it", m.Address, m.Kind)
		}
		if err := s.checkQuota(m); err != nil {
			return err
		}
		addrs := make([]string, count)
		for i := range addrs {
			addrs[i] = m.Address
		}
		out, err = s.deliverSized(addrs, size)
		return err
	})
	return out, err
}

// DeliverArchive sends count test messages into the archive mailbox of the mailbox at
// address (as retention moves items there). It refuses a mailbox without an archive.
func (l *Lab) DeliverArchive(to string, count int) ([]Accepted, error) {
	var out []Accepted
	err := l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(to)
		if err != nil {
			return err
		}
		if m.Archive == "" {
			return fmt.Errorf("%s has no archive (Enable-Mailbox -Archive first)", m.Address)
		}
		addrs := make([]string, count)
		for i := range addrs {
			addrs[i] = m.Address
		}
		out, err = s.deliverTo(addrs, 0, true)
		return err
	})
	return out, err
}

// DeliverToDatabase sends count messages round-robin to the user mailboxes homed on
// database, in address order (system mailboxes receive no lab mail).
func (l *Lab) DeliverToDatabase(database string, count int) ([]Accepted, error) {
	var out []Accepted
	err := l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		all, err := s.mailboxesOn(db.Name)
		if err != nil {
			return err
		}
		var ms []mailbox
		for _, m := range all {
			if m.Kind == "" { // system mailboxes receive no lab mail
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			return fmt.Errorf("no user mailbox is homed on %s", db.Name)
		}
		addrs := make([]string, count)
		for i := range addrs {
			addrs[i] = ms[i%len(ms)].Address
		}
		out, err = s.deliver(addrs)
		return err
	})
	return out, err
}

// deliver accepts one message per address: ledger and queue first, in one durable
// transaction, then delivery of what can be delivered now.
func (s *session) deliver(addrs []string) ([]Accepted, error) { return s.deliverTo(addrs, 0, false) }

func (s *session) deliverSized(addrs []string, size int64) ([]Accepted, error) {
	return s.deliverTo(addrs, size, false)
}

// deliverTo is deliver of messages of size into the primary mailboxes, or into their
// archives.
func (s *session) deliverTo(addrs []string, size int64, archive bool) ([]Accepted, error) {
	if len(addrs) == 0 {
		return nil, nil
	}
	out := make([]Accepted, 0, len(addrs))
	ids := map[string]bool{}
	err := s.dir.Update(func(tx *bolt.Tx) error {
		meta, ledger, queue := tx.Bucket(bucketMeta), tx.Bucket(bucketLedger), tx.Bucket(bucketQueue)
		var seq uint64
		if v := meta.Get([]byte("seq")); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		for _, a := range addrs {
			seq++
			id := fmt.Sprintf("%08d@lab.dialtone", seq)
			e, err := json.Marshal(ledgerEntry{To: a, Subject: fmt.Sprintf("Lab message %d", seq), Time: s.now, Size: size, Archive: archive})
			if err != nil {
				return err
			}
			if err := ledger.Put([]byte(id), e); err != nil {
				return err
			}
			if err := queue.Put([]byte(id), []byte(a)); err != nil {
				return err
			}
			ids[id] = true
			out = append(out, Accepted{MessageID: id, To: a})
		}
		return meta.Put([]byte("seq"), binary.BigEndian.AppendUint64(nil, seq))
	})
	if err != nil {
		return nil, fmt.Errorf("accept messages: %w", err)
	}
	if _, err := s.drain(ids); err != nil && !isDiskFull(err) {
		return nil, err // a full disk leaves the mail queued, which Accepted says
	}
	queued, err := s.queued()
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Queued = queued[out[i].MessageID]
	}
	return out, nil
}

// queued returns the set of message IDs waiting in the queue.
func (s *session) queued() (map[string]bool, error) {
	q := map[string]bool{}
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(k, _ []byte) error {
			q[string(k)] = true
			return nil
		})
	})
	return q, err
}

// drainQueue delivers every queued message whose owner's home database is mounted.
func (s *session) drainQueue() (int64, error) { return s.drain(nil) }

// drain delivers queued messages (only those in ids, unless ids is nil) whose owner's
// home database is mounted. A message leaves the queue only after its database write is
// durable; a crash in between delivers it again, onto the same item key.
func (s *session) drain(ids map[string]bool) (int64, error) {
	type queuedMsg struct{ id, to string }
	var msgs []queuedMsg
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			if ids == nil || ids[string(k)] {
				msgs = append(msgs, queuedMsg{string(k), string(v)})
			}
			return nil
		})
	})
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	byDB := map[string][]logRecord{}
	idsByDB := map[string][]string{}
	homes := map[string]*mailbox{}
	err = s.dir.View(func(tx *bolt.Tx) error {
		mbs, ledger := tx.Bucket(bucketMailboxes), tx.Bucket(bucketLedger)
		for _, q := range msgs {
			m := homes[q.to]
			if m == nil {
				v := mbs.Get([]byte(q.to))
				if v == nil {
					continue // the owner is gone; the message stays queued and Verify shows it
				}
				mm, err := decodeMailbox([]byte(q.to), v)
				if err != nil {
					return err
				}
				m = &mm
				homes[q.to] = m
			}
			var e ledgerEntry
			if v := ledger.Get([]byte(q.id)); v != nil {
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("ledger entry %s is damaged: %v", q.id, err)
				}
			}
			home, guid := m.Home, m.Guid
			if e.Archive {
				home, guid = m.Archive, archiveGuid(m.Address)
			}
			db := s.org.database(home)
			if db == nil || !db.Mounted || db.Recovery {
				continue
			}
			byDB[db.Name] = append(byDB[db.Name], logRecord{Op: opPut, Guid: guid, Key: q.id, Item: item{MessageID: q.id, Subject: e.Subject, Size: e.Size}})
			idsByDB[db.Name] = append(idsByDB[db.Name], q.id)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	names := make([]string, 0, len(byDB))
	for n := range byDB {
		names = append(names, n)
	}
	sort.Strings(names)
	var delivered int64
	var full error // the first database stopped by a full disk; the others go on
	for _, n := range names {
		db := s.org.database(n)
		recs, qids := byDB[n], idsByDB[n]
		for start := 0; start < len(recs); start += writeBatch {
			end := min(start+writeBatch, len(recs))
			sig, gens, err := s.writeRecordsAt(db, recs[start:end], true)
			if isDiskFull(err) {
				// The messages stay queued, accepted: they arrive once there is room.
				if full == nil {
					full = fmt.Errorf("deliver to %s: %w", db.Name, err)
				}
				break
			}
			if err != nil {
				return delivered, fmt.Errorf("deliver to %s: %w", db.Name, err)
			}
			err = s.dir.Update(func(tx *bolt.Tx) error {
				q, w := tx.Bucket(bucketQueue), tx.Bucket(bucketWritten)
				for i, id := range qids[start:end] {
					if err := q.Delete([]byte(id)); err != nil {
						return err
					}
					if err := w.Put([]byte(id), encodeWritten(db.Name, sig, gens[i])); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return delivered, err
			}
			delivered += int64(end - start)
		}
	}
	return delivered, full
}

// written is where the ledger says a delivered message was first made durable: the
// database, its log stream and generation.
type written struct {
	Database  string `json:"db"`
	Signature string `json:"sig"`
	Gen       uint64 `json:"gen"`
}

func encodeWritten(db, sig string, gen uint64) []byte {
	data, _ := json.Marshal(written{db, sig, gen})
	return data
}

// writtenAt reads the written bucket: message ID -> where.
func (s *session) writtenAt() (map[string]written, error) {
	out := map[string]written{}
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWritten).ForEach(func(k, v []byte) error {
			var w written
			if err := json.Unmarshal(v, &w); err != nil {
				return fmt.Errorf("ledger record of %s is damaged: %v", k, err)
			}
			out[string(k)] = w
			return nil
		})
	})
	return out, err
}
