package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
)

// Restore request statuses, as Get-MailboxRestoreRequest shows them.
const (
	statusQueued     = "Queued"
	statusInProgress = "InProgress"
	statusCompleted  = "Completed"
	statusFailed     = "Failed"
)

// restoreRequest is New-MailboxRestoreRequest as MRS keeps it: identified by target
// mailbox and name, with a cursor so that a resumed request continues where it stopped.
type restoreRequest struct {
	Name         string `json:"name"`
	Source       string `json:"source_database"`
	Target       string `json:"target_mailbox"`
	SourceGuid   string `json:"source_store_mailbox"`
	Status       string `json:"status"`
	Conflict     string `json:"conflict_resolution"`
	BadItemLimit int    `json:"bad_item_limit"`
	Cursor       string `json:"cursor,omitempty"` // last source item key copied
	Copied       int64  `json:"copied"`
	BadItems     int    `json:"bad_items"`
}

// mergeBatch is how many items one log append and one commit carry.
var mergeBatch = 4096

// testHookAfterMergeWrite, when set, runs after a batch reached the target database and
// before the cursor is saved: a test returns an error there to simulate a crash.
var testHookAfterMergeWrite func() error

func requestKey(target, name string) []byte { return []byte(strings.ToLower(target) + "\x00" + name) }

func (s *session) loadRequest(key []byte) (*restoreRequest, error) {
	var r *restoreRequest
	err := s.dir.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRequests).Get(key)
		if v == nil {
			return nil
		}
		r = &restoreRequest{}
		if err := json.Unmarshal(v, r); err != nil {
			return fmt.Errorf("restore request %q is damaged: %v", bytes.ReplaceAll(key, []byte{0}, []byte{'\\'}), err)
		}
		return nil
	})
	return r, err
}

func (s *session) saveRequest(r *restoreRequest) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.dir.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRequests).Put(requestKey(r.Target, r.Name), data)
	})
}

// merge runs one restore request to completion: it copies the source mailbox's items
// into the target mailbox's home database through that database's log.
func (s *session) merge(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	src, err := s.org.mustDatabase(op.Source)
	if err != nil {
		return providers.Result{}, err
	}
	name := op.RequestName
	if name == "" {
		name = "MailboxRestore"
	}
	target, err := s.lookupMailbox(op.Mailbox)
	if err != nil {
		return providers.Result{}, err
	}
	key := requestKey(target.Address, name)
	req, err := s.loadRequest(key)
	if err != nil {
		return providers.Result{}, err
	}
	if req != nil && req.Status == statusCompleted {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("request %s\\%s already Completed (%d items)", target.Address, name, req.Copied), Count: req.Copied}, nil
	}
	if !src.Mounted {
		return providers.Result{}, fmt.Errorf("source database %s is not mounted", src.Name)
	}
	srcPath, err := s.edbPath(src)
	if err != nil {
		return providers.Result{}, err
	}
	srcDB, err := s.openEDBPath(srcPath, false)
	if err != nil {
		return providers.Result{}, err
	}
	guid := strings.ToLower(op.ExchangeGuid)
	var present bool
	var total int64
	var bad int
	prefix := []byte(guid + "|")
	err = srcDB.View(func(tx *bolt.Tx) error {
		present = tx.Bucket(bucketEdbMailboxes).Get([]byte(guid)) != nil
		c := tx.Bucket(bucketItems).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			total++
			var it item
			if json.Unmarshal(v, &it) != nil || it.Bad {
				bad++
			}
		}
		return nil
	})
	if err != nil {
		return providers.Result{}, err
	}
	if !present && req == nil {
		return providers.Result{Skipped: true, Detail: fmt.Sprintf("%s has no mailbox %s: nothing to merge", src.Name, guid)}, nil
	}
	if req == nil {
		req = &restoreRequest{Name: name, Source: src.Name, Target: target.Address, SourceGuid: guid, Status: statusQueued}
	}
	req.Conflict, req.BadItemLimit = op.ConflictResolution, op.BadItemLimit
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	home := s.org.database(target.Home)
	if home == nil || !home.Mounted || home.Recovery {
		return providers.Result{}, fmt.Errorf("request %s\\%s stays %s: the target mailbox's database %s is not mounted", target.Address, name, req.Status, target.Home)
	}
	if home == src {
		return providers.Result{}, fmt.Errorf("source and target database are both %s", src.Name)
	}
	if bad > req.BadItemLimit {
		req.Status, req.BadItems = statusFailed, bad
		if err := s.saveRequest(req); err != nil {
			return providers.Result{}, err
		}
		return providers.Result{}, fmt.Errorf("request %s\\%s Failed: %d bad items in the source exceed BadItemLimit %d", target.Address, name, bad, req.BadItemLimit)
	}
	req.Status = statusInProgress
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	homePath, err := s.edbPath(home)
	if err != nil {
		return providers.Result{}, err
	}
	done := req.Copied
	for {
		if err := ctx.Err(); err != nil {
			return providers.Result{}, fmt.Errorf("request %s\\%s interrupted (stays %s, resumes on the next run): %w", target.Address, name, req.Status, err)
		}
		srcItems, last, err := readSourceBatch(srcDB, guid, req.Cursor, mergeBatch)
		if err != nil {
			return providers.Result{}, fmt.Errorf("read %s in %s: %w", guid, src.Name, err)
		}
		if len(srcItems) == 0 {
			break
		}
		homeDB, err := s.openEDBPath(homePath, false)
		if err != nil {
			return providers.Result{}, err
		}
		recs, err := mergeRecords(homeDB, target.Guid, src.Signature, req.Conflict, srcItems)
		if err != nil {
			return providers.Result{}, err
		}
		if err := s.writeRecords(home, recs); err != nil {
			return providers.Result{}, fmt.Errorf("request %s\\%s: %w", target.Address, name, err)
		}
		if testHookAfterMergeWrite != nil {
			if err := testHookAfterMergeWrite(); err != nil {
				return providers.Result{}, err
			}
		}
		req.Cursor = last
		req.Copied += int64(len(recs))
		done += int64(len(srcItems))
		if err := s.saveRequest(req); err != nil {
			return providers.Result{}, err
		}
		if progress != nil {
			progress(min(done, total), total)
		}
	}
	req.Status = statusCompleted
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: fmt.Sprintf("request %s\\%s Completed: %d items copied", target.Address, name, req.Copied), Count: req.Copied}, nil
}

type sourceItem struct {
	key string
	it  item
}

// readSourceBatch reads up to n items of the mailbox guid after the key cursor.
func readSourceBatch(e *bolt.DB, guid, cursor string, n int) ([]sourceItem, string, error) {
	var out []sourceItem
	last := cursor
	prefix := []byte(guid + "|")
	err := e.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		start := prefix
		if cursor != "" {
			start = itemKey(guid, cursor)
		}
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, v = c.Next() {
			key := string(k[len(prefix):])
			if cursor != "" && key <= cursor {
				continue
			}
			last = key
			var it item
			if err := json.Unmarshal(v, &it); err != nil || it.Bad {
				continue // counted against BadItemLimit before the copy started
			}
			out = append(out, sourceItem{key, it})
		}
		return nil
	})
	return out, last, err
}

// mergeRecords decides, per conflict resolution option, what each source item becomes
// in the target mailbox. Copies carry their origin, so a re-run after a crash finds its
// own earlier copies instead of adding duplicates.
func mergeRecords(target *bolt.DB, targetGuid, srcSig, option string, items []sourceItem) ([]logRecord, error) {
	var recs []logRecord
	err := target.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItems)
		if b == nil {
			return fmt.Errorf("target database file has no item table")
		}
		for _, si := range items {
			it := si.it
			it.Origin = srcSig + "/" + si.key
			key := it.MessageID
			var existing *item
			if v := b.Get(itemKey(targetGuid, key)); v != nil {
				existing = &item{}
				if err := json.Unmarshal(v, existing); err != nil {
					existing = &item{}
				}
			}
			switch strings.ToLower(option) {
			case "keeptargetitem":
				if existing != nil {
					continue
				}
			case "keepall":
				if existing != nil && existing.Origin != it.Origin {
					key = it.MessageID + "#" + guidFrom(it.Origin)[:8]
				}
			}
			recs = append(recs, logRecord{Op: opPut, Guid: targetGuid, Key: key, Item: it})
		}
		return nil
	})
	return recs, err
}

// removeRequests is Remove-MailboxRestoreRequest for the Completed requests of Source.
func (s *session) removeRequests(op providers.Operation) (providers.Result, error) {
	var n int64
	err := s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRequests)
		var keys [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var r restoreRequest
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("restore request %q is damaged: %v", k, err)
			}
			if r.Status == statusCompleted && strings.EqualFold(r.Source, op.Source) {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = int64(len(keys))
		return nil
	})
	if err != nil {
		return providers.Result{}, err
	}
	if n == 0 {
		return providers.Result{AlreadyDone: true, Detail: "no completed request of " + op.Source}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("removed %d completed restore requests of %s", n, op.Source), Count: n}, nil
}
