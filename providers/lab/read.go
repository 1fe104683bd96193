package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unsafe"

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
// with no used bytes. A database's log range covers the generations an injected failure
// destroyed in its stream too (Last reaches the newest one, and they are listed in
// Missing): a lost tail is what the plan must see to state the loss.
func (l *Lab) Read(ctx context.Context) (*state.Observed, error) { return l.read(ctx, nil) }

// ReadStream is Read with the mailboxes passed to fn one at a time (straight from the
// directory's pages: m's strings are only valid during the call) instead of
// Observed.Mailboxes (providers.MailboxStreamer).
func (l *Lab) ReadStream(ctx context.Context, fn func(m *state.Mailbox)) (*state.Observed, error) {
	return l.read(ctx, fn)
}

func (l *Lab) read(ctx context.Context, fn func(m *state.Mailbox)) (*state.Observed, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := newObserved()
	err := l.run(false, func(s *session) error {
		destroyed, err := s.allDestroyedLogs()
		if err != nil {
			return err
		}
		trees := map[string]*serverTree{}
		for _, sv := range s.org.Servers {
			o := sv.observed()
			if sv.Up {
				if err := checkName(sv.Name); err != nil {
					return err
				}
				t, err := walkServer(filepath.Join(l.dir, "servers", sv.Name))
				if err != nil {
					return err
				}
				trees[sv.Name], o.UsedBytes = t, t.total()
			}
			obs.Servers[sv.Name] = o
		}
		cache := s.l.loadHeaderCache()
		keep := make(map[string]bool, len(s.org.Databases))
		for _, d := range s.org.Databases {
			if p, err := s.edbPath(d); err == nil {
				if rel, err := filepath.Rel(s.l.dir, p); err == nil {
					keep[rel] = true // a server down keeps its entries for when it is back
				}
			}
		}
		for _, d := range s.org.Databases {
			o := s.observedDatabase(d)
			obs.Databases[d.Name] = o
			if srv := s.org.server(d.Server); srv == nil || !srv.Up {
				continue
			}
			st := s.cachedInspect(d, cache)
			o.Clean = st.Header != nil && st.Header.State == stateClean
			o.FilesOK = st.filesOK()
			prefix := d.LogFilePrefix
			if st.Header != nil && validPrefix(st.Header.LogPrefix) {
				prefix = st.Header.LogPrefix // restored files bring their own stream
			}
			size, logs, err := s.databaseFiles(d, prefix, st.Header, destroyed, trees[d.Server])
			if err != nil {
				return err
			}
			o.SizeBytes, o.Logs = size, logs
		}
		if err := s.closeEDBs(); err != nil {
			return err
		}
		cache.prune(keep)
		cache.save(s.l)
		if fn != nil {
			obs.Mailboxes = nil
			if err := s.streamMailboxes(fn); err != nil {
				return err
			}
		} else if err := s.readMailboxes(obs.Mailboxes); err != nil {
			return err
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
				id := r.Target + `\` + r.Name // Exchange's identity <mailbox>\<name>, the state's key
				obs.RestoreRequests[id] = &state.RestoreRequest{Name: id, SourceDatabase: r.Source, TargetMailbox: r.Target,
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
// generations of prefix there (nil when there is no log and none was destroyed). The
// generations an injection destroyed in the database's stream (by the header's log
// signature, else a present log's, else the record naming the database and prefix)
// extend the span and are listed as missing unless a file of them is present again.
// tree is the walk of d's server (nil: the folder is read here).
func (s *session) databaseFiles(d *databaseObj, prefix string, h *edbHeader, destroyed map[string]*destroyedLogs, tree *serverTree) (int64, *state.LogRange, error) {
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
	var gens []uint64
	var files map[uint64]string
	if tree != nil && tree.within(folder) {
		size += tree.size(folder)
		gens, files = tree.logs(folder, prefix)
	} else {
		n, err := treeSize(folder)
		if err != nil {
			return 0, nil, err
		}
		size += n
		if gens, files, err = listLogs(folder, prefix); err != nil {
			return size, nil, err
		}
	}
	if h != nil && h.LogPrefix == prefix {
		if err := checkReplayLogs(gens, files, h.Checkpoint, s.l.opts.Limits); err != nil {
			// One unreadable log must not make the whole org unreadable: the database's
			// log range reads as unknown (nil) and the reason goes to the log.
			s.l.log.Warn("log stream of "+d.Name+" cannot be replayed", "error", err)
			return size, nil, nil
		}
	}
	var lost []uint64
	if len(destroyed) > 0 {
		if rec := destroyedOfStream(d, prefix, h, gens, files, destroyed, s.l.opts.Limits); rec != nil {
			lost = rec.Gens
		}
	}
	if len(gens) == 0 && len(lost) == 0 {
		return size, nil, nil
	}
	return size, logRangeWith(gens, lost), nil
}

// destroyedOfStream finds the record of destroyed generations of the log stream a
// database's files belong to: by the header's log signature, else by the signature of
// a present log of prefix, else by the database's name and prefix (its .edb and every
// log are gone). nil when nothing of that stream was destroyed.
func destroyedOfStream(d *databaseObj, prefix string, h *edbHeader, gens []uint64, files map[uint64]string, destroyed map[string]*destroyedLogs, lim Limits) *destroyedLogs {
	sig := ""
	if h != nil && h.LogPrefix == prefix {
		sig = h.LogSignature
	}
	for i := len(gens) - 1; sig == "" && i >= 0; i-- {
		// Only the signature is sought here: a damaged or oversized log gives none, and an
		// older one is tried (databaseFiles reports the logs a replay needs).
		if lf, _ := readLog(files[gens[i]], lim); lf != nil {
			sig = lf.Signature
		}
	}
	if sig != "" {
		if rec := destroyed[sig]; rec != nil && rec.Prefix == prefix {
			return rec
		}
		return nil
	}
	set := map[uint64]bool{}
	for _, rec := range destroyed {
		if rec.Database == d.Name && rec.Prefix == prefix {
			for _, g := range rec.Gens {
				set[g] = true
			}
		}
	}
	if len(set) == 0 {
		return nil
	}
	return &destroyedLogs{Database: d.Name, Prefix: prefix, Gens: sortedGens(set)}
}

// checkReplayLogs reads the generations past checkpoint (those a replay needs) and
// returns the first that cannot be replayed: damaged, over its size limit, or torn
// anywhere but in the newest file (a torn last record was never acknowledged).
func checkReplayLogs(gens []uint64, files map[uint64]string, checkpoint uint64, lim Limits) error {
	for i, g := range gens {
		if g <= checkpoint {
			continue
		}
		_, err := readLog(files[g], lim)
		if errors.Is(err, errTornTail) {
			if i == len(gens)-1 {
				continue
			}
			err = fmt.Errorf("log file %s is damaged: %v", files[g], err)
		}
		if err != nil {
			return fmt.Errorf("log generation %d: %w", g, err)
		}
	}
	return nil
}

// logRange describes sorted generations: first, last and the holes between.
func logRange(gens []uint64) *state.LogRange {
	return logRangeWith(gens, nil)
}

// logRangeWith describes the sorted generations present together with the sorted
// generations destroyed: first and last of both, and every one between (ends
// included) that is not present.
func logRangeWith(gens, destroyed []uint64) *state.LogRange {
	sorted := gens
	present := map[uint64]bool(nil)
	if len(destroyed) > 0 {
		present = make(map[uint64]bool, len(gens))
		all := make(map[uint64]bool, len(gens)+len(destroyed))
		for _, g := range gens {
			present[g], all[g] = true, true
		}
		for _, g := range destroyed {
			all[g] = true
		}
		sorted = sortedGens(all)
	}
	r := &state.LogRange{First: sorted[0], Last: sorted[len(sorted)-1]}
	if present == nil { // only present generations: the holes between them
		for i := 1; i < len(gens) && len(r.Missing) < maxMissingReported; i++ {
			for g := gens[i-1] + 1; g < gens[i] && len(r.Missing) < maxMissingReported; g++ {
				r.Missing = append(r.Missing, g)
			}
		}
		return r
	}
	for g := r.First; len(r.Missing) < maxMissingReported; g++ {
		if !present[g] {
			r.Missing = append(r.Missing, g)
		}
		if g == r.Last {
			break
		}
	}
	return r
}

// allDestroyedLogs reads every record of destroyed log generations, by log signature.
func (s *session) allDestroyedLogs() (map[string]*destroyedLogs, error) {
	out := map[string]*destroyedLogs{}
	err := s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDestroyed).ForEach(func(k, v []byte) error {
			d := &destroyedLogs{}
			if err := json.Unmarshal(v, d); err != nil {
				return fmt.Errorf("record of destroyed logs %s is damaged: %v", k, err)
			}
			sort.Slice(d.Gens, func(i, j int) bool { return d.Gens[i] < d.Gens[j] })
			out[string(k)] = d
			return nil
		})
	})
	return out, err
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
			if errors.Is(err, errNoBackup) {
				continue // not a finished set (no backup.json): it does not exist
			} else if err != nil {
				// A damaged or oversized backup.json must not make the org unreadable: the
				// set is left out (nothing can restore it) and the reason goes to the log.
				s.l.log.Warn("backup set "+set.Name()+" of "+d.Name()+" is unusable", "error", err)
				continue
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

// readMailboxes streams the directory into out: no intermediate list, the mailboxes
// allocated in slabs, and one string per database name (a 500,000-mailbox Read made a
// million small allocations more before).
func (s *session) readMailboxes(out map[string]*state.Mailbox) error {
	names := map[string]string{}
	name := func(b string) string {
		if n, ok := names[b]; ok {
			return n
		}
		names[b] = b
		return b
	}
	var slab []state.Mailbox
	return s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMailboxes).ForEach(func(k, v []byte) error {
			m, err := decodeMailbox(k, v)
			if err != nil {
				return err
			}
			if len(slab) == 0 {
				slab = make([]state.Mailbox, 4096)
			}
			o := &slab[0]
			slab = slab[1:]
			*o = state.Mailbox{Address: m.Address, ExchangeGuid: m.Guid, Database: name(m.Home), Kind: name(m.Kind),
				ArchiveDatabase: name(m.Archive), NoAutodiscover: m.NoAutodiscover}
			if m.Archive != "" {
				o.ArchiveGuid = archiveGuid(m.Address)
			}
			out[m.Address] = o
			return nil
		})
	})
}

// streamMailboxes passes every directory entry to fn as a mailbox whose strings point
// into the directory's pages (no copy: valid only during the call, while the read
// transaction is open).
func (s *session) streamMailboxes(fn func(m *state.Mailbox)) error {
	var m state.Mailbox
	return s.dir.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMailboxes).ForEach(func(k, v []byte) error {
			e, err := viewMailbox(k, v)
			if err != nil {
				return err
			}
			m = state.Mailbox{Address: e.Address, ExchangeGuid: e.Guid, Database: e.Home, Kind: e.Kind,
				ArchiveDatabase: e.Archive, NoAutodiscover: e.NoAutodiscover}
			if e.Archive != "" {
				m.ArchiveGuid = archiveGuid(e.Address)
			}
			fn(&m)
			return nil
		})
	})
}

// viewMailbox is decodeMailbox without copies: the strings share k's and v's bytes.
func viewMailbox(k, v []byte) (mailbox, error) {
	if len(v) < guidLen {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", k)
	}
	m := mailbox{Address: bytesView(k), Guid: bytesView(v[:guidLen])}
	rest := v[guidLen:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		m.Home = bytesView(rest)
		return m, nil
	}
	tail := rest[i+1:]
	j := bytes.IndexByte(tail, 0)
	if j < 0 {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", k)
	}
	k2 := bytes.IndexByte(tail[j+1:], 0)
	if k2 < 0 {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", k)
	}
	flags := tail[j+1+k2+1:]
	if len(flags) > 1 || (len(flags) == 1 && flags[0] != 'n') {
		return mailbox{}, fmt.Errorf("directory entry for %s is damaged", k)
	}
	m.Home, m.Kind, m.Archive, m.NoAutodiscover = bytesView(rest[:i]), bytesView(tail[:j]), bytesView(tail[j+1:j+1+k2]), len(flags) == 1
	return m, nil
}

// bytesView is b as a string without a copy; b must not change while it is used.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
