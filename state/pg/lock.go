package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dialtone/dialtone/state"
)

// Lock takes the state lock for operation: the advisory lock on a session kept open
// until unlock, and the lock row naming this process. A lock held by a live session is
// a *state.LockError naming the holder from the row; nothing is written then.
//
// A holder that died on this host a moment ago (its PID is gone) still holds the
// advisory lock until the server notices that its connection closed, which takes a
// few milliseconds (longer when it died inside a transaction that must be rolled
// back): Lock then waits for it, up to deadHolderWait, instead of reporting a lock
// that is about to be free.
//
// ctx stops the wait, the connection and the queries (the lock row is read FOR UPDATE:
// a locker waits there while another takes its turn); the error then wraps ctx's.
func (b *Backend) Lock(ctx context.Context, operation string) (unlock func() error, err error) {
	deadline := time.Now().Add(deadHolderWait)
	for {
		unlock, err := b.tryLock(ctx, operation)
		var le *state.LockError
		if err == nil || !errors.As(err, &le) || !le.Gone || time.Now().After(deadline) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, state.Stopped(ctx, "take the lock in "+b.Where()+": waiting for the session of a holder that died to end")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// deadHolderWait bounds how long Lock waits for the server to end the session of a
// holder that died on this host.
const deadHolderWait = 10 * time.Second

func (b *Backend) tryLock(ctx context.Context, operation string) (unlock func() error, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		return nil, errors.New("pg backend: the lock is already held by this process")
	}
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			conn.Close(context.Background())
		}
	}()
	parent := ctx
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	// Any failure once ctx ended is that: the driver's error would only say so less clearly.
	defer func() {
		if err != nil && parent.Err() != nil {
			err = state.Stopped(parent, "take the lock in "+b.Where())
		}
	}()
	if err := b.ensureSchema(ctx, conn); err != nil {
		return nil, err
	}
	info := state.NewLockInfo(operation, b.table("lock")+" in "+b.Where(), b.opts.User)
	info.Created = info.Created.Truncate(time.Microsecond) // what timestamptz keeps

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	defer tx.Rollback(context.Background())
	// The row lock first: lockers take turns here, so a loser reads the winner's row.
	var prevRaw []byte
	var prevPID *int32
	if err := tx.QueryRow(ctx, `SELECT info, backend_pid FROM `+b.table("lock")+` WHERE id FOR UPDATE`).Scan(&prevRaw, &prevPID); err != nil {
		return nil, b.errorf("take the lock: read the lock row: %w", err)
	}
	var got bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.key).Scan(&got); err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	if !got {
		return nil, b.heldBy(prevRaw)
	}
	// From here the session holds the advisory lock: a failure must release it, which
	// closing the connection (deferred) does.
	var prev *state.LockInfo
	if prevRaw != nil {
		var p state.LockInfo
		if json.Unmarshal(prevRaw, &p) == nil {
			prev = &p // its session ended without releasing: the holder died
		}
	}
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = $1, info = $2, backend_pid = pg_backend_pid() WHERE id`,
		info.ID, raw); err != nil {
		return nil, b.errorf("take the lock: write the lock row: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	keep = true
	b.conn, b.lockID, b.replaced = conn, info.ID, prev
	var once sync.Once
	var uerr error
	rctx := recording(parent)
	return func() error {
		once.Do(func() { uerr = b.release(rctx, conn, info.ID) })
		return uerr
	}, nil
}

// heldBy is the LockError for a lock held by a live session, from the row it wrote.
func (b *Backend) heldBy(raw []byte) error {
	var info state.LockInfo
	if raw == nil || json.Unmarshal(raw, &info) != nil || info.ID == "" {
		info = state.LockInfo{Who: "another session (its lock row was cleared by force-unlock or is unreadable)"}
	}
	if info.Path == "" {
		info.Path = b.table("lock") + " in " + b.Where()
	}
	le := &state.LockError{Info: info, Now: time.Now()}
	if host, _ := os.Hostname(); info.PID > 0 && info.Host != "" && info.Host == host && processGone(info.PID) {
		// Its session outlives it for a moment: Lock waits for the server to end it.
		le.Gone, le.Stale = true, true
	}
	return le
}

// release clears the lock row if it is still ours, releases the advisory lock and
// closes the session.
func (b *Backend) release(ctx context.Context, conn *pgx.Conn, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != conn {
		return nil // closed already
	}
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	var errs []error
	if _, err := conn.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = NULL, info = NULL, backend_pid = NULL WHERE id AND lock_id = $1`, id); err != nil {
		errs = append(errs, b.errorf("release the lock: clear the lock row: %w", err))
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.key); err != nil {
		errs = append(errs, b.errorf("release the lock: %w", err))
	}
	if err := conn.Close(context.Background()); err != nil {
		errs = append(errs, b.errorf("release the lock: close the session: %w", err))
	}
	b.conn, b.lockID = nil, ""
	return errors.Join(errs...)
}

// ForceUnlock clears the lock row when its ID is id and the session that took it is
// gone. A live session's lock cannot be broken from here: the error says which server
// process holds it (pg_terminate_backend ends it).
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		exists, err := b.tablesExist(ctx, conn)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("no lock is held (%s has no state tables)", b.Where())
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		defer tx.Rollback(context.Background())
		var lockID *string
		var raw []byte
		var pid *int32
		if err := tx.QueryRow(ctx, `SELECT lock_id, info, backend_pid FROM `+b.table("lock")+` WHERE id FOR UPDATE`).Scan(&lockID, &raw, &pid); err != nil {
			return b.errorf("force-unlock: read the lock row: %w", err)
		}
		if lockID == nil {
			return fmt.Errorf("no lock is held (the lock row in %s names no holder)", b.table("lock"))
		}
		var info state.LockInfo
		_ = json.Unmarshal(raw, &info)
		if *lockID != id {
			return fmt.Errorf("lock ID %q does not match the lock held: its ID is %s (held by %s, pid %d, for %q)",
				id, *lockID, info.Who, info.PID, info.Operation)
		}
		var free bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.key).Scan(&free); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		if !free {
			spid := 0
			if pid != nil {
				spid = int(*pid)
			}
			return fmt.Errorf("the lock %s is held by a live session (server process %d, for %s, pid %d, %q): it ends when that session does; "+
				"if that dialtone is gone but its connection lingers, end it with SELECT pg_terminate_backend(%d)",
				id, spid, info.Who, info.PID, info.Operation, spid)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.key); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = NULL, info = NULL, backend_pid = NULL WHERE id`); err != nil {
			return b.errorf("force-unlock: clear the lock row: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		return nil
	})
}

// checkLock refuses to go on when this process holds the lock but its row no longer
// names it (force-unlock cleared it).
func (b *Backend) checkLock(ctx context.Context, tx pgx.Tx) error {
	if b.lockID == "" {
		return nil
	}
	var id *string
	if err := tx.QueryRow(ctx, `SELECT lock_id FROM `+b.table("lock")+` WHERE id`).Scan(&id); err != nil {
		return b.errorf("check the lock row: %w", err)
	}
	if id == nil || *id != b.lockID {
		return fmt.Errorf("the lock row in %s no longer names this process (lock %s was force-unlocked): refusing to write", b.table("lock"), b.lockID)
	}
	return nil
}
