package state

import (
	"fmt"
	"time"
)

// Backend stores the state document. Every method is safe to call only while the
// caller holds the lock from Lock, except Read for read-only commands.
type Backend interface {
	// Lock takes the exclusive lock for an operation ("apply", "refresh", ...). When
	// someone else holds it, it returns a *LockError describing the holder and writes
	// nothing. The returned Unlock releases it.
	Lock(operation string) (Unlock func() error, err error)

	// Read returns the current state, with any journal left by an interrupted apply
	// replayed onto it. It returns (nil, ErrNoState) when no state exists yet.
	Read() (*State, error)

	// Write replaces the stored state atomically (with a backup of the previous
	// version), after raising s.Serial by one, and empties the journal.
	Write(s *State) error

	// AppendJournal durably records the changes of one finished step, against the
	// lineage and serial of the stored state (journal records of another serial are
	// ignored on replay). Its cost is the size of the changes, not of the state.
	AppendJournal(changes []Change) error

	// ForceUnlock removes a lock whose holder is gone. id must match the lock's ID.
	ForceUnlock(id string) error
}

// ErrNoState is returned by Read when no state has been written yet (run `dialtone init`).
var ErrNoState = fmt.Errorf("no state: run \"dialtone init\" first")

// LockInfo describes who holds a lock.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"` // user@host
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	Created   time.Time `json:"created"`
	Path      string    `json:"path,omitempty"` // where the lock lives (file path, table)
}

// LockError is returned by Lock when the lock is held.
type LockError struct {
	Info  LockInfo
	Stale bool // the holder process is gone (same host)
	Now   time.Time
}

func (e *LockError) Error() string {
	age := e.Now.Sub(e.Info.Created).Round(time.Second)
	msg := fmt.Sprintf("state is locked by %s (pid %d) for %q since %s (%s ago), lock ID %s",
		e.Info.Who, e.Info.PID, e.Info.Operation, e.Info.Created.UTC().Format(time.RFC3339), age, e.Info.ID)
	if e.Stale {
		msg += fmt.Sprintf("; the holder process is gone: if no other dialtone is running, run \"dialtone force-unlock %s\"", e.Info.ID)
	}
	return msg
}
