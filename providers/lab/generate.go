package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// GenerateSpec sizes a generated organization: Servers servers, each with
// DatabasesPerServer databases of MailboxesPerDatabase user mailboxes, and optionally
// MessagesPerMailbox messages delivered to every user mailbox. Names are deterministic
// (see Topology): the same spec always gives the same organization.
type GenerateSpec struct {
	Servers              int
	DatabasesPerServer   int
	MailboxesPerDatabase int
	MessagesPerMailbox   int    // 0: no mail
	Edition              string // "standard" or "enterprise" (default)
	Version              string // default "15.2.1544.4" (Exchange 2019 CU14)
}

func (sp GenerateSpec) check() error {
	if sp.Servers < 1 || sp.DatabasesPerServer < 1 {
		return fmt.Errorf("generate: at least one server and one database per server are needed (got %d servers, %d databases per server)",
			sp.Servers, sp.DatabasesPerServer)
	}
	if sp.MailboxesPerDatabase < 0 || sp.MessagesPerMailbox < 0 {
		return fmt.Errorf("generate: mailboxes and messages must not be negative")
	}
	if sp.DatabasesPerServer > 100 {
		return fmt.Errorf("generate: %d databases per server: a server has log prefixes E00-E99 only", sp.DatabasesPerServer)
	}
	return nil
}

// ServerName, DatabaseName: the deterministic names of a generated organization,
// EX001... and DB0001... (numbered across servers; wider when the counts need it).
func (sp GenerateSpec) ServerName(i int) string {
	return fmt.Sprintf("EX%0*d", width(sp.Servers, 3), i)
}

func (sp GenerateSpec) DatabaseName(i int) string {
	return fmt.Sprintf("DB%0*d", width(sp.Servers*sp.DatabasesPerServer, 4), i)
}

func width(n, least int) int { return max(least, len(fmt.Sprint(n))) }

// Topology is the servers and databases of the spec: database k (1-based, across
// servers) is on server (k-1)/DatabasesPerServer+1, its file at
// D:\Databases\DBk\DBk.edb and its logs in D:\Databases\DBk\Logs.
func (sp GenerateSpec) Topology() Topology {
	ed, ver := sp.Edition, sp.Version
	if ed == "" {
		ed = "enterprise"
	}
	if ver == "" {
		ver = "15.2.1544.4"
	}
	var t Topology
	k := 0
	for s := 1; s <= sp.Servers; s++ {
		srv := sp.ServerName(s)
		t.Servers = append(t.Servers, ServerSpec{Name: srv, Edition: ed, Version: ver})
		for d := 1; d <= sp.DatabasesPerServer; d++ {
			k++
			db := sp.DatabaseName(k)
			t.Databases = append(t.Databases, DatabaseSpec{Name: db, Server: srv,
				EdbFilePath: `D:\Databases\` + db + `\` + db + `.edb`, LogFolderPath: `D:\Databases\` + db + `\Logs`})
		}
	}
	return t
}

// MailboxAddress is the address of the n-th (1-based) user mailbox of database db in a
// generated (or Init-built) lab.
func MailboxAddress(db string, n int) string { return mailboxAddress(db, n) }

// Generate builds the organization of spec in dir, like Init with the spec's Topology,
// but in bulk: the database files and the directory are written without an fsync per
// transaction (bbolt NoSync), the directory's mailboxes in one transaction, org.json
// once, and the whole lab is made durable by one sync at the end. A crash during
// Generate leaves a folder to remove, never a lab that looks whole: org.json, which
// Open requires, is written last, after the sync. With MessagesPerMailbox, mail is then
// delivered through the ordinary (durable) path, one batch per database.
func Generate(dir string, spec GenerateSpec) (*Lab, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	topo := spec.Topology()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create lab folder: %w", err)
	}
	l := &Lab{dir: dir}
	err := l.run(true, func(s *session) error {
		if exists(l.orgPath()) || exists(filepath.Join(dir, directoryFile)) {
			return fmt.Errorf("lab already exists at %s: remove the folder to start over", dir)
		}
		s.bulk = true
		if err := s.buildServers(topo); err != nil {
			return err
		}
		if err := s.buildDatabases(topo, spec.MailboxesPerDatabase); err != nil {
			return err
		}
		if err := s.flushBulkMailboxes(); err != nil {
			return err
		}
		if err := s.close(); err != nil { // NoSync handles: nothing is flushed by Close
			return err
		}
		if err := syncTree(dir); err != nil {
			return fmt.Errorf("make the generated lab durable: %w", err)
		}
		s.bulk = false
		return s.saveOrg()
	})
	if err != nil {
		return nil, err
	}
	if spec.MessagesPerMailbox > 0 && spec.MailboxesPerDatabase > 0 {
		for _, db := range topo.Databases {
			addrs := make([]string, 0, spec.MailboxesPerDatabase*spec.MessagesPerMailbox)
			for m := 0; m < spec.MessagesPerMailbox; m++ {
				for n := 1; n <= spec.MailboxesPerDatabase; n++ {
					addrs = append(addrs, mailboxAddress(db.Name, n))
				}
			}
			err := l.run(false, func(s *session) error {
				_, err := s.deliver(addrs)
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("deliver mail to %s: %w", db.Name, err)
			}
		}
	}
	return l, nil
}

// flushBulkMailboxes writes the directory entries collected in bulk mode in one
// transaction, in key order (bbolt appends sorted keys cheaply; a full fill factor
// since nothing is inserted between them later in bulk).
func (s *session) flushBulkMailboxes() error {
	ms := s.bulkMailboxes
	s.bulkMailboxes = nil
	if len(ms) == 0 {
		return nil
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Address < ms[j].Address })
	return s.dir.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailboxes)
		b.FillPercent = 0.9
		keys := make([][]byte, 0, len(ms))
		for i, m := range ms {
			if (i > 0 && ms[i-1].Address == m.Address) || b.Get([]byte(m.Address)) != nil {
				return fmt.Errorf("mailbox %s already exists", m.Address)
			}
			if err := b.Put([]byte(m.Address), m.encode()); err != nil {
				return err
			}
			keys = append(keys, m.indexKeys()...)
		}
		// The by_home index in the same transaction (directory.go), sorted separately.
		return putSortedKeys(tx.Bucket(bucketByHome), keys)
	})
}

// boltOptions are the options every bbolt file of a session is opened with: NoSync in
// bulk mode (Generate syncs the whole folder once at its end).
func (s *session) boltOptions() *bolt.Options {
	return &bolt.Options{Timeout: 5 * time.Second, NoSync: s.bulk, NoGrowSync: s.bulk}
}
