package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
)

// resumeRequest is Set-MailboxRestoreRequest -BadItemLimit N, then
// Resume-MailboxRestoreRequest: an existing request continues from its cursor with the
// new limit. It never creates a request; a finished one is AlreadyDone.
func (s *session) resumeRequest(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	target, err := s.lookupMailbox(op.Mailbox)
	if err != nil {
		return providers.Result{}, err
	}
	name := op.RequestName
	if name == "" {
		name = "MailboxRestore"
	}
	req, err := s.loadRequest(requestKey(target.Address, name))
	if err != nil {
		return providers.Result{}, err
	}
	if req == nil {
		return providers.Result{}, fmt.Errorf("no restore request %s\\%s: resume never creates one (merge_mailbox does)", target.Address, name)
	}
	if req.done() {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("request %s\\%s already %s (%d items)", target.Address, name, req.Status, req.Copied), Count: req.Copied}, nil
	}
	req.BadItemLimit = op.BadItemLimit
	if req.Archive {
		if target, err = s.requestTarget(target.Address, true); err != nil {
			return providers.Result{}, err
		}
	}
	return s.runRequest(ctx, req, target, progress)
}

// FailItems marks count items of database as bad (a restore request cannot read them):
// the first items not yet bad, by mailbox address then message ID (mailboxes the
// directory does not know come last, by GUID). It refuses when the database holds
// fewer, marking none. The file is changed in place, as corruption is: not logged.
func (l *Lab) FailItems(database string, count int) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if count <= 0 {
			return fmt.Errorf("count must be 1 or more (got %d)", count)
		}
		if err := s.serverUp(db.Server); err != nil {
			return err
		}
		ms, err := s.allMailboxes()
		if err != nil {
			return err
		}
		addr := map[string]string{}
		for _, m := range ms {
			addr[m.Guid] = m.Address
		}
		e, err := s.openEDB(db)
		if err != nil {
			return fmt.Errorf("cannot damage items of %s: %w", db.Name, err)
		}
		return e.Update(func(tx *bolt.Tx) error {
			if _, err := readHeader(tx); err != nil {
				return fmt.Errorf("database file of %s is damaged: %v", db.Name, err)
			}
			type cand struct{ order, id, key string }
			var cands []cand
			b := tx.Bucket(bucketItems)
			err := b.ForEach(func(k, v []byte) error {
				if len(k) <= guidLen {
					return nil
				}
				var it item
				if json.Unmarshal(v, &it) != nil || it.Bad {
					return nil
				}
				g := string(k[:guidLen])
				order := "\x00" + addr[g]
				if addr[g] == "" {
					order = "\x01" + g
				}
				cands = append(cands, cand{order, it.MessageID, string(k)})
				return nil
			})
			if err != nil {
				return err
			}
			if len(cands) < count {
				return fmt.Errorf("%s holds %d items that are not bad, fewer than %d", db.Name, len(cands), count)
			}
			sort.Slice(cands, func(i, j int) bool {
				a, c := cands[i], cands[j]
				if a.order != c.order {
					return a.order < c.order
				}
				if a.id != c.id {
					return a.id < c.id
				}
				return a.key < c.key
			})
			for _, c := range cands[:count] {
				var it item
				if err := json.Unmarshal(b.Get([]byte(c.key)), &it); err != nil {
					return err
				}
				it.Bad = true
				data, err := json.Marshal(it)
				if err != nil {
					return err
				}
				if err := b.Put([]byte(c.key), data); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
