package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/state"
)

// ReadTopology is the cheap part of Read: the servers and databases as the organization
// holds them (up or down, mounted or not, settings, copies) and, for the databases
// sized says (all with AllSizes, none with nil), the size of each on a server that is
// up (its .edb plus its log folder, as Read counts it), without inspecting a database
// file or a log, and without mailboxes, backups or restore requests. The exchange
// provider's PowerShell double answers the cmdlets that need no more with it: a full
// Read per request would make every session of the double wait on the lab's lock for
// as long as a 25,000-mailbox directory takes to read, and the sizes (a confined stat
// of every path and a walk of every log folder) were most of what remained, for the
// one cmdlet that shows them.
func (l *Lab) ReadTopology(ctx context.Context, sized func(database string) bool) (*state.Observed, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := newObserved()
	err := l.runOrg(func(s *session) error {
		for _, sv := range s.org.Servers {
			obs.Servers[sv.Name] = sv.observed()
		}
		for _, d := range s.org.Databases {
			o := s.observedDatabase(d)
			obs.Databases[d.Name] = o
			if srv := s.org.server(d.Server); srv == nil || !srv.Up || sized == nil || !sized(d.Name) {
				continue
			}
			if p, err := s.edbPath(d); err == nil {
				if st, err := os.Stat(p); err == nil {
					o.SizeBytes += st.Size()
				}
			}
			if folder, err := s.logFolder(d); err == nil {
				if n, err := treeSize(folder); err == nil {
					o.SizeBytes += n
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return obs, nil
}

// AllSizes is ReadTopology's sized for every database.
func AllSizes(string) bool { return true }

// newObserved is an empty Observed with its maps made.
func newObserved() *state.Observed {
	return &state.Observed{Servers: map[string]*state.Server{}, Databases: map[string]*state.Database{}, Mailboxes: map[string]*state.Mailbox{},
		Backups: map[string]*state.Backup{}, RestoreRequests: map[string]*state.RestoreRequest{}}
}

// observed is the server as Read and ReadTopology report it (UsedBytes is Read's).
func (sv *serverObj) observed() *state.Server {
	return &state.Server{Name: sv.Name, Site: sv.Site, Edition: sv.Edition, Version: sv.Version, Up: sv.Up,
		SchemaVersion: sv.SchemaVersion, CapacityBytes: sv.CapacityBytes, MaximumActiveDatabases: sv.MaximumActiveDatabases}
}

// observedDatabase is d as Read and ReadTopology report it from org.json, before
// anything of its files (size, header, logs) is added.
func (s *session) observedDatabase(d *databaseObj) *state.Database {
	return &state.Database{
		Name: d.Name, Server: d.Server, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath,
		LogFilePrefix: d.LogFilePrefix, Recovery: d.Recovery, Mounted: d.Mounted,
		AllowFileRestore: d.AllowFileRestore, Settings: d.settings(), Copies: s.copies(d),
	}
}

// copies are d's passive copies as Get-MailboxDatabaseCopyStatus reports them.
func (s *session) copies(d *databaseObj) []state.DatabaseCopy {
	var out []state.DatabaseCopy
	for _, c := range d.Copies {
		cp := state.DatabaseCopy{Server: c.Server, Status: "Healthy"}
		switch srv := s.org.server(c.Server); {
		case c.Lost:
			cp.Status = "Failed"
		case srv == nil || !srv.Up:
			cp.Status = "ServiceDown"
		}
		cp.Healthy = cp.Status == "Healthy"
		out = append(out, cp)
	}
	return out
}

// runOrg is run for a read of org.json only: under the same locks, without opening the
// directory (whose opening is a write transaction, synced to disk).
// fn must not change the org: it may be the one an earlier read decoded.
func (l *Lab) runOrg(fn func(s *session) error) error {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	org, err := l.readOnlyOrg()
	if err != nil {
		return err
	}
	return fn(&session{l: l, org: org})
}

// readOnlyOrg is org.json decoded, for a session that reads it only: the last one
// decoded while the file holds the same bytes, so that the double's topology reads,
// one per request, do not decode it again and again (the decoding was a sixth of the
// double's own time). Under l.lock.
func (l *Lab) readOnlyOrg() (*orgFile, error) {
	data, err := l.orgBytes()
	if err != nil {
		return nil, err
	}
	if l.orgRead.org != nil && bytes.Equal(data, l.orgRead.data) {
		return l.orgRead.org, nil
	}
	o, err := l.decodeOrgBytes(data)
	if err != nil {
		return nil, err
	}
	l.orgRead.data, l.orgRead.org = data, o
	return o, nil
}

// ErrNotIndexed is MailboxesOn's answer when the directory's index by home database is
// not built (a lab of an older version): Read has every mailbox.
var ErrNotIndexed = errors.New("the lab's directory has no index by home database")

// MailboxesOn lists the mailboxes of every kind homed on database (an ASCII name, any
// case), sorted by address, through the directory's index and a read-only open of the
// directory: what Get-Mailbox -Database needs, without reading the organization's
// other mailboxes.
func (l *Lab) MailboxesOn(ctx context.Context, database string) ([]*state.Mailbox, error) {
	if !isASCII(database) {
		return nil, ErrNotIndexed
	}
	return l.mailboxesIndexed(ctx, homePrefix('h', database))
}

// ArchivesOn lists the mailboxes whose archive is on database (an ASCII name, any
// case), sorted by address, through the directory's index: what Get-Mailbox -Filter on
// ArchiveDatabase needs, without reading the organization's other mailboxes.
func (l *Lab) ArchivesOn(ctx context.Context, database string) ([]*state.Mailbox, error) {
	if !isASCII(database) {
		return nil, ErrNotIndexed
	}
	return l.mailboxesIndexed(ctx, homePrefix('a', database))
}

// AllMailboxes lists every mailbox, sorted by address, from a read-only open of the
// directory: Read's mailboxes without Read's look at every file.
func (l *Lab) AllMailboxes(ctx context.Context) ([]*state.Mailbox, error) {
	return l.mailboxesIndexed(ctx, nil)
}

// mailboxesIndexed lists the mailboxes the index lists under prefix, or every one for
// a nil prefix.
func (l *Lab) mailboxesIndexed(ctx context.Context, prefix []byte) ([]*state.Mailbox, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*state.Mailbox
	add := func(k, v []byte) error {
		m, err := decodeMailbox(k, v)
		if err != nil {
			return err
		}
		o := &state.Mailbox{Address: m.Address, ExchangeGuid: m.Guid, Database: m.Home, Kind: m.Kind,
			ArchiveDatabase: m.Archive, NoAutodiscover: m.NoAutodiscover}
		if m.Archive != "" {
			o.ArchiveGuid = archiveGuid(m.Address)
		}
		out = append(out, o)
		return nil
	}
	err := l.runOrg(func(s *session) error {
		dir, err := bolt.Open(filepath.Join(l.dir, directoryFile), 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("open directory: %w", err)
		}
		defer dir.Close()
		return dir.View(func(tx *bolt.Tx) error {
			meta, mbs := tx.Bucket(bucketMeta), tx.Bucket(bucketMailboxes)
			if meta == nil || mbs == nil {
				return ErrNotIndexed
			}
			if prefix == nil {
				return mbs.ForEach(add)
			}
			if string(meta.Get(metaIndexed)) != indexVersion {
				return ErrNotIndexed
			}
			for _, a := range indexedOn(tx, prefix) {
				v := mbs.Get([]byte(a))
				if v == nil {
					return fmt.Errorf("directory index lists %s under %q, which has no entry: the directory is damaged", a, prefix)
				}
				if err := add([]byte(a), v); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
