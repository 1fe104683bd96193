package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// PushOptions are the settings of Push.
type PushOptions struct {
	// Force pushes although the stored state has another lineage, a serial at least
	// the pushed one's, or could not be read; the result lists what it overrode.
	Force bool
	// Reopen returns a new value of the same backend, one that has read nothing. A
	// forced push over a state of another lineage, or over one that could not be read,
	// writes through it: a backend's Write refuses a lineage other than the one it read.
	// nil: such a push fails.
	Reopen func() (Backend, error)
}

// PushResult says what Push found and did. It is returned with an error too, as far
// as Push got, so that the command can still say what the read replayed.
type PushResult struct {
	// Stored is the state found in the backend, nil when there was none or it could not
	// be read; Replay is what reading it replayed from the journal.
	Stored *State
	Replay Replay
	// Forced lists the problems that Force overrode; empty for an ordinary push.
	Forced []string
}

// PushRefusedError is Push's refusal: the pushed state is not a successor of the
// stored one, and Force was not set.
type PushRefusedError struct {
	// ReadErr is why the stored state could not be read; Problems is then empty.
	ReadErr error
	// Problems say why the pushed state is not the stored one's successor.
	Problems []string
}

func (e *PushRefusedError) Error() string {
	if e.ReadErr != nil {
		return fmt.Sprintf("the stored state could not be read (%v)", e.ReadErr)
	}
	return strings.Join(e.Problems, " and ")
}

func (e *PushRefusedError) Unwrap() error { return e.ReadErr }

// PushWriteError is a failure to write the pushed state; nothing else was changed.
type PushWriteError struct{ Err error }

func (e *PushWriteError) Error() string { return e.Err.Error() }
func (e *PushWriteError) Unwrap() error { return e.Err }

// Push replaces the state stored in b by pushed (state push), under the caller's lock:
// only when pushed has the stored state's lineage and a newer serial, or when there is
// no stored state, unless opts.Force. A forced push still moves the serial past the
// stored one, so that plans made against the stored state are stale. pushed is written
// with its serial as it is when newer (pushed.Serial then holds what was written).
func Push(ctx context.Context, b Backend, pushed *State, opts PushOptions) (*PushResult, error) {
	res := &PushResult{}
	cur, err := b.Read(ctx)
	if err == nil {
		res.Stored = cur
		if r, ok := b.(JournalReporter); ok {
			res.Replay = r.JournalReplay()
		}
	}
	var problems []string
	switch {
	case errors.Is(err, ErrNoState):
	case err != nil:
		if !opts.Force {
			return res, &PushRefusedError{ReadErr: err}
		}
		problems = append(problems, fmt.Sprintf("the stored state could not be read (%v)", err))
	default:
		if cur.Lineage != pushed.Lineage {
			problems = append(problems, fmt.Sprintf("its lineage %s is not the stored state's %s", pushed.Lineage, cur.Lineage))
		}
		if pushed.Serial <= cur.Serial {
			problems = append(problems, fmt.Sprintf("its serial %d is not newer than the stored state's %d", pushed.Serial, cur.Serial))
		}
	}
	if len(problems) > 0 && !opts.Force {
		return res, &PushRefusedError{Problems: problems}
	}
	res.Forced = problems
	serial := pushed.Serial
	if cur != nil && serial <= cur.Serial {
		serial = cur.Serial + 1 // a forced push still moves the serial forward: older plan files stay stale
	}
	w := b
	if cur != nil && cur.Lineage != pushed.Lineage || err != nil && !errors.Is(err, ErrNoState) {
		if opts.Reopen == nil {
			return res, &PushWriteError{Err: errors.New("the backend cannot be reopened to write over another state")}
		}
		if w, err = opts.Reopen(); err != nil {
			return res, err
		}
	}
	// Write raises the serial by one (and restores it on failure).
	pushed.Serial = serial - 1
	if err := w.Write(ctx, pushed); err != nil {
		return res, &PushWriteError{Err: err}
	}
	return res, nil
}
