package lab

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes every file under dir durable: on Linux one syncfs of dir's filesystem
// (one commit, instead of an fsync per file that Generate wrote).
func syncTree(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
