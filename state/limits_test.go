package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// wantLimit checks that err is a *LimitError naming what, the limit and env.
func wantLimit(t *testing.T, err error, env string, limit int64) {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("want a size limit error, got %v", err)
	}
	if le.Limit != limit || le.Env != env || le.Size <= limit {
		t.Fatalf("limit error %+v, want limit %d from %s", le, limit, env)
	}
	for _, want := range []string{env + "=", "bytes, more than the limit of"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("%q does not say %q", err, want)
		}
	}
}

func TestStateSizeLimit(t *testing.T) {
	t.Parallel() // the limits are options, not the environment
	path := filepath.Join(t.TempDir(), "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	if err := l.Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewLocal(path, LocalOptions{Limits: Limits{StateBytes: 100}}).Read(context.Background())
	wantLimit(t, err, EnvMaxStateBytes, 100)
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "is "+itoa(fi.Size())+" bytes") {
		t.Fatalf("%q names neither the file nor its size %d", err, fi.Size())
	}
	_, err = Limits{StateBytes: 100}.ReadStateFile(path)
	wantLimit(t, err, EnvMaxStateBytes, 100)

	if _, err := NewLocal(path, LocalOptions{Limits: Limits{StateBytes: fi.Size()}}).Read(context.Background()); err != nil {
		t.Fatalf("a state of exactly the limit: %v", err)
	}
	if _, err := NewLocal(path, LocalOptions{Limits: Limits{StateBytes: 1 << 20}}).Read(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestStateSizeLimitDefault(t *testing.T) {
	t.Parallel()
	if n := (Limits{}).MaxStateBytes(); n != DefaultMaxStateBytes {
		t.Fatalf("default %d", n)
	}
	if n := (Limits{}).MaxJournalBytes(); n != DefaultMaxJournalBytes {
		t.Fatalf("default journal limit %d", n)
	}
	// Generous for 500,000 mailboxes: about 90 MB of state (design.md's large organization).
	if DefaultMaxStateBytes < 8*90<<20 {
		t.Fatalf("default state limit %d is too tight for 500,000 mailboxes", DefaultMaxStateBytes)
	}
}

func TestJournalSizeLimit(t *testing.T) {
	t.Parallel()
	path := journaled(t)
	if _, err := NewLocal(path, LocalOptions{}).Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := NewLocal(path, LocalOptions{Limits: Limits{JournalBytes: 10}}).Read(context.Background())
	wantLimit(t, err, EnvMaxJournalBytes, 10)
	if !strings.Contains(err.Error(), path+".journal") {
		t.Fatalf("%q does not name the journal", err)
	}
}

func TestLockFileReadIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	// A lock file of 3 MiB (damaged or hostile): described from its first MiB.
	big := []byte(`{"id":"x","who":"` + strings.Repeat("a", 3<<20) + `"}`)
	if err := os.WriteFile(path+".lock", big, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := readLockFile(path + ".lock")
	if err != nil || len(b) != maxLockFileBytes {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
	if _, err := NewLocal(path, LocalOptions{}).Lock(context.Background(), "apply"); err == nil {
		t.Fatal("took a lock whose file exists")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
