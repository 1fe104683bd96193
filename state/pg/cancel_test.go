package pg_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// TestLockStopsWithContext: a Lock waiting on the server (here for the lock row, which
// another session holds FOR UPDATE, as a locker taking its turn does) stops when its
// context is cancelled, with an error that says so and wraps context.Canceled; it does
// not wait out the backend's timeout (an hour here: the guard below is not a speed
// target, only the difference between stopping and hanging).
func TestLockStopsWithContext(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{Timeout: time.Hour})
	if err := b.Write(context.Background(), sample(state.NewLineage())); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(context.Background(), fmt.Sprintf(`SELECT * FROM %q.lock WHERE id FOR UPDATE`, schema)); err != nil {
		t.Fatal(err)
	}

	other, err := pg.New(cs, schema, pg.Options{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := other.Lock(ctx, "apply")
		done <- err
	}()
	// Cancel once the Lock waits on the row lock (the server shows it waiting).
	for range 200 {
		if pgtest.QueryInt(t, cs, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`) > 0 {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		tx.Rollback(context.Background()) // lets the Lock end, and the test with it
		t.Fatalf("Lock still waits 30 s after its context was cancelled (%v)", <-done)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "take the lock in ") || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("Lock after cancel: %v, want a stop wrapping context.Canceled", err)
	}
	// The lock was not taken: once the row is free, another locker gets it.
	tx.Rollback(context.Background())
	unlock, err := other.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatalf("Lock after the cancelled one: %v", err)
	}
	unlock()
}

// TestWritesOutliveTheContext: an apply interrupted by Ctrl-C still records what it
// finished: Write and AppendJournal run with a cancelled context; Read stops.
func TestWritesOutliveTheContext(t *testing.T) {
	b, _, _ := newBackend(t, pg.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := sample(state.NewLineage())
	if err := b.Write(ctx, s); err != nil {
		t.Fatalf("Write with a cancelled context: %v", err)
	}
	if err := b.AppendJournal(ctx, []state.Change{{DeleteDatabase: "DB01"}}); err != nil {
		t.Fatalf("AppendJournal with a cancelled context: %v", err)
	}
	if _, err := b.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with a cancelled context: %v, want context.Canceled", err)
	}
	got, err := b.Read(context.Background())
	if err != nil || got.Databases["DB01"] != nil {
		t.Fatalf("after the writes: %v (the journal's delete replayed: %v)", err, got != nil && got.Databases["DB01"] == nil)
	}
}
