package planner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/state"
)

// batchJournal records the batches it is given, slowly (an fsync), and can fail.
type batchJournal struct {
	mu      sync.Mutex
	batches [][][]state.Change
	durable map[string]bool
	failAt  int // fail the failAt-th write (1-based); 0: never
	writes  int
}

func (j *batchJournal) AppendJournal(ctx context.Context, c []state.Change) error {
	return j.AppendJournalBatch(ctx, [][]state.Change{c})
}

func (j *batchJournal) AppendJournalBatch(_ context.Context, b [][]state.Change) error {
	time.Sleep(2 * time.Millisecond)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.writes++
	if j.writes == j.failAt {
		return errors.New("disk on fire")
	}
	j.batches = append(j.batches, b)
	for _, c := range b {
		j.durable[c[0].DeleteDatabase] = true
	}
	return nil
}

func (j *batchJournal) isDurable(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.durable[id]
}

// Records queued by concurrent steps are all written, in queue order, fewer writes
// than records, and none is acknowledged before it is durable.
func TestGroupJournalBatchesAndAcknowledgesAfterDurable(t *testing.T) {
	j := &batchJournal{durable: map[string]bool{}}
	g := newGroupJournal(context.Background(), j)
	var mu sync.Mutex // the walker's mutex: queue order is decision order
	var order []string
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("r%02d", i)
			mu.Lock()
			wait := g.enqueue([]state.Change{{DeleteDatabase: id}})
			order = append(order, id)
			mu.Unlock()
			if err := wait(); err != nil {
				t.Error(err)
				return
			}
			if !j.isDurable(id) {
				t.Errorf("%s acknowledged before it was durable", id)
			}
		}()
	}
	wg.Wait()
	var got []string
	for _, b := range j.batches {
		for _, c := range b {
			got = append(got, c[0].DeleteDatabase)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(order) {
		t.Fatalf("journal order %v, queue order %v", got, order)
	}
	if len(j.batches) >= 40 {
		t.Logf("no batching happened (%d writes); timing-dependent, not a failure", len(j.batches))
	}
}

// After a failed write, every record queued later fails too.
func TestGroupJournalFailureSticks(t *testing.T) {
	j := &batchJournal{durable: map[string]bool{}, failAt: 1}
	g := newGroupJournal(context.Background(), j)
	if err := g.enqueue([]state.Change{{DeleteDatabase: "a"}})(); err == nil {
		t.Fatal("first write did not fail")
	}
	if err := g.enqueue([]state.Change{{DeleteDatabase: "b"}})(); err == nil || j.isDurable("b") {
		t.Fatalf("a record after a failure was written: %v", err)
	}
}
