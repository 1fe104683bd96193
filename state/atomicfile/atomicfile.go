// Package atomicfile replaces files so that a crash leaves, at every instant, either the
// old file or the whole new one: one writer for the state, the lab, plan files and fmt,
// with one guarantee.
//
// A write goes to a temporary file with a unique name in the same folder (so that the
// rename stays on one filesystem and two writers never share a temporary file), which is
// fsynced, renamed over the target, and then the folder is fsynced so that the rename
// itself survives a crash. On failure before the rename the temporary file is removed.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tempMarker sits between the target's name and the random part of a temporary file's
// name: ".state.json.tmp-123456".
const tempMarker = ".tmp-"

// IsTemp reports whether name (a base name) is one of this package's temporary files, so
// that folder listings can leave out what a crash left behind.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// CommitError is returned when path already holds the new contents (the rename happened)
// but the folder could not be fsynced afterwards, so the rename may not survive a crash.
type CommitError struct {
	Path string
	Err  error
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("fsync folder %q after writing %q: %v", filepath.Dir(e.Path), e.Path, e.Err)
}

func (e *CommitError) Unwrap() error { return e.Err }

// Committed reports whether err (from Write, WriteFile or Copy) still left the new
// contents in place: nil, or a *CommitError.
func Committed(err error) bool {
	var ce *CommitError
	return err == nil || errors.As(err, &ce)
}

// Write replaces path with everything read from src, with mode perm (as far as the
// platform keeps modes). The folder must exist.
func Write(path string, src io.Reader, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempMarker+"*")
	if err != nil {
		return fmt.Errorf("create a temporary file beside %q: %w", path, err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			_ = f.Close() // may already be closed; the first error is what matters
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("set the mode of %q: %w", tmp, err)
	}
	if _, err := io.Copy(f, src); err != nil {
		return fmt.Errorf("write %q: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %q: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %q: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %q over %q: %w", tmp, path, err)
	}
	renamed = true
	if err := SyncDir(dir); err != nil {
		return &CommitError{Path: path, Err: err}
	}
	return nil
}

// WriteFile replaces path with data; see Write.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, bytes.NewReader(data), perm)
}

// Copy replaces dst with a copy of src (mode perm) through Write, so that dst is either
// the old file or a complete copy, never half of one. A missing src is an error that
// errors.Is(err, fs.ErrNotExist) recognizes, and dst is then left alone.
func Copy(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return Write(dst, in, perm)
}
