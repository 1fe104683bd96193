//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestInterruptStopsLockWait: Ctrl-C while a command waits for a held lock
// (-lock-timeout) ends the wait at once, saying so, and changes nothing; the holder
// keeps its lock. On both backends: the command's context reaches the backend's Lock.
func TestInterruptStopsLockWait(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be testBackend) {
		dir := workdir(t)
		env := be.env()
		mustDialtone(t, dir, env, "init")
		mustDialtone(t, dir, env, "lab", "init", "-mailboxes=2")
		mustDialtone(t, dir, env, "refresh")
		holder := be.open(t, dir)
		unlock, err := holder.Lock(context.Background(), "apply")
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		before := be.readDoc(t, dir)

		child := exec.Command(os.Args[0], "-chdir="+dir, "refresh", "-lock-timeout=10m")
		child.Env = append(append(os.Environ(), childEnv+"=1", "NO_COLOR=1", "DIALTONE_LOG="), env...)
		stderr, err := child.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		defer child.Process.Kill()
		var seen strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Waiting up to 10m0s (-lock-timeout)") {
				break
			}
		}
		if !strings.Contains(seen.String(), "Waiting up to") {
			t.Fatalf("the child never waited for the lock:\n%s", seen.String())
		}
		if err := child.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for sc.Scan() {
				seen.WriteString(sc.Text() + "\n")
			}
			done <- child.Wait()
		}()
		select {
		case err = <-done:
		case <-time.After(60 * time.Second): // a hang guard, not a speed target
			t.Fatal("the child still waits for the lock a minute after Ctrl-C")
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("child: %v, want exit status 1\n%s", err, seen.String())
		}
		if !strings.Contains(seen.String(), "stopped waiting: context canceled") || !strings.Contains(seen.String(), "Nothing was changed.") {
			t.Fatalf("the child does not say it stopped waiting:\n%s", seen.String())
		}
		if string(be.readDoc(t, dir)) != string(before) {
			t.Fatal("the interrupted command changed the state")
		}
	})
}
