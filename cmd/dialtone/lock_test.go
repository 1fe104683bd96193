package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestApplyLockHeld holds the state lock from a real child process (an apply waiting
// at its approval prompt) and runs a second apply: it must fail naming the holder and
// the operation, and leave the state file byte for byte as it was.
func TestApplyLockHeld(t *testing.T) {
	dir := t.TempDir()
	hcl, err := os.ReadFile(filepath.Join("..", "..", "examples", "same-server", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "init")
	mustRun(t, dir, "lab", "init", "-mailboxes=2")
	mustRun(t, dir, "lab", "fail", "database", "DB01")

	child := exec.Command(os.Args[0], "-chdir="+dir, "apply")
	child.Env = append(os.Environ(), childEnv+"=1", "NO_COLOR=1")
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var childErr bytes.Buffer
	child.Stderr = &childErr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()

	// Wait for the prompt: the child now holds the lock.
	prompted := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		var seen strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			seen.Write(buf[:n])
			if strings.Contains(seen.String(), "Only 'yes' will be accepted") {
				prompted <- seen.String()
				io.Copy(io.Discard, r)
				return
			}
			if err != nil {
				prompted <- ""
				return
			}
		}
	}()
	select {
	case out := <-prompted:
		if out == "" {
			t.Fatalf("child apply ended before its prompt; stderr:\n%s", childErr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("child apply did not reach its prompt in 60s")
	}

	statePath := filepath.Join(dir, "dialtone.state.json")
	before, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"-chdir=" + dir, "apply", "-auto-approve"}, strings.NewReader(""), &out, &errOut)
	if code != 1 {
		t.Fatalf("second apply exited %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	msg := errOut.String()
	for _, want := range []string{"locked", `"apply"`, "pid " + strconv.Itoa(child.Process.Pid)} {
		if !strings.Contains(msg, want) {
			t.Errorf("second apply's error does not name %s:\n%s", want, msg)
		}
	}
	after, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the state file changed although the second apply could not take the lock")
	}

	// Answer "no": the first apply cancels and releases the lock.
	io.WriteString(stdin, "no\n")
	stdin.Close()
	if err := child.Wait(); err == nil {
		t.Error("the cancelled apply exited 0, want 1")
	}
	after2, _ := os.ReadFile(statePath)
	if !bytes.Equal(before, after2) {
		t.Error("a cancelled apply changed the state file")
	}
	mustRun(t, dir, "apply", "-auto-approve")
}

// mustRun runs dialtone in-process in dir and fails the test on a non-zero exit.
func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(append([]string{"-chdir=" + dir}, args...), strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("dialtone %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return out.String()
}
