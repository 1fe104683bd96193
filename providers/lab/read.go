package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/state"
)

// maxMissingReported bounds LogRange.Missing: a stray file named with a huge generation
// must not make Read list billions of holes.
const maxMissingReported = 4096

// Read reports the organization: servers (with the bytes their files take), databases
// with the state of their files and the span of their logs, every mailbox, the backup
// sets and the restore requests. The files of a server that is down cannot be reached:
// its databases read as FilesOK false, with no size and no log range, and the server
// with no used bytes.
func (l *Lab) Read(ctx context.Context) (*state.Observed, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := &state.Observed{Servers: map[string]*state.Server{}, Databases: map[string]*state.Database{}, Mailboxes: map[string]*state.Mailbox{},
		Backups: map[string]*state.Backup{}, RestoreRequests: map[string]*state.RestoreRequest{}}
	err := l.run(false, func(s *session) error {
		for _, sv := range s.org.Servers {
			o := &state.Server{Name: sv.Name, Site: sv.Site, Edition: sv.Edition, Version: sv.Version, Up: sv.Up,
				SchemaVersion: sv.SchemaVersion, CapacityBytes: sv.CapacityBytes, MaximumActiveDatabases: sv.MaximumActiveDatabases}
			if sv.Up {
				used, err := l.usedBytes(sv.Name)
				if err != nil {
					return err
				}
				o.UsedBytes = used
			}
			obs.Servers[sv.Name] = o
		}
		for _, d := range s.org.Databases {
			o := &state.Database{
				Name: d.Name, Server: d.Server, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath,
				LogFilePrefix: d.LogFilePrefix, Recovery: d.Recovery, Mounted: d.Mounted,
				AllowFileRestore: d.AllowFileRestore,
			}
			obs.Databases[d.Name] = o
			if srv := s.org.server(d.Server); srv == nil || !srv.Up {
				continue
			}
			st := s.inspect(d)
			o.Clean = st.Header != nil && st.Header.State == stateClean
			o.FilesOK = st.filesOK()
			prefix := d.LogFilePrefix
			if st.Header != nil && validPrefix(st.Header.LogPrefix) {
				prefix = st.Header.LogPrefix // restored files bring their own stream
			}
			size, logs, err := s.databaseFiles(d, prefix)
			if err != nil {
				return err
			}
			o.SizeBytes, o.Logs = size, logs
		}
		if err := s.closeEDBs(); err != nil {
			return err
		}
		ms, err := s.allMailboxes()
		if err != nil {
			return err
		}
		for _, m := range ms {
			obs.Mailboxes[m.Address] = &state.Mailbox{Address: m.Address, ExchangeGuid: m.Guid, Database: m.Home,
				Kind: m.Kind, ArchiveDatabase: m.Archive, NoAutodiscover: m.NoAutodiscover}
		}
		if err := s.readBackups(obs.Backups); err != nil {
			return err
		}
		return s.dir.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequests).ForEach(func(k, v []byte) error {
				var r restoreRequest
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("restore request %q is damaged: %v", strings.ReplaceAll(string(k), "\x00", `\`), err)
				}
				obs.RestoreRequests[r.Target+`\`+r.Name] = &state.RestoreRequest{Name: r.Name, SourceDatabase: r.Source, TargetMailbox: r.Target,
					Status: r.Status, BadItemLimit: r.BadItemLimit, BadItems: r.BadItems}
				return nil
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return obs, nil
}

// databaseFiles sizes a database's .edb plus its log folder, and the span of the
// generations of prefix there (nil when there is no log).
func (s *session) databaseFiles(d *databaseObj, prefix string) (int64, *state.LogRange, error) {
	var size int64
	if p, err := s.edbPath(d); err == nil {
		if st, err := os.Stat(p); err == nil {
			size += st.Size()
		}
	}
	folder, err := s.logFolder(d)
	if err != nil {
		return 0, nil, err
	}
	n, err := treeSize(folder)
	if err != nil {
		return 0, nil, err
	}
	size += n
	gens, _, err := listLogs(folder, prefix)
	if err != nil || len(gens) == 0 {
		return size, nil, err
	}
	return size, logRange(gens), nil
}

// logRange describes sorted generations: first, last and the holes between.
func logRange(gens []uint64) *state.LogRange {
	r := &state.LogRange{First: gens[0], Last: gens[len(gens)-1]}
	for i := 1; i < len(gens) && len(r.Missing) < maxMissingReported; i++ {
		for g := gens[i-1] + 1; g < gens[i] && len(r.Missing) < maxMissingReported; g++ {
			r.Missing = append(r.Missing, g)
		}
	}
	return r
}

// readBackups fills out with every backup set, keyed "<database>/<set>".
func (s *session) readBackups(out map[string]*state.Backup) error {
	root := filepath.Join(s.l.dir, "backups")
	sets, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	for _, set := range sets {
		if !set.IsDir() || checkName(set.Name()) != nil || strings.HasSuffix(set.Name(), ".partial") {
			continue
		}
		dbs, err := os.ReadDir(filepath.Join(root, set.Name()))
		if err != nil {
			return err
		}
		for _, d := range dbs {
			if !d.IsDir() || strings.HasSuffix(d.Name(), ".partial") {
				continue
			}
			dir, meta, err := s.l.readBackup(set.Name(), d.Name())
			if err != nil {
				continue // not a finished set (no backup.json): it does not exist
			}
			size, err := treeSize(dir)
			if err != nil {
				return err
			}
			out[meta.Database+"/"+set.Name()] = &state.Backup{Set: set.Name(), Database: meta.Database, Taken: meta.Time,
				Generation: meta.Checkpoint, SizeBytes: size}
		}
	}
	return nil
}

// sortedGens returns the keys of a generation set, ascending.
func sortedGens(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
