//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package pg

import (
	"errors"

	"golang.org/x/sys/unix"
)

// processGone reports whether no process with this PID exists on this host.
func processGone(pid int) bool {
	err := unix.Kill(pid, 0)
	return errors.Is(err, unix.ESRCH)
}
