//go:build !unix

package main

import "os"

// lockFile on systems without flock only creates the lock file: there, sessions of
// the double sharing one FAKESHELL_STATE are not serialized (the tests run on Unix).
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}
