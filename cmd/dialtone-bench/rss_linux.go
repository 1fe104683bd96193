package main

import (
	"os"
	"syscall"
)

// peakRSS is the child's peak resident set from the OS (rusage ru_maxrss, in KiB on
// Linux), in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024
	}
	return 0
}
