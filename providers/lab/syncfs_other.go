//go:build !linux

package lab

import (
	"io/fs"
	"os"
	"path/filepath"
)

// syncTree makes every file and folder under dir durable, one fsync each.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil && !d.IsDir() {
			return err // some filesystems refuse fsync on folders
		}
		return nil
	})
}
