package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// testBackend is one state backend the end-to-end Go tests run against: local (the
// configuration's file) or pg (a fresh schema of the test database, chosen through the
// test-only DIALTONE_TEST_BACKEND).
type testBackend struct {
	name    string
	connStr string // pg
	schema  string // pg
}

// forEachBackend runs f as a subtest per backend; pg is skipped without a test
// database (and fails then under DIALTONE_TEST_REQUIRE_PG=1).
func forEachBackend(t *testing.T, f func(t *testing.T, be testBackend)) {
	t.Run("local", func(t *testing.T) { f(t, testBackend{name: "local"}) })
	t.Run("pg", func(t *testing.T) {
		cs := pgtest.ConnStr(t)
		f(t, testBackend{name: "pg", connStr: cs, schema: pgtest.Schema(t, cs)})
	})
}

// env is what a child dialtone needs to use this backend.
func (be testBackend) env() []string {
	if be.name != "pg" {
		return nil
	}
	return []string{testBackendEnv + "=pg:" + be.schema, pgConnEnv + "=" + be.connStr}
}

// open returns the backend itself, to read the state behind dialtone's back.
func (be testBackend) open(t *testing.T, dir string) state.Backend {
	t.Helper()
	if be.name == "pg" {
		b, err := pg.New(be.connStr, be.schema, pg.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return state.NewLocal(filepath.Join(dir, "dialtone.state.json"), state.LocalOptions{})
}

// readDoc reads the stored state and encodes it: two equal documents are the same state.
func (be testBackend) readDoc(t *testing.T, dir string) []byte {
	t.Helper()
	st, err := be.open(t, dir).Read(context.Background())
	if err != nil {
		t.Fatalf("reading the %s state: %v", be.name, err)
	}
	b, err := state.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// workdir is a working directory with the same-server example's configuration.
func workdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	hcl, err := os.ReadFile(filepath.Join("..", "..", "examples", "same-server", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var stageLine = regexp.MustCompile(`(?m)^(\s*stage\s*=\s*)"[a-z_]+"`)
var optionLine = regexp.MustCompile(`(?m)^(\s*option\s*=\s*)"[a-z_]+"`)

// setHCL rewrites the recovery's stage (and option, when not empty) in main.hcl.
func setHCL(t *testing.T, dir, option, stage string) {
	t.Helper()
	p := filepath.Join(dir, "main.hcl")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = stageLine.ReplaceAll(b, []byte(`${1}"`+stage+`"`))
	if option != "" {
		b = optionLine.ReplaceAll(b, []byte(`${1}"`+option+`"`))
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// result is how a child dialtone ended.
type result struct {
	stdout, stderr string
	code           int
	killed         bool // ended by SIGKILL
	pid            int
}

// dialtone runs the test binary as dialtone in dir, as a real process, with extra env.
func dialtone(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(append(os.Environ(), childEnv+"=1", "NO_COLOR=1", "DIALTONE_LOG="), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if cmd.Process != nil {
		r.pid = cmd.Process.Pid
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	default:
		t.Fatalf("dialtone %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustDialtone is dialtone that fails the test unless the exit status is 0.
func mustDialtone(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := dialtone(t, dir, env, args...)
	if r.code != 0 || r.killed {
		t.Fatalf("dialtone %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}
