package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
)

func init() {
	testHooks.journal = func(c *cli, j planner.Journal, b state.Backend, st *state.State) planner.Journal {
		if k := newKillJournal(c, j, b, st); k != nil {
			return k
		}
		return j
	}
	testHooks.provider = func(c *cli, p providers.Provider) providers.Provider {
		return killInOpForTest(c, slowForTest(c, p))
	}
	testHooks.heartbeat = func(c *cli) time.Duration {
		d, _ := time.ParseDuration(c.getenv(testHeartbeatEnv))
		return d
	}
	testHooks.backend = func(c *cli, be *config.Backend) *config.Backend {
		if v := c.getenv(testBackendEnv); v != "" {
			typ, schema, _ := strings.Cut(v, ":")
			be = &config.Backend{Type: typ, SchemaName: schema, Backups: be.Backups, DeclRange: be.DeclRange}
		}
		return be
	}
	testHooks.pgOptions = func(_ *cli, o *pg.Options) {
		o.BeforeJournalCommit = func() {
			if killBeforePgCommit.Load() {
				killNow()
			}
		}
		pgCommitHooked.Store(true)
	}
	testHooks.envSecrets = func(s *secretSet, getenv func(string) string) {
		s.AddConnString(getenv("DIALTONE_TEST_PG_CONN_STR"))
	}
	// The drill's child is this test binary: it acts as dialtone with childEnv set
	// (TestMain), and does not inherit the hooks of the test that runs the drill.
	testHooks.childEnv = func(env []string) []string {
		var out []string
		for _, kv := range env {
			k, _, _ := strings.Cut(kv, "=")
			switch k {
			case testBackendEnv, killAfterEnv, killBeforeEnv, childEnv:
				continue
			}
			out = append(out, kv)
		}
		return append(out, childEnv+"=1")
	}
}

// testBackendEnv: "pg:SCHEMA" replaces the configured backend with the pg backend on
// SCHEMA (connection string from DIALTONE_PG_CONN_STR), so that the end-to-end tests
// run unchanged against both backends.
const testBackendEnv = "DIALTONE_TEST_BACKEND"

// TEST-ONLY hooks: the crash tests (testdata/script/crash.txtar, crash_harness_test.go)
// kill a real apply at chosen points by setting these variables. Nothing else sets them,
// and without them none of this code runs.
//
//   - DIALTONE_TEST_KILL_AFTER_STEPS=N: SIGKILL right after the Nth finished step of
//     this run is in the journal (between steps).
//   - DIALTONE_TEST_KILL_BEFORE_STEPS=N: SIGKILL when the Nth finished step of this run
//     is about to be journaled: its effect has happened but is recorded nowhere, the
//     point where a rerun must find that the step already took effect.
//   - DIALTONE_TEST_KILL_IN_JOURNAL=N: SIGKILL in the middle of writing the Nth finished
//     step's journal record: with the local backend the first half of its line is
//     appended to FILE.journal and fsynced (a torn record); with pg the row is inserted
//     and the process dies before its transaction commits.
//   - DIALTONE_TEST_KILL_IN_OP=KIND:N: SIGKILL inside the Nth provider operation of kind
//     KIND (an operation kind such as move_files, or "any") of this run. For move_files
//     on the lab: once every file of the move is copied to its destination and fsynced,
//     before any source is deleted (the lab's move copies, verifies, then deletes: this
//     is the moment in between, both copies on disk). For an operation that reports
//     progress (a merge): at its first progress report, part of its work written. For
//     any other: right after the provider returns, before the planner hears of it.
//   - DIALTONE_TEST_INTERRUPT_AFTER_STEPS=N: SIGINT to this process (as Ctrl-C at a
//     terminal) right after the Nth finished step of this run is in the journal; the
//     steps under way then see their context canceled, as with a real Ctrl-C.
const (
	interruptAfterEnv = "DIALTONE_TEST_INTERRUPT_AFTER_STEPS"
	killAfterEnv      = "DIALTONE_TEST_KILL_AFTER_STEPS"
	killBeforeEnv     = "DIALTONE_TEST_KILL_BEFORE_STEPS"
	killJournalEnv    = "DIALTONE_TEST_KILL_IN_JOURNAL"
	killInOpEnv       = "DIALTONE_TEST_KILL_IN_OP"
)

// interruptNow sends this process SIGINT, as Ctrl-C does: the signal handler cancels
// the run's context. (Windows has no SIGINT to send: nothing happens there.)
func interruptNow() {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Signal(os.Interrupt)
	}
}

// The pg backend's hook before a journal commit (testHooks.pgOptions): installed on
// every pg backend of a test run, it kills the process once a torn record is asked for.
// Package-wide as each dialtone run of a script is a process of its own.
var pgCommitHooked, killBeforePgCommit atomic.Bool

// killJournal wraps the journal to kill the process at a chosen step.
type killJournal struct {
	planner.Journal
	after, before, torn int64
	interrupt           int64
	ctx                 context.Context // the run's: canceled by the SIGINT handler
	n                   atomic.Int64
	local               *state.Local // for a torn record
	lineage             string
	serial              uint64
}

// newKillJournal returns the killing journal when a kill variable is set, else nil. b
// is the backend behind j; st the state as read (its lineage and serial are what the
// journal records are made against).
func newKillJournal(c *cli, j planner.Journal, b state.Backend, st *state.State) *killJournal {
	atoi := func(name string) int64 {
		n, err := strconv.Atoi(c.getenv(name))
		if err != nil || n < 0 {
			return 0
		}
		return int64(n)
	}
	k := &killJournal{Journal: j, after: atoi(killAfterEnv), before: atoi(killBeforeEnv), torn: atoi(killJournalEnv),
		interrupt: atoi(interruptAfterEnv), ctx: c.ctx}
	if k.after == 0 && k.before == 0 && k.torn == 0 && k.interrupt == 0 {
		return nil
	}
	if st != nil {
		k.lineage, k.serial = st.Lineage, st.Serial
	}
	k.local, _ = b.(*state.Local)
	return k
}

func (k *killJournal) AppendJournal(ctx context.Context, changes []state.Change) error {
	step := false
	for _, ch := range changes {
		if ch.StepDone != nil {
			step = true
			break
		}
	}
	var n int64
	if step {
		n = k.n.Add(1)
		if n == k.before {
			killNow()
		}
		if n == k.torn {
			k.tearAndKill(changes)
		}
	}
	if err := k.Journal.AppendJournal(ctx, changes); err != nil {
		return err
	}
	if step && n == k.after {
		killNow()
	}
	if step && n == k.interrupt {
		interruptNow()
		// Return once the handler has canceled the run, so that the step count at the
		// stop is exactly N (a real Ctrl-C lands wherever it lands).
		if k.ctx != nil {
			select {
			case <-k.ctx.Done():
			case <-time.After(10 * time.Second):
			}
		}
	}
	return nil
}

// tearAndKill writes half of the journal record of changes, then kills the process.
func (k *killJournal) tearAndKill(changes []state.Change) {
	if k.local == nil {
		// pg: the row goes in, the commit never comes.
		if pgCommitHooked.Load() {
			killBeforePgCommit.Store(true)
			return // AppendJournal goes on and dies before its commit
		}
		killNow()
	}
	raw, _ := json.Marshal(changes)
	line, _ := json.Marshal(map[string]any{"lineage": k.lineage, "serial": k.serial, "changes": json.RawMessage(raw), "crc32": crc32.ChecksumIEEE(raw)})
	f, err := os.OpenFile(k.local.Path()+".journal", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err == nil {
		_, _ = f.Write(line[:len(line)/2])
		_ = f.Sync()
	}
	killNow()
}

// killInOpForTest wraps prov when DIALTONE_TEST_KILL_IN_OP is set.
func killInOpForTest(c *cli, prov providers.Provider) providers.Provider {
	v := c.getenv(killInOpEnv)
	if v == "" {
		return prov
	}
	kind, num, _ := strings.Cut(v, ":")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		n = 1
	}
	return &killInOpProvider{Provider: prov, c: c, kind: kind, at: int64(n)}
}

type killInOpProvider struct {
	providers.Provider
	c    *cli
	kind string
	at   int64
	n    atomic.Int64
}

func (k *killInOpProvider) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	if k.kind != "any" && string(op.Kind) != k.kind {
		return k.Provider.Apply(ctx, op, progress)
	}
	if k.n.Add(1) != k.at {
		return k.Provider.Apply(ctx, op, progress)
	}
	if op.Kind == providers.OpMoveFiles {
		n, err := k.copyHalfOfMove(op)
		if err != nil {
			fmt.Fprintf(k.c.stderr, "test hook %s: %v\n", killInOpEnv, err)
			os.Exit(99)
		}
		fmt.Fprintf(k.c.stderr, "test hook %s: %d files of the move copied, none deleted; killing\n", killInOpEnv, n)
		killNow()
	}
	res, err := k.Provider.Apply(ctx, op, func(done, total int64) {
		killNow()
	})
	killNow()
	return res, err
}

// Check passes prechecks on to the wrapped provider.
func (k *killInOpProvider) Check(ctx context.Context, ck providers.Check) error {
	if c, ok := k.Provider.(providers.Checker); ok {
		return c.Check(ctx, ck)
	}
	return nil
}

// copyHalfOfMove does the first half of the lab's move_files: every file copied to its
// destination (the .edb renamed as the move would) and fsynced, nothing deleted.
func (k *killInOpProvider) copyHalfOfMove(op providers.Operation) (int, error) {
	cfg, diags := config.Load(k.c.dir, config.LoadOptions{})
	if diags.HasErrors() || cfg == nil {
		return 0, fmt.Errorf("loading the configuration: %v", diags)
	}
	labDir, err := labPath(k.c, cfg)
	if err != nil {
		return 0, err
	}
	src, dst := op.Server, op.Server
	if op.SourceServer != "" {
		src = op.SourceServer
	}
	if op.DestServer != "" {
		dst = op.DestServer
	}
	host := func(server, win string) string {
		parts := strings.FieldsFunc(win, func(r rune) bool { return r == '\\' || r == '/' })
		if len(parts) == 0 {
			return ""
		}
		drive := strings.ToUpper(strings.TrimSuffix(parts[0], ":"))
		return filepath.Join(append([]string{labDir, "servers", server, drive}, parts[1:]...)...)
	}
	var pairs [][2]string
	srcEdb, dstEdb := host(src, op.EdbFilePath), host(dst, op.DestEdbFilePath)
	if _, err := os.Stat(srcEdb); err == nil && srcEdb != dstEdb {
		pairs = append(pairs, [2]string{srcEdb, dstEdb})
	}
	srcLogs, dstLogs := host(src, op.LogFolderPath), host(dst, op.DestLogFolderPath)
	if srcLogs != dstLogs {
		ents, _ := os.ReadDir(srcLogs)
		for _, e := range ents {
			if e.Type().IsRegular() {
				pairs = append(pairs, [2]string{filepath.Join(srcLogs, e.Name()), filepath.Join(dstLogs, e.Name())})
			}
		}
	}
	for _, p := range pairs {
		if _, err := os.Stat(p[1]); err == nil {
			continue
		}
		if err := copyFileSynced(p[0], p[1]); err != nil {
			return 0, err
		}
	}
	return len(pairs), nil
}

func copyFileSynced(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
