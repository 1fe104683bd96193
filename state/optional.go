package state

import (
	"context"
	"fmt"
)

// What a Backend may do beyond the Backend interface. Callers test for these
// (b.(state.JournalReporter)); each backend of this module asserts the ones it
// implements, so a renamed method is a compile error, not a silently skipped feature.

// JournalReporter says what the last Read replayed from the journal: steps finished
// by an apply that ended before writing the state. Local and pg implement it.
type JournalReporter interface {
	// JournalPending is how many finished steps the last Read replayed.
	JournalPending() int
	// JournalReplay says what they were (steps, stage marks).
	JournalReplay() Replay
}

// LockTakeover is a backend whose Lock may take over the lock of a holder that died
// (pg: its session ended); ReplacedLock says whose, or nil, so that the command can
// warn about it. (The local backend takes over a dead holder's lock file by failing
// the flock check instead, and says so in its LockError.)
type LockTakeover interface {
	ReplacedLock() *LockInfo
}

// BatchAppender makes several journal records durable at once: each element of
// batch is one record (one step's changes), in order, written together with one
// fsync. An error means none of them may be taken as durable. Local implements it; a
// backend without it gets one AppendJournal per record.
type BatchAppender interface {
	AppendJournalBatch(ctx context.Context, batch [][]Change) error
}

// ExactWriter writes a state with its serial as it is, where Write raises it by one:
// a state copied from one backend to another (migrate-state) keeps its serial, so that
// plans made against it still fit. Local and pg implement it.
type ExactWriter interface {
	WriteExact(ctx context.Context, s *State) error
}

// WriteExact writes s to b keeping its serial (ExactWriter); a backend without it is an
// error, as the copy would not be the same state.
func WriteExact(ctx context.Context, b Backend, s *State) error {
	if w, ok := b.(ExactWriter); ok {
		return w.WriteExact(ctx, s)
	}
	return fmt.Errorf("this state backend cannot write a state with its serial as it is (%T)", b)
}

// Closer is a backend that holds a connection between calls (pg): Close releases it
// (and with it a lock never released).
type Closer interface {
	Close() error
}

// ReportStore is a backend that keeps run reports with the state (a team's shared
// backend: pg keeps them in its reports table); without it they go to a local folder
// beside the state. PutReport records a run (interrupted ones too): like Write, it is
// not cancelled with ctx.
type ReportStore interface {
	// PutReport stores a report's JSON document and its Markdown under id.
	PutReport(ctx context.Context, id string, jsonDoc, markdown []byte) error
	// ReportIDs lists the stored reports' IDs, oldest first.
	ReportIDs(ctx context.Context) ([]string, error)
	// GetReport returns a report's JSON document; an error wrapping os.ErrNotExist when
	// there is none.
	GetReport(ctx context.Context, id string) ([]byte, error)
}

// ReportLister is a ReportStore that returns every report's JSON document in one
// round trip (pg), oldest first.
type ReportLister interface {
	ReportDocs(ctx context.Context) (ids []string, docs [][]byte, err error)
}

var (
	_ JournalReporter = (*Local)(nil)
	_ BatchAppender   = (*Local)(nil)
	_ ExactWriter     = (*Local)(nil)
)
