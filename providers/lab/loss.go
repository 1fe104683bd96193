package lab

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// An injected failure can destroy the only durable copy of accepted messages. Before it
// deletes or damages anything, it works out which messages would then have no copy left
// anywhere in the lab, and records them in the lost bucket with the reason: those are
// the losses no recovery can avoid, which Verify reports as Lost instead of Missing. A
// copy counts when it can still be reached by a recovery: an item in a readable,
// uncorrupted .edb (any server, up or down, any backup set), or a record in a log
// generation that continues, without a gap, the checkpoint of such an .edb of the same
// log stream. Messages waiting in the queue are never lost (transport holds them).
//
// Recording first and destroying second keeps a crash in between honest: the files
// still hold the messages, and Verify counts a message it finds as delivered whatever
// the lost bucket says. A bad item a restore request skips is recorded as lost when the
// request passes it.

// destroyedLogs records the generations of one log stream an injected failure deleted
// (keyed by log signature): replay then knows its tail is missing, as ESE does when the
// current log is gone.
type destroyedLogs struct {
	Database string   `json:"database"`
	Prefix   string   `json:"prefix"`
	Gens     []uint64 `json:"gens"`
}

// after returns the newest destroyed generation newer than gen.
func (d *destroyedLogs) after(gen uint64) (uint64, bool) {
	if d == nil || len(d.Gens) == 0 || d.Gens[len(d.Gens)-1] <= gen {
		return 0, false
	}
	return d.Gens[len(d.Gens)-1], true
}

func (s *session) destroyedLogs(sig string) (*destroyedLogs, error) {
	var d *destroyedLogs
	err := s.dir.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDestroyed).Get([]byte(sig))
		if v == nil {
			return nil
		}
		d = &destroyedLogs{}
		if err := json.Unmarshal(v, d); err != nil {
			return fmt.Errorf("record of destroyed logs %s is damaged: %v", sig, err)
		}
		sort.Slice(d.Gens, func(i, j int) bool { return d.Gens[i] < d.Gens[j] })
		return nil
	})
	return d, err
}

// recordDestroyed adds gens to what was destroyed of the stream sig.
func (s *session) recordDestroyed(sig, database, prefix string, gens []uint64) error {
	d, err := s.destroyedLogs(sig)
	if err != nil {
		return err
	}
	if d == nil {
		d = &destroyedLogs{Database: database, Prefix: prefix}
	}
	set := map[uint64]bool{}
	for _, g := range append(d.Gens, gens...) {
		set[g] = true
	}
	d.Gens = sortedGens(set)
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.dir.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketDestroyed).Put([]byte(sig), data) })
}

// recordLoss records as lost every accepted message that would have no reachable copy
// once the files in gone are destroyed; cause says what destroys them. It returns how
// many were recorded.
func (s *session) recordLoss(gone map[string]bool, cause string) (int, error) {
	present, err := s.survivors(gone)
	if err != nil {
		return 0, err
	}
	if err := s.closeEDBs(); err != nil {
		return 0, err
	}
	queued, err := s.queued()
	if err != nil {
		return 0, err
	}
	at, err := s.writtenAt()
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.dir.Update(func(tx *bolt.Tx) error {
		lost := tx.Bucket(bucketLost)
		var ids []string
		err := tx.Bucket(bucketLedger).ForEach(func(k, _ []byte) error {
			id := string(k)
			if !present[id] && !queued[id] && lost.Get(k) == nil {
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			reason := cause
			if w, ok := at[id]; ok {
				reason += fmt.Sprintf("; it was written to %s in log generation %d, and no backup, database file or replayable log holds it", w.Database, w.Gen)
			}
			if err := lost.Put([]byte(id), []byte(reason)); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// markLost records message IDs as lost with one reason (bad items a request skipped).
func (s *session) markLost(ids []string, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLost)
		for _, id := range ids {
			if b.Get([]byte(id)) != nil {
				continue
			}
			if err := b.Put([]byte(id), []byte(reason)); err != nil {
				return err
			}
		}
		return nil
	})
}

// lostReasons reads the lost bucket.
func (s *session) lostReasons() (map[string]string, error) {
	out := map[string]string{}
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLost).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	return out, err
}

// survivors returns the message IDs with a reachable copy outside gone.
func (s *session) survivors(gone map[string]bool) (map[string]bool, error) {
	present := map[string]bool{}
	checkpoints := map[string]uint64{}          // log signature -> lowest checkpoint of a usable .edb
	logs := map[string]map[uint64][]logRecord{} // log signature -> generation -> records
	for _, root := range []string{"servers", "backups"} {
		err := filepath.WalkDir(filepath.Join(s.l.dir, root), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || gone[p] {
				return nil // a folder that is missing or unreadable holds nothing reachable
			}
			if strings.EqualFold(filepath.Ext(p), ".edb") {
				return s.scanEDB(p, present, checkpoints)
			}
			if isLogFile(d.Name()) {
				// Deliberately tolerant: this counts what could still be given back. A torn
				// tail keeps the records before it; a damaged or oversized log gives nothing
				// back (replay stops there), so its messages are not survivors. Read,
				// copy_logs and replay report the damage itself.
				lf, _ := readLog(p, s.l.opts.Limits)
				if lf == nil {
					return nil
				}
				if logs[lf.Signature] == nil {
					logs[lf.Signature] = map[uint64][]logRecord{}
				}
				if _, seen := logs[lf.Signature][lf.Generation]; !seen {
					logs[lf.Signature][lf.Generation] = lf.Records
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for sig, cp := range checkpoints {
		for g := cp + 1; ; g++ {
			recs, ok := logs[sig][g]
			if !ok {
				break
			}
			for _, r := range recs {
				if r.Op == opPut {
					present[r.Item.MessageID] = true
				}
			}
		}
	}
	return present, nil
}

// scanEDB adds the items of a usable database file to present and its checkpoint to
// checkpoints. A file that is unreadable or corrupt holds nothing reachable.
func (s *session) scanEDB(path string, present map[string]bool, checkpoints map[string]uint64) error {
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return nil
	}
	var h *edbHeader
	err = e.View(func(tx *bolt.Tx) error {
		if h, err = readHeader(tx); err != nil || h.Corrupt {
			h = nil
			return nil
		}
		return tx.Bucket(bucketItems).ForEach(func(_, v []byte) error {
			var it item
			if json.Unmarshal(v, &it) == nil {
				present[it.MessageID] = true
			}
			return nil
		})
	})
	if err != nil || h == nil {
		return nil
	}
	if cp, ok := checkpoints[h.LogSignature]; !ok || h.Checkpoint < cp {
		checkpoints[h.LogSignature] = h.Checkpoint
	}
	return nil
}
