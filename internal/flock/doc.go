// Package flock is the one cross-process file lock: the lab's folder and the
// PowerShell double's shared state are each guarded by it.
package flock
