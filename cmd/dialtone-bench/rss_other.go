//go:build !linux

package main

import "os"

// peakRSS is not measured on this system (the table shows 0 MB).
func peakRSS(ps *os.ProcessState) int64 { return 0 }
