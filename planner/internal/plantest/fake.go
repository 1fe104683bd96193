package plantest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Fake is an in-memory provider: it records every operation it is asked to carry out,
// fails where told, and measures how many operations ran at once.
type Fake struct {
	Caps providers.Capabilities
	// Fail, when set, is asked before each operation; a non-nil error fails it.
	Fail func(op providers.Operation) error
	// Absent lists mailboxes whose source is not in the recovery database: their
	// merges are skipped.
	Absent map[string]bool
	// MergeDelay keeps merges running for a while so that they overlap.
	MergeDelay time.Duration
	// Delay keeps every other operation running for a while (a walk's overlap).
	Delay time.Duration

	mu  sync.Mutex
	ops []providers.Operation

	running, peak atomic.Int64
}

var _ providers.Provider = (*Fake)(nil)

// NewFake returns a fake that can do everything.
func NewFake() *Fake {
	return &Fake{Caps: providers.Capabilities{RestoreBackup: true, MoveFiles: true, RenameFiles: true, DeleteFiles: true, ReplayLogs: true}}
}

func (f *Fake) Read(context.Context) (*state.Observed, error) { return &state.Observed{}, nil }

func (f *Fake) Capabilities() providers.Capabilities { return f.Caps }

func (f *Fake) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.Fail != nil {
		if err := f.Fail(op); err != nil {
			return providers.Result{}, err
		}
	}
	delay := f.Delay
	if op.Kind == providers.OpMergeMailbox {
		delay = f.MergeDelay
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return providers.Result{}, ctx.Err()
		}
	}
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.mu.Unlock()
	if progress != nil {
		progress(1, 1)
	}
	if op.Kind == providers.OpMergeMailbox && f.Absent[op.Mailbox] {
		return providers.Result{Skipped: true, Detail: "not in the recovery database"}, nil
	}
	return providers.Result{Detail: string(op.Kind)}, nil
}

// Ops returns the operations carried out so far, in the order they finished.
func (f *Fake) Ops() []providers.Operation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]providers.Operation(nil), f.ops...)
}

// Peak is the largest number of operations that ran at once.
func (f *Fake) Peak() int { return int(f.peak.Load()) }

// Journal keeps journal records in memory; Err, when set, fails every append.
type Journal struct {
	Err     error
	mu      sync.Mutex
	records [][]state.Change
}

func (j *Journal) AppendJournal(_ context.Context, changes []state.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Err != nil {
		return j.Err
	}
	j.records = append(j.records, append([]state.Change(nil), changes...))
	return nil
}

// StepRecords returns the records appended so far that finish a step (a StepDone):
// not the records a step writes before it runs (its start, the settings it changes).
func (j *Journal) StepRecords() [][]state.Change {
	var out [][]state.Change
	for _, rec := range j.Records() {
		for _, c := range rec {
			if c.StepDone != nil {
				out = append(out, rec)
				break
			}
		}
	}
	return out
}

// Records returns the records appended so far.
func (j *Journal) Records() [][]state.Change {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([][]state.Change(nil), j.records...)
}
