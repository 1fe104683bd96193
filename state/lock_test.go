package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// snapshot returns the names and contents of every file in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

func TestLockConflictWritesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dialtone.state.json")
	first, second := NewLocal(path, LocalOptions{}), NewLocal(path, LocalOptions{})
	if err := first.Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	unlock, err := first.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path + ".lock")
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v, want 0600", fi.Mode().Perm())
	}
	before := snapshot(t, dir)

	_, err = second.Lock(context.Background(), "refresh")
	var le *LockError
	if !errors.As(err, &le) {
		t.Fatalf("second Lock: %v, want *LockError", err)
	}
	held := readLockInfo([]byte(before["dialtone.state.json.lock"]))
	host, _ := os.Hostname()
	if le.Info.ID != held.ID || le.Info.ID == "" || le.Info.PID != os.Getpid() || le.Info.Operation != "apply" ||
		!strings.HasSuffix(le.Info.Who, "@"+host) || le.Info.Path != path+".lock" || le.Stale {
		t.Fatalf("LockError = %+v (stale %v), want the first holder's info %+v", le.Info, le.Stale, held)
	}
	if !strings.Contains(err.Error(), `for "apply"`) || !strings.Contains(err.Error(), le.Info.ID) {
		t.Fatalf("message %q lacks the operation or the ID", err)
	}
	if after := snapshot(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a refused Lock changed files:\n%v\n%v", before, after)
	}

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Fatal("unlock left the lock file")
	}
	unlock2, err := second.Lock(context.Background(), "refresh")
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

func TestLockUnlockClosesJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	l := NewLocal(path, LocalOptions{})
	unlock, err := l.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendJournal(context.Background(), stepChanges(1)); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if l.journal != nil {
		t.Fatal("unlock left the journal open")
	}
	// Appending after unlock reopens the journal without losing the first record.
	if err := l.AppendJournal(context.Background(), stepChanges(2)); err != nil {
		t.Fatal(err)
	}
	l2 := NewLocal(path, LocalOptions{})
	if _, err := l2.Read(context.Background()); err != nil || l2.JournalPending() != 2 {
		t.Fatalf("Read: %v, pending %d", err, l2.JournalPending())
	}
}

func TestLockGarbledFileStillLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(path+".lock", []byte(`{"id": "abc", "operation": "apply", "pid": 1`), 0o600)
	_, err := NewLocal(path, LocalOptions{}).Lock(context.Background(), "apply")
	var le *LockError
	if !errors.As(err, &le) {
		t.Fatalf("garbled lock file: %v, want *LockError", err)
	}
	if le.Info.ID != "abc" || le.Info.Operation != "apply" || !le.Stale {
		t.Fatalf("want what could be read (ID abc, operation apply) and stale (no flock held): %+v stale %v", le.Info, le.Stale)
	}
	if err := NewLocal(path, LocalOptions{}).ForceUnlock(context.Background(), "abc"); err != nil {
		t.Fatal(err)
	}
}

// TestHelperProcess is not a test: run as a child by TestLockHeldByAnotherProcess, it
// takes the lock, says so, and waits to be killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("DIALTONE_STATE_LOCK_HELPER")
	if path == "" {
		t.Skip("helper process for TestLockHeldByAnotherProcess")
	}
	if _, err := NewLocal(path, LocalOptions{}).Lock(context.Background(), "apply"); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	select {}
}

func TestLockHeldByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialtone.state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "DIALTONE_STATE_LOCK_HELPER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q", line)
	}

	l := NewLocal(path, LocalOptions{})
	_, err = l.Lock(context.Background(), "apply")
	var le *LockError
	if !errors.As(err, &le) {
		t.Fatalf("Lock while a live process holds it: %v", err)
	}
	if le.Stale || le.Info.PID != cmd.Process.Pid {
		t.Fatalf("live holder: stale %v, pid %d (child %d)", le.Stale, le.Info.PID, cmd.Process.Pid)
	}

	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	cmd.Wait()
	_, err = l.Lock(context.Background(), "apply")
	if !errors.As(err, &le) || !le.Stale {
		t.Fatalf("Lock after the holder died: %v, want a stale *LockError", err)
	}
	if !strings.Contains(err.Error(), "dialtone force-unlock "+le.Info.ID) {
		t.Fatalf("message %q does not give the force-unlock command", err)
	}

	if err := l.ForceUnlock(context.Background(), "not-the-id"); err == nil || !strings.Contains(err.Error(), le.Info.ID) {
		t.Fatalf("ForceUnlock with a wrong ID: %v (must name the actual ID)", err)
	}
	if err := l.ForceUnlock(context.Background(), le.Info.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.ForceUnlock(context.Background(), le.Info.ID); err == nil || !strings.Contains(err.Error(), "no lock is held") {
		t.Fatalf("ForceUnlock without a lock: %v", err)
	}
	unlock, err := l.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestUnlockAfterForceUnlockSparesTheNewHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	a, b := NewLocal(path, LocalOptions{}), NewLocal(path, LocalOptions{})
	unlockA, err := a.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	info := readLockInfo(mustRead(t, path+".lock"))
	if err := b.ForceUnlock(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	unlockB, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	if err := unlockA(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Fatal("the old holder's unlock removed the new holder's lock file")
	}
	unlockB()
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLockStopsWithContext: Lock waits a moment for a lock file being written (created,
// no holder in it yet); a cancelled context stops that wait with an error that says so
// and wraps context.Canceled, instead of reporting a holder it never read.
func TestLockStopsWithContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialtone.state.json")
	release, err := LockPath(path + ".lock") // held, empty: a taker between create and write
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = NewLocal(path, LocalOptions{}).Lock(ctx, "apply")
	var le *LockError
	if !errors.Is(err, context.Canceled) || errors.As(err, &le) || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("Lock with a cancelled context: %v, want a stop wrapping context.Canceled", err)
	}
}
