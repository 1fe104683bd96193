package lab

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dialtone/dialtone/state/atomicfile"
)

// writeFileAtomic replaces path with data (0600) so that a crash leaves either the old
// or the new content, never a torn file; the folder is made first if need be.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o600)
}

// copyFile copies src to dst (0600) so that dst is either absent, the old file or
// complete: a crash never leaves half a database at the destination.
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	if err := atomicfile.Copy(src, dst, 0o600); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

func syncDir(dir string) error { return atomicfile.SyncDir(dir) }

func fileDigest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// sameContent reports whether a and b both exist with identical bytes.
func sameContent(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if sa.Size() != sb.Size() {
		return false, nil
	}
	da, err := fileDigest(a)
	if err != nil {
		return false, err
	}
	db, err := fileDigest(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// listFiles returns the names of the regular files in dir (none if dir is missing),
// leaving out our own temporary files.
func listFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		n := e.Name()
		// .copying and .tmp: the fixed temporary names of earlier versions.
		if filepath.Ext(n) == ".copying" || filepath.Ext(n) == ".tmp" || atomicfile.IsTemp(n) {
			continue
		}
		names = append(names, n)
	}
	return names, nil
}
