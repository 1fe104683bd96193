package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLabServeWithSwaks drives the lab's SMTP listener with a real mail client
// (swaks, from Debian) through a drill-like sequence: mail before the failure, while
// DB01 is lost (queued), then after the dial tone recovery; every message must be in
// the ledger and its owner's mailbox exactly once ("lab verify"), an unknown recipient
// is refused with 550, and the listener stops on SIGTERM. It skips without swaks
// unless DIALTONE_TEST_REQUIRE_SWAKS is set (.ci/run installs it and sets it).
func TestLabServeWithSwaks(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		if os.Getenv("DIALTONE_TEST_REQUIRE_SWAKS") != "" {
			t.Fatalf("swaks is required (DIALTONE_TEST_REQUIRE_SWAKS is set) but not found: %v", err)
		}
		t.Skip("swaks is not installed (apt-get install swaks; .ci/run does)")
	}
	dir := workdir(t)
	mustDialtone(t, dir, nil, "init")
	mustDialtone(t, dir, nil, "lab", "init", "-mailboxes=3")

	addrFile := filepath.Join(dir, "smtp.addr")
	srv := exec.Command(os.Args[0], "-chdir="+dir, "lab", "serve", "-smtp=127.0.0.1:0", "-addr-file="+addrFile)
	srv.Env = append(os.Environ(), childEnv+"=1", "NO_COLOR=1", "DIALTONE_LOG=info", "DIALTONE_LOG_PATH="+filepath.Join(dir, "serve.log"))
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Process.Kill()
			srv.Wait()
		}
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil {
			addr = strings.TrimSpace(string(b))
			break
		}
	}
	if addr == "" {
		t.Fatalf("the listener did not start:\n%s", srvOut.String())
	}
	host, port, _ := strings.Cut(addr, ":")
	send := func(to string) (string, error) {
		out, err := exec.Command(swaks, "--server", host, "--port", port, "--from", "alice@example.org", "--to", to,
			"--header", "Subject: drill", "--body", "hello from swaks", "--timeout", "10").CombinedOutput()
		return string(out), err
	}
	mustSend := func(to string) {
		t.Helper()
		if out, err := send(to); err != nil {
			t.Fatalf("swaks to %s: %v\n%s", to, err, out)
		}
	}

	user := "db01-user0001@contoso.com"
	mustSend(user)
	mustSend("db02-user0001@contoso.com")
	if out, err := send("nobody@contoso.com"); err == nil || !strings.Contains(out, "550") {
		t.Fatalf("an unknown recipient was not refused with 550: %v\n%s", err, out)
	}
	mustDialtone(t, dir, nil, "lab", "backup", "DB01")
	mustDialtone(t, dir, nil, "lab", "fail", "database", "DB01", "-mode=lost")
	mustSend(user) // queued: DB01 is down
	r := dialtone(t, dir, nil, "lab", "verify")
	if r.code == 0 || !strings.Contains(r.stdout, "1 still queued") {
		t.Fatalf("mail sent while DB01 is down is not queued:\n%s", r.stdout)
	}
	mustDialtone(t, dir, nil, "apply", "-auto-approve") // dial tone: the queue drains
	mustSend(user)                                      // into the dial tone database
	setHCL(t, dir, "", "complete")
	mustDialtone(t, dir, nil, "apply", "-auto-approve")
	mustSend(user)

	r = dialtone(t, dir, nil, "lab", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "5 messages accepted, 5 delivered exactly once") {
		t.Fatalf("lab verify after the recovery (exit %d):\n%s", r.code, r.stdout)
	}
	items := mustDialtone(t, dir, nil, "lab", "mailbox", user, "-json").stdout
	if n := strings.Count(items, `"message_id"`); n != 4 {
		t.Errorf("%s holds %d messages, want 4:\n%s", user, n, items)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Fatalf("the listener ended with %v:\n%s", err, srvOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not stop on SIGTERM")
	}
	if !strings.Contains(srvOut.String(), "stopped") {
		t.Errorf("listener output:\n%s", srvOut.String())
	}
	log, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
	if c := strings.Count(string(log), "smtp message accepted"); c != 5 {
		t.Errorf("the log records %d accepted messages, want 5:\n%s", c, log)
	}
}
