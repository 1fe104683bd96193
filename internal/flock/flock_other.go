//go:build !unix

package flock

import "os"

// Lock on systems without flock only creates the lock file: processes are not
// serialized there (the lab's drills and the PowerShell double's tests run on Unix).
func Lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}
