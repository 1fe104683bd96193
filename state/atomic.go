package state

import (
	"errors"
	"io/fs"
	"os"

	"github.com/dialtone/dialtone/state/atomicfile"
)

// copyIfExists copies src over dst atomically (0600). A missing src copies nothing: the
// first write has no previous version to back up.
func copyIfExists(src, dst string) error {
	err := atomicfile.Copy(src, dst, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(src); errors.Is(serr, fs.ErrNotExist) {
			return nil
		}
	}
	return err
}
