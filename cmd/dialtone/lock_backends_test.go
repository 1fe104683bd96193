package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// TestTenApplies starts ten applies at once, as real processes: exactly one takes the
// lock (it waits at its approval prompt, holding it), the nine others exit 1 naming
// that holder, and the state is untouched until the one answers yes and completes.
// On both backends.
func TestTenApplies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be testBackend) {
		dir := workdir(t)
		env := be.env()
		mustDialtone(t, dir, env, "init")
		mustDialtone(t, dir, env, "lab", "init", "-mailboxes=2")
		mustDialtone(t, dir, env, "lab", "fail", "database", "DB01")
		before := be.readDoc(t, dir)

		type proc struct {
			cmd            *exec.Cmd
			stdin          io.WriteCloser
			stdout, stderr *syncBuffer
			done           chan error
		}
		var procs []*proc
		for range 10 {
			cmd := exec.Command(os.Args[0], "-chdir="+dir, "apply")
			cmd.Env = append(append(os.Environ(), childEnv+"=1", "NO_COLOR=1", "DIALTONE_LOG="), env...)
			p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
			cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
			var err error
			if p.stdin, err = cmd.StdinPipe(); err != nil {
				t.Fatal(err)
			}
			procs = append(procs, p)
		}
		endedCh := make(chan *proc, len(procs))
		for _, p := range procs {
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { p.done <- p.cmd.Wait(); endedCh <- p }()
		}
		defer func() {
			for _, p := range procs {
				p.cmd.Process.Kill()
			}
		}()

		// Nine end; the one left holds the lock, at its prompt.
		deadline := time.After(60 * time.Second)
		var losers []*proc
		for len(losers) < 9 {
			select {
			case p := <-endedCh:
				losers = append(losers, p)
			case <-deadline:
				t.Fatalf("after 60s, %d applies ended", len(losers))
			}
		}
		var winner *proc
		for _, p := range procs {
			if !containsProc(losers, p) {
				winner = p
			}
		}
		for !strings.Contains(winner.stdout.String(), "Only 'yes' will be accepted") {
			select {
			case <-deadline:
				t.Fatalf("the apply holding the lock never prompted:\n%s\n%s", winner.stdout.String(), winner.stderr.String())
			case p := <-endedCh:
				t.Fatalf("all ten applies ended; the last:\n%s\n%s", p.stdout.String(), p.stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		holder := "pid " + strconv.Itoa(winner.cmd.Process.Pid)
		for _, p := range losers {
			err := <-p.done
			code := p.cmd.ProcessState.ExitCode()
			if code != 1 {
				t.Errorf("an apply that lost the race exited %d (%v), want 1:\n%s", code, err, p.stderr.String())
			}
			msg := p.stderr.String()
			if !strings.Contains(msg, "locked by") || !strings.Contains(msg, holder) || !strings.Contains(msg, `"apply"`) {
				t.Errorf("a losing apply does not name the holder (%s):\n%s", holder, msg)
			}
			if !strings.Contains(msg, "Nothing was changed") {
				t.Errorf("a losing apply does not say nothing was changed:\n%s", msg)
			}
		}
		if !bytes.Equal(before, be.readDoc(t, dir)) {
			t.Fatal("the state changed while nine applies were refused")
		}
		io.WriteString(winner.stdin, "yes\n")
		winner.stdin.Close()
		if err := <-winner.done; err != nil {
			t.Fatalf("the apply holding the lock: %v\n%s\n%s", err, winner.stdout.String(), winner.stderr.String())
		}
		mustDialtone(t, dir, env, "lab", "verify")
		if r := dialtone(t, dir, env, "plan", "-detailed-exitcode"); r.code != 0 {
			t.Fatalf("plan after the apply: exit %d\n%s", r.code, r.stdout)
		}
	})
}

func containsProc[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDamagedStateRefused damages the stored state behind dialtone's back (a truncated
// file; a document edited through SQL): every command that reads it is refused with
// the backup to restore and how, and nothing is written.
func TestDamagedStateRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be testBackend) {
		dir := workdir(t)
		env := be.env()
		mustDialtone(t, dir, env, "init")
		mustDialtone(t, dir, env, "lab", "init", "-mailboxes=2")
		mustDialtone(t, dir, env, "refresh")
		mustDialtone(t, dir, env, "refresh")
		var want []string
		if be.name == "pg" {
			pgtest.Exec(t, be.connStr, fmt.Sprintf(`UPDATE %q.state SET document = substring(document from 1 for 100)`, be.schema))
			want = []string{"is damaged", "the newest good backup is version", "state_backups", "restore it with this SQL: UPDATE"}
		} else {
			p := filepath.Join(dir, "dialtone.state.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
			want = []string{"is damaged", `the newest good backup is "` + p + `.backup"`, "cp "}
		}
		for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"state", "list"}, {"refresh"}} {
			r := dialtone(t, dir, env, args...)
			if r.code != 1 {
				t.Errorf("%s on a damaged state exited %d, want 1", args[0], r.code)
			}
			for _, w := range want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%s: the error does not contain %q:\n%s", args[0], w, r.stderr)
				}
			}
		}
	})
}
