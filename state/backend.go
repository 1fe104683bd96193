package state

import (
	"context"
	"fmt"
	"time"
)

// Backend stores the state document. Every method is safe to call only while the
// caller holds the lock from Lock, except Read for read-only commands.
//
// Every method takes the command's context. What waits or only reads stops when it is
// done (Lock, Read, ForceUnlock: an interrupted command stops waiting for a lock or a
// server, with an error wrapping ctx.Err()). What records work already done (Write,
// AppendJournal and the optional writers, the lock's release) runs to its end with the
// context's values but not its cancellation, bounded by the backend's own timeout: an
// apply interrupted by Ctrl-C still records the steps it finished. A recovery may lose
// time, never data.
type Backend interface {
	// Lock takes the exclusive lock for an operation ("apply", "refresh", ...). When
	// someone else holds it, it returns a *LockError describing the holder and writes
	// nothing. The returned Unlock releases it.
	Lock(ctx context.Context, operation string) (Unlock func() error, err error)

	// Read returns the current state, with any journal left by an interrupted apply
	// replayed onto it. It returns (nil, ErrNoState) when no state exists yet.
	Read(ctx context.Context) (*State, error)

	// Write replaces the stored state atomically (with a backup of the previous
	// version), after raising s.Serial by one, and empties the journal.
	Write(ctx context.Context, s *State) error

	// AppendJournal durably records the changes of one finished step, against the
	// lineage and serial of the stored state (journal records of another serial are
	// ignored on replay). Its cost is the size of the changes, not of the state.
	AppendJournal(ctx context.Context, changes []Change) error

	// ForceUnlock removes a lock whose holder is gone. id must match the lock's ID.
	ForceUnlock(ctx context.Context, id string) error
}

// Stopped is the error of a wait or a read that ctx ended: it names what was stopped
// and wraps ctx.Err() (context.Canceled on an interrupt).
func Stopped(ctx context.Context, what string) error {
	return fmt.Errorf("%s: stopped: %w", what, context.Cause(ctx))
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
	// Expires is the end of the holder's lease, renewed while it runs (local backend);
	// a lease that ran out means the holder stopped renewing it, on whatever host. Zero
	// when the backend needs no lease (pg: the lock dies with the holder's session).
	Expires time.Time `json:"expires,omitzero"`
}

// LockError is returned by Lock when the lock is held.
type LockError struct {
	Info  LockInfo
	Stale bool // the holder process is gone (same host), or its lease ran out
	// Gone is true when the holder is proven gone (its flock or session was released,
	// or its PID no longer exists on this host), not just late renewing its lease: the
	// only case where a command may take the lock over by itself.
	Gone bool
	Now  time.Time
}

// Expired reports whether the lock's lease ran out before now.
func (e *LockError) Expired() bool {
	return !e.Info.Expires.IsZero() && e.Now.After(e.Info.Expires)
}

func (e *LockError) Error() string {
	age := e.Now.Sub(e.Info.Created).Round(time.Second)
	msg := fmt.Sprintf("state is locked by %s (pid %d) for %q since %s (%s ago), lock ID %s",
		e.Info.Who, e.Info.PID, e.Info.Operation, e.Info.Created.UTC().Format(time.RFC3339), age, e.Info.ID)
	if e.Stale {
		why := "the holder process is gone"
		if !e.Gone && e.Expired() {
			why = fmt.Sprintf("its lease ran out at %s (the holder stopped renewing it)", e.Info.Expires.UTC().Format(time.RFC3339))
		}
		msg += fmt.Sprintf("; %s: if no other dialtone is running, run \"dialtone force-unlock %s\"", why, e.Info.ID)
	}
	return msg
}
