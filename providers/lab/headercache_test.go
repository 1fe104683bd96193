package lab

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dialtone/dialtone/state"
)

// withCacheMargin lowers l's header cache margin (files here are seconds old at most).
func withCacheMargin(l *Lab, d time.Duration) { l.opts.headerCacheMargin = d }

func mustRead(t *testing.T, l *Lab) *state.Observed {
	t.Helper()
	o, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// readOpens reads and returns what was read and how many .edb files were opened.
func readOpens(t *testing.T, l *Lab) (*state.Observed, int64) {
	t.Helper()
	before := l.edbOpens.Load()
	o := mustRead(t, l)
	return o, l.edbOpens.Load() - before
}

// uncachedRead is Read with the cache removed first (the reference).
func uncachedRead(t *testing.T, l *Lab) *state.Observed {
	t.Helper()
	if err := os.Remove(l.headerCachePath()); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return mustRead(t, l)
}

func TestHeaderCacheRead(t *testing.T) {
	t.Parallel()
	l := newLab(t, 3)
	withCacheMargin(l, 30*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // past the margin: entries recorded now are trusted
	first, opens := readOpens(t, l)
	if opens != 2 {
		t.Fatalf("first Read opened %d files, want 2 (no cache yet)", opens)
	}
	second, opens := readOpens(t, l)
	if opens != 0 {
		t.Fatalf("second Read opened %d files, want 0", opens)
	}
	if !reflect.DeepEqual(first.Databases, second.Databases) {
		t.Fatalf("cached Read differs:\n%+v\n%+v", first.Databases["DB01"], second.Databases["DB01"])
	}

	// A header write changes the file's stamp: the next Read opens that file (only).
	time.Sleep(20 * time.Millisecond) // a later clock tick than the entry's
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	got, opens := readOpens(t, l)
	if opens != 1 {
		t.Fatalf("Read after a header write opened %d files, want 1", opens)
	}
	if got.Databases["DB01"].FilesOK {
		t.Fatal("DB01's corrupt header was not seen: a stale cache entry was trusted")
	}
	if want := uncachedRead(t, l); !reflect.DeepEqual(got.Databases, want.Databases) {
		t.Fatalf("cached Read differs from an uncached one after a header write")
	}

	// A lost file: no entry, no open.
	if err := l.FailDatabase("DB02", "lost"); err != nil {
		t.Fatal(err)
	}
	got = mustRead(t, l)
	if got.Databases["DB02"].FilesOK {
		t.Fatal("DB02 lost but FilesOK")
	}
	c := l.loadHeaderCache()
	if _, ok := c.Entries[relEdb(t, l, "DB02")]; ok {
		t.Fatal("the lost file's entry was kept")
	}
}

func relEdb(t *testing.T, l *Lab, db string) string {
	t.Helper()
	for rel := range l.loadHeaderCache().Entries {
		if filepath.Base(rel) == db+".edb" {
			return rel
		}
	}
	return "servers/EX01/D/Databases/" + db + "/" + db + ".edb"
}

// An entry whose stamp does not match the file is never trusted, whatever it says; a
// damaged cache file counts as empty and is rewritten.
func TestHeaderCacheMismatchOpens(t *testing.T) {
	t.Parallel()
	l := newLab(t, 2)
	withCacheMargin(l, 30*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	want := mustRead(t, l)
	c := l.loadHeaderCache()
	if len(c.Entries) != 2 {
		t.Fatalf("cache holds %d entries, want 2", len(c.Entries))
	}
	for _, e := range c.Entries {
		e.Header.State, e.Header.Corrupt = stateDirty, true // lies
		e.Stamp.Size++                                      // but for another version of the file
	}
	c.dirty = true
	c.save(l)
	got, opens := readOpens(t, l)
	if opens != 2 || !reflect.DeepEqual(got.Databases, want.Databases) {
		t.Fatalf("mismatched entries: %d opens, DB01 %+v (want %+v)", opens, got.Databases["DB01"], want.Databases["DB01"])
	}

	if err := os.WriteFile(l.headerCachePath(), []byte(`{"version":1,"entries":{"x":`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, opens = readOpens(t, l)
	if opens != 2 || !reflect.DeepEqual(got.Databases, want.Databases) {
		t.Fatalf("damaged cache: %d opens", opens)
	}
	data, err := os.ReadFile(l.headerCachePath())
	if err != nil {
		t.Fatal(err)
	}
	var back headerCache
	if err := json.Unmarshal(data, &back); err != nil || len(back.Entries) != 2 {
		t.Fatalf("damaged cache not rewritten: %v, %d entries", err, len(back.Entries))
	}
}

// An entry recorded within the margin of the file's last change is not trusted: a
// write in the same clock tick could have left the stamp unchanged.
func TestHeaderCacheEntryTrust(t *testing.T) {
	t.Parallel()
	st := fileStamp{Size: 4096, ModNs: 1_700_000_000_123_456_789, ChangeNs: 1_700_000_000_123_456_789, Ino: 7}
	recent := &headerCacheEntry{Stamp: st, Recorded: st.ChangeNs + int64(defaultHeaderCacheMargin/2)}
	old := &headerCacheEntry{Stamp: st, Recorded: st.ChangeNs + int64(2*defaultHeaderCacheMargin)}
	if recent.trusted(st, defaultHeaderCacheMargin) {
		t.Error("an entry recorded within the margin is trusted")
	}
	if !old.trusted(st, defaultHeaderCacheMargin) {
		t.Error("an entry recorded well after the change is not trusted")
	}
	for _, other := range []fileStamp{{Size: 4097, ModNs: st.ModNs, ChangeNs: st.ChangeNs, Ino: 7},
		{Size: 4096, ModNs: st.ModNs + 1, ChangeNs: st.ChangeNs, Ino: 7},
		{Size: 4096, ModNs: st.ModNs, ChangeNs: st.ChangeNs + 1, Ino: 7},
		{Size: 4096, ModNs: st.ModNs, ChangeNs: st.ChangeNs, Ino: 8}} {
		if old.trusted(other, defaultHeaderCacheMargin) {
			t.Errorf("trusted for another stamp %+v", other)
		}
	}
	whole := fileStamp{Size: 1, ModNs: 1_700_000_000_000_000_000, ChangeNs: 1_700_000_000_000_000_000}
	if (&headerCacheEntry{Stamp: whole, Recorded: whole.ModNs + int64(2*time.Second)}).trusted(whole, defaultHeaderCacheMargin) {
		t.Error("whole-second file times: 2 s is within their margin")
	}
	var none *headerCacheEntry
	if none.trusted(st, defaultHeaderCacheMargin) {
		t.Error("no entry is trusted")
	}
}
