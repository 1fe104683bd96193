package planner

import (
	"context"
	"sync"

	"github.com/dialtone/dialtone/state"
)

// BatchJournal is a Journal that can make several records durable at once (see
// state.BatchAppender; state.Local implements it).
type BatchJournal = state.BatchAppender

// groupJournal is the group commit of the apply walk. Parallel steps (merges) that
// finish close together queue their records; whichever of them finds no write in
// flight becomes the leader and writes everything queued, one batch and one fsync at
// a time, until the queue is empty, while the others wait for their own record's
// result. A step is acknowledged (its changes applied to the in-memory state, from
// which the state file is written) only after the batch holding its record returned
// without error: a
// record can be durable and not yet acknowledged (as after a crash right after the
// fsync), never the other way round.
//
// Records are written in the order they were queued, and the walker queues them under
// its mutex in the order it computed them, so the journal's order is the order the
// changes were decided in (the stage mark rides after every step of its stage). After
// a failed write every record queued later fails with the same error: a record that
// was decided assuming an earlier one would be durable (a stage mark after its
// stage's steps) must not reach the journal without it.
//
// A journal without AppendJournalBatch (the pg backend, test wrappers) gets one
// AppendJournal per record, in order, exactly as before.
type groupJournal struct {
	ctx   context.Context // Apply's, passed to the journal
	j     Journal
	batch BatchJournal // nil: one AppendJournal per record

	mu    sync.Mutex
	queue []*pendingRecord
	busy  bool  // a leader is writing
	err   error // the first failure; every later record fails with it
}

type pendingRecord struct {
	changes []state.Change
	done    chan error
}

func newGroupJournal(ctx context.Context, j Journal) *groupJournal {
	if j == nil {
		return nil
	}
	g := &groupJournal{ctx: ctx, j: j}
	g.batch, _ = j.(BatchJournal)
	return g
}

// enqueue queues one record and returns the function that waits until it is durable
// (nil) or failed. Call enqueue in the order the records must have in the journal.
func (g *groupJournal) enqueue(changes []state.Change) func() error {
	p := &pendingRecord{changes: changes, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	g.mu.Unlock()
	return func() error {
		g.flush()
		return <-p.done
	}
}

// flush writes queued records until none is left, unless another goroutine is already
// doing so (it then takes ours too: it looks at the queue again after every write).
func (g *groupJournal) flush() {
	g.mu.Lock()
	if g.busy {
		g.mu.Unlock()
		return
	}
	g.busy = true
	for len(g.queue) > 0 {
		batch := g.queue
		g.queue = nil
		failed := g.err
		g.mu.Unlock()
		durable := 0
		if failed == nil {
			durable, failed = g.write(batch)
		}
		g.mu.Lock()
		if failed != nil && g.err == nil {
			g.err = failed
		}
		for i, p := range batch {
			if i < durable {
				p.done <- nil
			} else {
				p.done <- failed
			}
		}
	}
	g.busy = false
	g.mu.Unlock()
}

// write makes batch durable: one AppendJournalBatch, or one AppendJournal per record.
// It returns how many records, from the first, are durable, and the error that
// stopped it.
func (g *groupJournal) write(batch []*pendingRecord) (int, error) {
	if g.batch != nil && len(batch) > 1 {
		recs := make([][]state.Change, len(batch))
		for i, p := range batch {
			recs[i] = p.changes
		}
		if err := g.batch.AppendJournalBatch(g.ctx, recs); err != nil {
			return 0, err
		}
		return len(batch), nil
	}
	for i, p := range batch {
		if err := g.j.AppendJournal(g.ctx, p.changes); err != nil {
			return i, err
		}
	}
	return len(batch), nil
}
