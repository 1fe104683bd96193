package lab

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The header cache (headers.json in the lab folder) lets Read describe a database file
// without opening it: opening 2,000 bbolt files to read one key each was most of the
// file work of a refresh. It is only a hint. An entry holds a header as read from the
// file through bbolt (so from a committed, durable transaction) together with the
// file's stamp at that moment (size, modification time, and on Linux the inode and the
// change time, which no program can set back). Read trusts an entry only when the
// file's stamp is the same now; any write to the file (a header update, a replay, a
// copy over it, a restore) changes the stamp, and Read then opens the file and records
// the header again. Writers therefore never need to update the cache, and a crash
// anywhere (even half a headers.json: it is replaced by rename, and a file that does
// not parse counts as empty) can at worst cost a Read the opening of files.
//
// Timestamps have a granularity: a write in the same clock tick as the one an entry
// describes could leave the stamp unchanged. So an entry is trusted only when it was
// recorded well after the file's last change (defaultHeaderCacheMargin; more on a file system
// that keeps whole seconds), as git does with its index: any later write then lands in
// a later tick and changes the stamp.
const headerCacheFile = "headers.json"

const headerCacheVersion = 1

// defaultHeaderCacheMargin is how long after a file's last change an entry must have
// been recorded to be trusted (the granularity of file times plus clock slew, with
// room). Tests lower it (Options.headerCacheMargin).
const defaultHeaderCacheMargin = time.Second

// maxHeaderCacheBytes bounds the cache read into memory (2,000 databases take ~600 KB);
// a larger file is ignored, as is a damaged one.
const maxHeaderCacheBytes = 32 << 20

// fileStamp is what identifies one version of a file's content without reading it.
type fileStamp struct {
	Size     int64  `json:"size"`
	ModNs    int64  `json:"mtime_ns"`
	ChangeNs int64  `json:"ctime_ns,omitempty"`
	Ino      uint64 `json:"ino,omitempty"`
}

type headerCacheEntry struct {
	Stamp  fileStamp `json:"stamp"`
	Header edbHeader `json:"header"`
	// Recorded is when the entry was taken (Unix nanoseconds), for the margin.
	Recorded int64 `json:"recorded_ns"`
}

type headerCache struct {
	Version int                          `json:"version"`
	Entries map[string]*headerCacheEntry `json:"entries"` // by path relative to the lab folder
	dirty   bool
}

// trusted reports whether e describes the file whose stamp is now st, recorded at least
// margin after the file's last change.
func (e *headerCacheEntry) trusted(st fileStamp, margin time.Duration) bool {
	if e == nil || e.Stamp != st {
		return false
	}
	marginNs := margin.Nanoseconds()
	if st.ModNs%1e9 == 0 && st.ChangeNs%1e9 == 0 {
		marginNs = 3e9 // whole-second (or two-second) file times
	}
	return e.Recorded-max(st.ModNs, st.ChangeNs) > marginNs
}

func (l *Lab) headerCachePath() string { return filepath.Join(l.dir, headerCacheFile) }

// loadHeaderCache reads the cache; missing, too large or damaged is an empty cache.
func (l *Lab) loadHeaderCache() *headerCache {
	empty := &headerCache{Version: headerCacheVersion, Entries: map[string]*headerCacheEntry{}}
	st, err := os.Stat(l.headerCachePath())
	if err != nil || st.Size() > maxHeaderCacheBytes {
		return empty
	}
	data, err := os.ReadFile(l.headerCachePath())
	if err != nil {
		return empty
	}
	var c headerCache
	if json.Unmarshal(data, &c) != nil || c.Version != headerCacheVersion || c.Entries == nil {
		return empty
	}
	return &c
}

// save writes the cache when it changed (atomically; errors are not fatal to a Read:
// the cache is a hint).
func (c *headerCache) save(l *Lab) {
	if !c.dirty {
		return
	}
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	if writeFileAtomic(l.headerCachePath(), data) == nil {
		c.dirty = false
	}
}

// cachedInspect is inspect for Read: the header from the cache when its entry matches
// the file's stamp, else from the file (and the entry recorded again).
func (s *session) cachedInspect(db *databaseObj, c *headerCache) edbState {
	path, err := s.edbPath(db)
	if err != nil {
		return edbState{Err: err}
	}
	rel, err := filepath.Rel(s.l.dir, path)
	if err != nil {
		return s.inspect(db)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if c.Entries[rel] != nil {
			delete(c.Entries, rel)
			c.dirty = true
		}
		return edbState{Missing: true}
	}
	if err != nil {
		return s.inspect(db)
	}
	before := stampOf(fi)
	if e := c.Entries[rel]; e.trusted(before, s.l.opts.cacheMargin()) {
		h := e.Header
		return edbState{Header: &h}
	}
	st := s.inspect(db)
	if st.Header == nil {
		if c.Entries[rel] != nil {
			delete(c.Entries, rel)
			c.dirty = true
		}
		return st
	}
	// Record only what the file held throughout the read (the lab lock keeps writers
	// out; this also guards against anything else touching the file).
	if err := s.closeEDB(path); err != nil {
		return st
	}
	if fi, err := os.Stat(path); err == nil && stampOf(fi) == before {
		c.Entries[rel] = &headerCacheEntry{Stamp: before, Header: *st.Header, Recorded: time.Now().UnixNano()}
		c.dirty = true
	}
	return st
}

// prune drops the entries of files Read no longer looks at (databases removed).
func (c *headerCache) prune(keep map[string]bool) {
	for rel := range c.Entries {
		if !keep[rel] {
			delete(c.Entries, rel)
			c.dirty = true
		}
	}
}
