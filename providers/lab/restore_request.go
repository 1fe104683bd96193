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

	statusCompletedWithWarning = "CompletedWithWarning" // finished, bad items skipped
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
	Archive      bool   `json:"target_is_archive,omitempty"` // into the target's archive
	Cursor       string `json:"cursor,omitempty"`            // last source item key copied
	Copied       int64  `json:"copied"`
	BadItems     int    `json:"bad_items"`
	// Report lists the bad items skipped (Get-MailboxRestoreRequestStatistics -IncludeReport).
	Report []string `json:"report,omitempty"`
}

// defaultMergeBatch is how many items one log append and one commit carry (tests:
// Options.mergeBatch).
const defaultMergeBatch = 4096

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
	target, err := s.requestTarget(op.Mailbox, op.TargetIsArchive)
	if err != nil {
		return providers.Result{}, err
	}
	req, err := s.loadRequest(requestKey(target.Address, name))
	if err != nil {
		return providers.Result{}, err
	}
	if req != nil && req.done() {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("request %s\\%s already %s (%d items)", target.Address, name, req.Status, req.Copied), Count: req.Copied}, nil
	}
	if !src.Mounted {
		return providers.Result{}, fmt.Errorf("source database %s is not mounted", src.Name)
	}
	guid := strings.ToLower(op.ExchangeGuid)
	if req == nil {
		present, err := s.sourceHas(src, guid)
		if err != nil {
			return providers.Result{}, err
		}
		if !present {
			return providers.Result{Skipped: true, Detail: fmt.Sprintf("%s has no mailbox %s: nothing to merge", src.Name, guid)}, nil
		}
		req = &restoreRequest{Name: name, Source: src.Name, Target: target.Address, SourceGuid: guid, Status: statusQueued, Archive: op.TargetIsArchive}
	}
	req.Conflict, req.BadItemLimit = op.ConflictResolution, op.BadItemLimit
	return s.runRequest(ctx, req, target, progress)
}

// requestTarget is the mailbox a restore request writes into: the mailbox at address,
// or (-TargetIsArchive) its archive, a mailbox of its own in the archive database.
func (s *session) requestTarget(address string, archive bool) (mailbox, error) {
	m, err := s.lookupMailbox(address)
	if err != nil || !archive {
		return m, err
	}
	if m.Archive == "" {
		return m, fmt.Errorf("%s has no archive: a restore request with -TargetIsArchive needs one", m.Address)
	}
	m.Home, m.Guid = m.Archive, archiveGuid(m.Address)
	return m, nil
}

// done is true for a request that finished (with or without skipped bad items).
func (r *restoreRequest) done() bool {
	return r.Status == statusCompleted || r.Status == statusCompletedWithWarning
}

// sourceHas reports whether the source database holds the mailbox guid.
func (s *session) sourceHas(src *databaseObj, guid string) (bool, error) {
	path, err := s.edbPath(src)
	if err != nil {
		return false, err
	}
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return false, err
	}
	var present bool
	err = e.View(func(tx *bolt.Tx) error {
		present = tx.Bucket(bucketEdbMailboxes).Get([]byte(guid)) != nil
		return nil
	})
	return present, err
}

// runRequest copies from the request's cursor to the end of the source mailbox. A bad
// item (one the source cannot read) is skipped and counted; when the count goes past
// BadItemLimit the request stops Failed, its cursor past the item that tipped it, and a
// resume with a higher limit continues from there. A request that skipped bad items
// within its limit ends CompletedWithWarning. Skipped items are recorded as lost.
func (s *session) runRequest(ctx context.Context, req *restoreRequest, target mailbox, progress func(done, total int64)) (providers.Result, error) {
	id := target.Address + `\` + req.Name
	src, err := s.org.mustDatabase(req.Source)
	if err != nil {
		return providers.Result{}, fmt.Errorf("request %s: %w", id, err)
	}
	if !src.Mounted {
		return providers.Result{}, fmt.Errorf("request %s stays %s: source database %s is not mounted", id, req.Status, src.Name)
	}
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	home := s.org.database(target.Home)
	if home == nil || !home.Mounted || home.Recovery {
		return providers.Result{}, fmt.Errorf("request %s stays %s: the target mailbox's database %s is not mounted", id, req.Status, target.Home)
	}
	if home == src {
		return providers.Result{}, fmt.Errorf("source and target database are both %s", src.Name)
	}
	if req.BadItems > req.BadItemLimit {
		req.Status = statusFailed
		if err := s.saveRequest(req); err != nil {
			return providers.Result{}, err
		}
		return providers.Result{}, fmt.Errorf("request %s Failed: %d bad items exceed BadItemLimit %d; raise the limit and resume it", id, req.BadItems, req.BadItemLimit)
	}
	srcPath, err := s.edbPath(src)
	if err != nil {
		return providers.Result{}, err
	}
	srcDB, err := s.openEDBPath(srcPath, false)
	if err != nil {
		return providers.Result{}, err
	}
	total, err := countItems(srcDB, req.SourceGuid)
	if err != nil {
		return providers.Result{}, err
	}
	req.Status = statusInProgress
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	homePath, err := s.edbPath(home)
	if err != nil {
		return providers.Result{}, err
	}
	done := req.Copied + int64(req.BadItems)
	for {
		if err := ctx.Err(); err != nil {
			return providers.Result{}, fmt.Errorf("request %s interrupted (stays %s, resumes on the next run): %w", id, req.Status, err)
		}
		entries, err := readSourceBatch(srcDB, req.SourceGuid, req.Cursor, s.l.opts.batch())
		if err != nil {
			return providers.Result{}, fmt.Errorf("read %s in %s: %w", req.SourceGuid, src.Name, err)
		}
		if len(entries) == 0 {
			break
		}
		var good []sourceItem
		var bad []string
		failed, cut := false, len(entries)
		for i, e := range entries {
			if !e.bad {
				good = append(good, e)
				continue
			}
			req.BadItems++
			bad = append(bad, e.it.MessageID)
			req.Report = append(req.Report, fmt.Sprintf("bad item %s (%q) skipped", e.it.MessageID, e.key))
			if req.BadItems > req.BadItemLimit {
				failed, cut = true, i+1
				break
			}
		}
		homeDB, err := s.openEDBPath(homePath, false)
		if err != nil {
			return providers.Result{}, err
		}
		recs, err := mergeRecords(homeDB, target.Guid, src.Signature, req.Conflict, good)
		if err != nil {
			return providers.Result{}, err
		}
		if err := s.writeRecords(home, recs); err != nil {
			return providers.Result{}, fmt.Errorf("request %s: %w", id, err)
		}
		if hook := s.l.opts.afterMergeWrite; hook != nil {
			if err := hook(); err != nil {
				return providers.Result{}, err
			}
		}
		if err := s.markLost(bad, fmt.Sprintf("bad item in %s skipped by restore request %s (BadItemLimit %d)", src.Name, id, req.BadItemLimit)); err != nil {
			return providers.Result{}, err
		}
		req.Cursor = entries[cut-1].key
		req.Copied += int64(len(recs))
		done += int64(cut)
		if failed {
			req.Status = statusFailed
		}
		if err := s.saveRequest(req); err != nil {
			return providers.Result{}, err
		}
		if progress != nil {
			progress(min(done, total), total)
		}
		if failed {
			return providers.Result{}, fmt.Errorf("request %s Failed: %d bad items exceed BadItemLimit %d (%d items copied so far); raise the limit and resume it",
				id, req.BadItems, req.BadItemLimit, req.Copied)
		}
	}
	req.Status = statusCompleted
	detail := fmt.Sprintf("request %s Completed: %d items copied", id, req.Copied)
	if req.BadItems > 0 {
		req.Status = statusCompletedWithWarning
		detail = fmt.Sprintf("request %s CompletedWithWarning: %d items copied, %d bad items skipped", id, req.Copied, req.BadItems)
	}
	if err := s.saveRequest(req); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: detail, Count: req.Copied}, nil
}

// countItems counts the items of mailbox guid in a database file.
func countItems(e *bolt.DB, guid string) (int64, error) {
	var n int64
	prefix := []byte(guid + "|")
	err := e.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

type sourceItem struct {
	key string
	it  item
	bad bool // unreadable: never copied
}

// readSourceBatch reads up to n items of the mailbox guid after the key cursor, bad
// ones included (marked).
func readSourceBatch(e *bolt.DB, guid, cursor string, n int) ([]sourceItem, error) {
	var out []sourceItem
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
			var it item
			if err := json.Unmarshal(v, &it); err != nil || it.Bad {
				if it.MessageID == "" {
					it.MessageID = key
				}
				out = append(out, sourceItem{key: key, it: it, bad: true})
				continue
			}
			out = append(out, sourceItem{key: key, it: it})
		}
		return nil
	})
	return out, err
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
			if (r.Status == statusCompleted || r.Status == statusCompletedWithWarning) && strings.EqualFold(r.Source, op.Source) {
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
