//go:build !unix

package lab

import "os"

// lockFile on systems without flock only creates the lock file; the in-process mutex
// still serializes one process. Drills run on Unix.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}
