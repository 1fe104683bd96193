package state

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces path with the contents of src so that path is, at every
// instant, either the old file or the whole new one: it writes a temp file (0600) in
// the same folder, fsyncs it, renames it over path and fsyncs the folder. On error the
// temp file is removed. committed reports whether the rename happened (after it, path
// holds the new contents even if the folder fsync then failed).
func writeFileAtomic(path string, src io.Reader) (committed bool, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("create a temp file beside %q: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if !committed {
			_ = f.Close() // may already be closed; the write error is what matters
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return false, fmt.Errorf("set mode of %q: %w", tmp, err)
	}
	if _, err := io.Copy(f, src); err != nil {
		return false, fmt.Errorf("write %q: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return false, fmt.Errorf("fsync %q: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("close %q: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fmt.Errorf("rename %q over %q: %w", tmp, path, err)
	}
	if err := syncDir(dir); err != nil {
		return true, fmt.Errorf("fsync folder %q after writing %q: %w", dir, path, err)
	}
	return true, nil
}

// copyFileAtomic copies src over dst with writeFileAtomic. A missing src copies nothing
// and reports ok=false.
func copyFileAtomic(src, dst string) (ok bool, err error) {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %q: %w", src, err)
	}
	defer in.Close()
	if _, err := writeFileAtomic(dst, in); err != nil {
		return false, err
	}
	return true, nil
}

func dirOf(path string) string { return filepath.Dir(path) }
