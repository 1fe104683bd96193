package state

import (
	"bytes"
	"context"
	"errors"
)

// MigrateOptions are the two ends of Migrate.
type MigrateOptions struct {
	// From holds the state; To receives it. The caller holds both locks.
	From, To Backend
}

// MigrateResult says what Migrate found and did. It is returned with an error too, as
// far as Migrate got.
type MigrateResult struct {
	// State is the state read from From (its journal replayed); Replay is what that read
	// replayed.
	State  *State
	Replay Replay
	// Pending is how many finished steps the read replayed from From's journal; Folded
	// says they were written into From's state before the copy.
	Pending int
	Folded  bool
	// AlreadyThere is true when To held this very state: nothing was written to it.
	AlreadyThere bool
}

// MigrateStage names the rule or the operation a migration stopped at.
type MigrateStage int

const (
	// MigrateNoState: From holds no state; nothing to migrate.
	MigrateNoState MigrateStage = iota + 1
	// MigrateReadFrom: From's state could not be read.
	MigrateReadFrom
	// MigrateFold: writing From's journal into its state failed.
	MigrateFold
	// MigrateEncode: the state does not encode (or decode) as a document.
	MigrateEncode
	// MigrateReadTo: To could not be read.
	MigrateReadTo
	// MigrateOccupied: To holds another state, which is never overwritten.
	MigrateOccupied
	// MigrateSerialZero: a state never written (serial 0) is not copied: the copy keeps
	// the serial, and serial 0 is "no write yet".
	MigrateSerialZero
	// MigrateWrite: writing the copy to To failed.
	MigrateWrite
	// MigrateReadBack: reading the copy back from To failed.
	MigrateReadBack
	// MigrateDiffers: the copy read back from To is not the same document.
	MigrateDiffers
)

// MigrateError is why Migrate stopped. From's state is untouched by the copy in every
// case (a fold, which writes From's own journal into it, may have happened).
type MigrateError struct {
	Stage MigrateStage
	Err   error // the cause, for the stages that have one
	// Other is To's state: the one found there (MigrateOccupied) or read back
	// (MigrateDiffers).
	Other *State
}

func (e *MigrateError) Error() string {
	switch e.Stage {
	case MigrateNoState:
		return "the previous backend holds no state"
	case MigrateOccupied:
		return "the new backend already holds another state"
	case MigrateSerialZero:
		return "the state has serial 0"
	case MigrateDiffers:
		return "the state read back differs from the one copied"
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return "migrating the state failed"
}

func (e *MigrateError) Unwrap() error { return e.Err }

// Migrate copies the state of opts.From to opts.To (init -migrate-state), keeping its
// lineage and serial so that plans made against it still fit. From's journal, when
// its read replayed steps, is first written into From's state: what is copied is one
// whole document, with everything it holds (recoveries, steps, the written section).
// To must hold no state, or this very one (then nothing is written). The copy is read
// back and compared byte for byte. From's state is left where it is.
func Migrate(ctx context.Context, opts MigrateOptions) (*MigrateResult, error) {
	from, to := opts.From, opts.To
	res := &MigrateResult{}
	st, err := from.Read(ctx)
	if errors.Is(err, ErrNoState) {
		return res, &MigrateError{Stage: MigrateNoState, Err: err}
	}
	if err != nil {
		return res, &MigrateError{Stage: MigrateReadFrom, Err: err}
	}
	res.State = st
	if r, ok := from.(JournalReporter); ok {
		res.Replay = r.JournalReplay()
		if res.Pending = r.JournalPending(); res.Pending > 0 {
			if err := from.Write(ctx, st); err != nil {
				return res, &MigrateError{Stage: MigrateFold, Err: err}
			}
			res.Folded = true
		}
	}
	want, err := Encode(st)
	if err != nil {
		return res, &MigrateError{Stage: MigrateEncode, Err: err}
	}

	existing, err := to.Read(ctx)
	switch {
	case errors.Is(err, ErrNoState):
	case err != nil:
		return res, &MigrateError{Stage: MigrateReadTo, Err: err}
	default:
		if doc, eerr := Encode(existing); eerr == nil && bytes.Equal(doc, want) {
			res.AlreadyThere = true
			return res, nil
		}
		return res, &MigrateError{Stage: MigrateOccupied, Other: existing}
	}

	// The copy is decoded from the document, so that nothing of st is shared with it.
	cp, err := Decode(want)
	if err != nil {
		return res, &MigrateError{Stage: MigrateEncode, Err: err}
	}
	if cp.Serial == 0 {
		return res, &MigrateError{Stage: MigrateSerialZero}
	}
	if err := WriteExact(ctx, to, cp); err != nil {
		return res, &MigrateError{Stage: MigrateWrite, Err: err}
	}
	back, err := to.Read(ctx)
	if err != nil {
		return res, &MigrateError{Stage: MigrateReadBack, Err: err}
	}
	if got, err := Encode(back); err != nil || !bytes.Equal(got, want) {
		return res, &MigrateError{Stage: MigrateDiffers, Other: back}
	}
	return res, nil
}
