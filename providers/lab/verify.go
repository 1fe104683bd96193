package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/state"
)

// Item is one message of a mailbox listing.
type Item struct {
	MessageID string `json:"message_id"`
	Subject   string `json:"subject"`
}

// MailboxListing is what a user sees in a mailbox. Items are sorted by message ID.
type MailboxListing struct {
	Address  string `json:"address"`
	Database string `json:"database"`
	Items    []Item `json:"items"`
}

// Mailbox lists the items of a mailbox in its home database. It fails, naming the
// database, when that database is not mounted.
func (l *Lab) Mailbox(address string) (*MailboxListing, error) {
	var out *MailboxListing
	err := l.run(false, func(s *session) error {
		m, err := s.lookupMailbox(address)
		if err != nil {
			return err
		}
		db := s.org.database(m.Home)
		if db == nil || !db.Mounted {
			return fmt.Errorf("mailbox %s is homed on %s, which is not mounted", m.Address, m.Home)
		}
		e, err := s.openEDB(db)
		if err != nil {
			return err
		}
		out = &MailboxListing{Address: m.Address, Database: db.Name, Items: []Item{}}
		prefix := []byte(m.Guid + "|")
		err = e.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketItems).Cursor()
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				var it item
				if err := json.Unmarshal(v, &it); err != nil {
					return fmt.Errorf("item %s in %s is damaged: %v", k, db.Name, err)
				}
				out.Items = append(out.Items, Item{MessageID: it.MessageID, Subject: it.Subject})
			}
			return nil
		})
		sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].MessageID < out.Items[j].MessageID })
		return err
	})
	return out, err
}

// DatabaseStatus is one database of Status.
type DatabaseStatus struct {
	Name     string `json:"name"`
	Server   string `json:"server"`
	Mounted  bool   `json:"mounted"`
	Recovery bool   `json:"recovery"`
	// ExcludedFromProvisioning is Set-MailboxDatabase -IsExcludedFromProvisioning.
	ExcludedFromProvisioning bool `json:"excluded_from_provisioning,omitempty"`
	// Settings are the database's settings that differ from Exchange's defaults.
	Settings map[string]string `json:"settings,omitempty"`
}

// MailboxStatus is one mailbox of Status.
type MailboxStatus struct {
	Address  string `json:"address"`
	Database string `json:"database"`
	Kind     string `json:"kind,omitempty"` // "" for a user mailbox
}

// Status lists databases (by name) and mailboxes (by address).
type Status struct {
	Databases []DatabaseStatus `json:"databases"`
	Mailboxes []MailboxStatus  `json:"mailboxes"`
}

// Status reports where things are.
func (l *Lab) Status() (*Status, error) {
	st := &Status{Databases: []DatabaseStatus{}, Mailboxes: []MailboxStatus{}}
	err := l.run(false, func(s *session) error {
		for _, d := range s.org.Databases {
			st.Databases = append(st.Databases, DatabaseStatus{Name: d.Name, Server: d.Server, Mounted: d.Mounted, Recovery: d.Recovery, ExcludedFromProvisioning: d.setting(state.SettingIsExcludedFromProvisioning) == "True",
				Settings: maps.Clone(d.Settings)})
		}
		sort.Slice(st.Databases, func(i, j int) bool { return st.Databases[i].Name < st.Databases[j].Name })
		ms, err := s.allMailboxes()
		for _, m := range ms {
			st.Mailboxes = append(st.Mailboxes, MailboxStatus{Address: m.Address, Database: m.Home, Kind: m.Kind})
		}
		return err
	})
	return st, err
}

// VerifyReport is the ledger checked against the mailboxes. Lists hold message IDs,
// sorted.
//
// Lost holds the messages accepted but destroyed by an injected failure whose loss no
// recovery could avoid (their only durable copy was in destroyed log generations, in a
// destroyed database without a later backup, or they were bad items a restore request
// skipped), with the reason in LostReason. They are not Missing: Missing is what a
// correct recovery should have saved and did not.
type VerifyReport struct {
	Accepted   int               `json:"accepted"`
	Delivered  int               `json:"delivered"`
	Queued     []string          `json:"queued"`
	Missing    []string          `json:"missing"`
	Duplicated []string          `json:"duplicated"`
	Unexpected []string          `json:"unexpected"`
	Lost       []string          `json:"lost"`
	LostReason map[string]string `json:"lost_reason"`
}

// OK is true when nothing is queued, missing, duplicated, unexpected or lost.
func (r *VerifyReport) OK() bool {
	return r.OKExceptLost() && len(r.Lost) == 0
}

// OKExceptLost is true when everything that could be saved was: nothing queued,
// missing, duplicated or unexpected (messages lost to injected failures aside).
func (r *VerifyReport) OKExceptLost() bool {
	return len(r.Queued) == 0 && len(r.Missing) == 0 && len(r.Duplicated) == 0 && len(r.Unexpected) == 0
}

// Verify checks that every message of the ledger is in its owner's mailbox, in the
// owner's current home database (mounted), exactly once by message ID; a message
// delivered to an archive, in the owner's archive mailbox in its archive database. Items found in a
// home database that the ledger does not give to that mailbox are unexpected. A message
// found is delivered even if an injection recorded it as lost; one not found is Lost
// only if an injection (or a skipped bad item) recorded it so, else Missing.
func (l *Lab) Verify() (*VerifyReport, error) {
	r := &VerifyReport{Queued: []string{}, Missing: []string{}, Duplicated: []string{}, Unexpected: []string{}, Lost: []string{}, LostReason: map[string]string{}}
	err := l.run(false, func(s *session) error {
		owners := map[string]string{}
		toArchive := map[string]bool{} // message IDs that belong in their owner's archive
		err := s.dir.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketLedger).ForEach(func(k, v []byte) error {
				var e ledgerEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("ledger entry %s is damaged: %v", k, err)
				}
				owners[string(k)] = e.To
				if e.Archive {
					toArchive[string(k)] = true
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		queued, err := s.queued()
		if err != nil {
			return err
		}
		lost, err := s.lostReasons()
		if err != nil {
			return err
		}
		ms, err := s.allMailboxes()
		if err != nil {
			return err
		}
		byGuid := map[string]map[string]string{} // home or archive database -> guid -> address
		archives := map[string]bool{}            // the guids of archive mailboxes
		for _, m := range ms {
			if byGuid[m.Home] == nil {
				byGuid[m.Home] = map[string]string{}
			}
			byGuid[m.Home][m.Guid] = m.Address
			if m.Archive != "" {
				if byGuid[m.Archive] == nil {
					byGuid[m.Archive] = map[string]string{}
				}
				g := archiveGuid(m.Address)
				byGuid[m.Archive][g] = m.Address
				archives[g] = true
			}
		}
		counts := map[string]int{}
		unexpected := map[string]bool{}
		for _, d := range s.org.Databases {
			users := byGuid[d.Name]
			if !d.Mounted || d.Recovery || len(users) == 0 {
				continue
			}
			e, err := s.openEDB(d)
			if err != nil {
				return err
			}
			err = e.View(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketItems).ForEach(func(k, v []byte) error {
					if len(k) <= guidLen {
						return nil
					}
					addr, ok := users[string(k[:guidLen])]
					if !ok {
						return nil // a mailbox left behind by a re-home: nobody sees it here
					}
					var it item
					if err := json.Unmarshal(v, &it); err != nil {
						return fmt.Errorf("item %s in %s is damaged: %v", k, d.Name, err)
					}
					if owners[it.MessageID] != addr || toArchive[it.MessageID] != archives[string(k[:guidLen])] {
						unexpected[it.MessageID] = true
						return nil
					}
					counts[it.MessageID]++
					return nil
				})
			})
			if err != nil {
				return err
			}
		}
		r.Accepted = len(owners)
		for id := range owners {
			switch n := counts[id]; {
			case n == 0 && queued[id]:
				r.Queued = append(r.Queued, id)
			case n == 0 && lost[id] != "":
				r.Lost = append(r.Lost, id)
				r.LostReason[id] = lost[id]
			case n == 0:
				r.Missing = append(r.Missing, id)
			case n > 1:
				r.Duplicated = append(r.Duplicated, id)
				r.Delivered++
			default:
				r.Delivered++
			}
		}
		for id := range unexpected {
			r.Unexpected = append(r.Unexpected, id)
		}
		for _, l := range [][]string{r.Queued, r.Missing, r.Duplicated, r.Unexpected, r.Lost} {
			sort.Strings(l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
