package lab

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// serverTree is one walk of a server's files for Read: the bytes of the regular files
// under each folder (recursively) and the names of those directly in it. Read sized
// every server's tree, then each database's log folder again and listed it a third
// time; 2,000 databases made that 4,000 extra folder reads.
type serverTree struct {
	root  string
	sizes map[string]int64
	files map[string][]string
}

// walkServer walks root as treeSize does (regular files only, symbolic links not
// followed, files vanishing meanwhile skipped, a missing root empty).
func walkServer(root string) (*serverTree, error) {
	t := &serverTree{root: root, sizes: map[string]int64{}, files: map[string][]string{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		dir := filepath.Dir(p)
		t.files[dir] = append(t.files[dir], d.Name())
		for n := info.Size(); ; dir = filepath.Dir(dir) {
			t.sizes[dir] += n
			if dir == root || len(dir) <= len(root) {
				break
			}
		}
		return nil
	})
	return t, err
}

// total is the bytes of every regular file under the root (usedBytes).
func (t *serverTree) total() int64 { return t.sizes[t.root] }

// within reports whether folder lies under the walked root (else the tree knows
// nothing of it).
func (t *serverTree) within(folder string) bool {
	return folder == t.root || strings.HasPrefix(folder, t.root+string(filepath.Separator))
}

// size is treeSize(folder) from the walk.
func (t *serverTree) size(folder string) int64 { return t.sizes[folder] }

// logs is listLogs(folder, prefix) from the walk.
func (t *serverTree) logs(folder, prefix string) ([]uint64, map[uint64]string) {
	return logsOf(folder, prefix, t.files[folder])
}
