package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"github.com/dialtone/dialtone/state/atomicfile"
)

// The lock is FILE.lock, created exclusively (O_EXCL) and holding LockInfo as JSON, with
// an flock held on it for as long as the lock is held. The file says who holds the lock;
// the flock says whether they still do: the kernel drops it when the holder dies, however
// it dies. So a lock file whose flock we can take is stale, not a guess.

// Lock takes the state lock for operation. When the lock file exists, Lock writes
// nothing and returns a *LockError describing the holder (Stale when the holder is gone).
// The returned unlock closes the journal, removes the lock file and releases the flock;
// calling it again does nothing.
func (l *Local) Lock(ctx context.Context, operation string) (unlock func() error, err error) {
	lockPath := l.lockPath()
	var f *os.File
	// A few attempts: a lock released between our create and our read of it is free.
	for attempt := 0; ; attempt++ {
		f, err = os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create lock file %q: %w", lockPath, err)
		}
		lerr, cerr := lockConflict(ctx, lockPath)
		if cerr != nil {
			return nil, cerr
		}
		if lerr != nil {
			return nil, lerr
		}
		if attempt == 3 {
			return nil, fmt.Errorf("take lock %q: the lock file keeps being created and removed by others; try again", lockPath)
		}
	}
	info := NewLockInfo(operation, lockPath, l.user)
	info.Expires = leaseEnd(time.Now(), l.lease)
	if err := takeLock(f, info); err != nil {
		_ = os.Remove(lockPath)
		_ = f.Close()
		return nil, fmt.Errorf("take lock %q: %w", lockPath, err)
	}
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go renewLease(f, info, l.lease, stop, renewed)
	l.logger().Info("took the state lock", "path", lockPath, "operation", operation, "id", info.ID)
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() {
			close(stop)
			<-renewed
			uerr = l.release(f, lockPath)
			if uerr != nil {
				l.logger().Warn("releasing the state lock", "path", lockPath, "id", info.ID, "error", uerr)
			} else {
				l.logger().Info("released the state lock", "path", lockPath, "id", info.ID)
			}
		})
		return uerr
	}, nil
}

// leaseEnd is the end of a lease of length d from now, to the second (so that the lock
// file keeps its length when the lease is renewed in place).
func leaseEnd(now time.Time, d time.Duration) time.Time {
	return now.Add(d).UTC().Truncate(time.Second)
}

// renewLease rewrites the lock file's expires field every third of the lease until
// stop is closed. The rewrite is in place and of the same length (the flock is on this
// file: it cannot be replaced by rename), so a reader sees the old or the new lease.
func renewLease(f *os.File, info LockInfo, lease time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			info.Expires = leaseEnd(now, lease)
			b, err := json.MarshalIndent(info, "", "  ")
			if err != nil {
				continue
			}
			_, _ = f.WriteAt(append(b, '\n'), 0) // a failed renewal shows as an expired lease
		}
	}
}

// takeLock flocks the new lock file and writes info into it. The flock comes first: a
// checker that finds the file in between sees an empty file that is still held.
func takeLock(f *os.File, info LockInfo) error {
	if err := lockFile(f); err != nil {
		return err
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(f.Name()))
}

// release ends a lock taken by Lock.
func (l *Local) release(f *os.File, lockPath string) error {
	l.mu.Lock()
	l.closeJournal()
	l.mu.Unlock()

	var errs []error
	// Remove the file only if it is still ours: after a force-unlock it may be someone else's.
	ours := false
	if st, err := os.Stat(lockPath); err == nil {
		if mine, err := f.Stat(); err == nil && os.SameFile(st, mine) {
			ours = true
		}
	}
	if ours && removeWhileOpen {
		if err := os.Remove(lockPath); err != nil {
			errs = append(errs, fmt.Errorf("remove lock file %q: %w", lockPath, err))
		}
	}
	_ = unlockFile(f) // closing releases it too
	if err := f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close lock file %q: %w", lockPath, err))
	}
	if ours && !removeWhileOpen {
		if err := os.Remove(lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove lock file %q: %w", lockPath, err))
		}
	}
	return errors.Join(errs...)
}

// lockConflict describes the lock at lockPath held by someone else. It returns nil when
// the lock file no longer exists (released meanwhile: try again), and a Stopped error
// when ctx ends while it waits for a lock file being written.
func lockConflict(ctx context.Context, lockPath string) (*LockError, error) {
	b, rerr := readLockFile(lockPath)
	if errors.Is(rerr, fs.ErrNotExist) {
		return nil, nil
	}
	info := readLockInfo(b)
	// A lock file without an ID may be one being taken right now (created, not yet
	// flocked or written): give its taker a moment before judging it.
	for i := 0; info.ID == "" && i < 100; i++ {
		select {
		case <-ctx.Done():
			return nil, Stopped(ctx, fmt.Sprintf("take lock %q: waiting for the lock file to be written", lockPath))
		case <-time.After(10 * time.Millisecond):
		}
		b, rerr = readLockFile(lockPath)
		if errors.Is(rerr, fs.ErrNotExist) {
			return nil, nil
		}
		info = readLockInfo(b)
	}
	now := time.Now()
	if info.Path == "" {
		info.Path = lockPath
	}
	if info.Who == "" {
		info.Who = fmt.Sprintf("an unknown holder (lock file %q is unreadable)", lockPath)
	}
	le := &LockError{Info: info, Now: now, Gone: holderGone(lockPath, info)}
	le.Stale = le.Gone || le.Expired()
	return le, nil
}

// holderGone reports whether the holder of the lock at lockPath is gone: we can take its
// flock (released at once), or it is a process of this host that no longer exists.
func holderGone(lockPath string, info LockInfo) bool {
	if f, err := os.Open(lockPath); err == nil {
		free, _ := tryLockFile(f)
		if free {
			_ = unlockFile(f)
		}
		_ = f.Close()
		if free {
			return true
		}
	}
	if host, err := os.Hostname(); err == nil && info.Host == host && info.PID > 0 && !processExists(info.PID) {
		return true
	}
	return false
}

// readLockInfo reads what it can of a lock file: the fields before any damage.
func readLockInfo(b []byte) LockInfo {
	var info LockInfo
	if json.Unmarshal(b, &info) == nil {
		return info
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return LockInfo{}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			break
		}
		field, _ := json.Marshal(map[string]json.RawMessage{key: v})
		_ = json.Unmarshal(field, &info) // a field of the wrong type stays empty
	}
	return info
}

// NewLockInfo describes a lock about to be taken by this process for operation: a new
// ID, the user (name, or the current OS user when empty), host and PID, the time; path
// says where the lock lives.
func NewLockInfo(operation, lockPath, name string) LockInfo {
	host, _ := os.Hostname()
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	return LockInfo{
		ID:        NewLineage(),
		Operation: operation,
		Who:       name + "@" + host,
		PID:       os.Getpid(),
		Host:      host,
		Created:   time.Now().UTC(),
		Path:      lockPath,
	}
}

// ForceUnlock removes the lock file when its ID is id. It is for a lock whose holder is
// gone; it does not check that, so that a lock on a shared folder can be cleared too.
func (l *Local) ForceUnlock(_ context.Context, id string) error {
	lockPath := l.lockPath()
	b, err := readLockFile(lockPath)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no lock is held (there is no lock file %q)", lockPath)
	}
	if err != nil {
		return fmt.Errorf("read lock file %q: %w", lockPath, err)
	}
	info := readLockInfo(b)
	if info.ID == "" {
		return fmt.Errorf("lock file %q is unreadable: it has no lock ID; if no dialtone is running, delete the file", lockPath)
	}
	if info.ID != id {
		return fmt.Errorf("lock ID %q does not match the lock held: its ID is %s (held by %s, pid %d, for %q)",
			id, info.ID, info.Who, info.PID, info.Operation)
	}
	if err := os.Remove(lockPath); err != nil {
		return fmt.Errorf("remove lock file %q: %w", lockPath, err)
	}
	l.logger().Info("forced the state lock open (taken over)", "path", lockPath, "id", id, "holder", info.Who, "pid", info.PID, "operation", info.Operation)
	return nil
}

// readLockFile reads a lock file, or its first maxLockFileBytes when it is larger (it
// is then damaged anyway: readLockInfo keeps what it can).
func readLockFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxLockFileBytes))
}

// LockPath takes an exclusive lock on the file at path (created if missing), waiting
// for other processes to let go, and returns its release: the one cross-process file
// lock, also guarding the lab's folder and the PowerShell double's shared state.
func LockPath(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = unlockFile(f)
		f.Close()
	}, nil
}
