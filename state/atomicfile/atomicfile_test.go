package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// temps lists this package's temporary files left in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if IsTemp(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteFileReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "new" {
		t.Fatalf("got %q, %v", got, err)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, bytes.Repeat([]byte("x"), min(len(p), r.n)))
	r.n -= n
	return n, nil
}

// A write that fails half-way leaves the old file whole and no temporary file.
func TestWriteFailureKeepsOldAndLeavesNoTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "org.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Write(p, &failingReader{n: 100}, 0o600)
	if err == nil || Committed(err) {
		t.Fatalf("err = %v, want an uncommitted failure", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old file changed to %q", got)
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A rename that fails (the target is a folder) leaves no temporary file either.
func TestRenameFailureLeavesNoTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(p, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("x"), 0o600); err == nil {
		t.Fatal("writing over a non-empty folder succeeded")
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestWriteIntoMissingFolderFails(t *testing.T) {
	t.Parallel()
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such"), []byte("x"), 0o600)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

// Concurrent writers of one file never share a temporary file: every write succeeds,
// the file ends as exactly one writer's contents, and nothing is left behind.
func TestConcurrentWritersDoNotClash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "checkpoint")
	const writers = 16
	want := map[string]bool{}
	bodies := make([][]byte, writers)
	for i := range bodies {
		bodies[i] = bytes.Repeat([]byte(fmt.Sprintf("writer %02d;", i)), 4096)
		want[string(bodies[i])] = true
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*5)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(b []byte) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if err := WriteFile(p, b, 0o600); err != nil {
					errs <- err
				}
			}
		}(bodies[i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !want[string(got)] {
		t.Fatalf("the file is not one writer's whole contents (%d bytes, %v)", len(got), err)
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.edb"), filepath.Join(dir, "b.edb")
	body := bytes.Repeat([]byte{1, 2, 3}, 100000)
	if err := os.WriteFile(src, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Copy(src, dst, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, body) {
		t.Fatal("copy differs")
	}
	// A missing source is recognizable and leaves the destination alone.
	err := Copy(filepath.Join(dir, "missing"), dst, 0o600)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, body) {
		t.Fatal("destination changed by a failed copy")
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestIsTemp(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		".state.json.tmp-123": true,
		"state.json":          false,
		"x.tmp":               false,
		"E00.log":             false,
		".hidden":             false,
	} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v", name, !want)
		}
	}
	// The names Write makes are the ones IsTemp recognizes.
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	r, w := io.Pipe()
	done := make(chan error)
	go func() { done <- Write(p, r, 0o600) }()
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	if left := temps(t, dir); len(left) != 1 {
		t.Fatalf("during a write: temporary files %v, want one", left)
	}
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
