package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers/lab"
)

// TestCrashHarness is issue 5's "crash safety, proven": a whole recovery (every stage)
// of each recovery option, in which the real apply process is SIGKILLed over and over,
// in rotation at four kinds of point (the test-only hooks of test_hooks.go):
//
//   - inside a provider operation (DIALTONE_TEST_KILL_IN_OP): between the copy and the
//     delete of a move (both copies on disk), in the middle of a merge (a batch
//     written, the request not finished), or right after any other operation returned
//     and before the planner heard of it;
//   - after a step's effect and before its journal record (DIALTONE_TEST_KILL_BEFORE_STEPS);
//   - during the journal write (DIALTONE_TEST_KILL_IN_JOURNAL: half a record on disk,
//     or a pg row inserted and never committed);
//   - right after a step is journaled, between steps (DIALTONE_TEST_KILL_AFTER_STEPS).
//
// Each kill is followed by another apply (itself killed at the next point), until the
// stage is reached; manual steps are carried out as an admin would (lab repair server
// for the rebuild) and confirmed. At the end the harness checks that the recovery
// converged (plan has nothing to do), the state matches the lab (a refresh finds no
// drift: planner.DetectDrift), every step of an uninterrupted run is recorded exactly
// once and no other, and every accepted message is in its owner's mailbox exactly once
// (lab verify). It runs per option and per state backend, and prints its figures.
func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash harness runs about 1,000 killed applies")
	}
	var mu sync.Mutex
	var lines []string
	t.Cleanup(func() {
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Println(l)
		}
	})
	for _, opt := range harnessOptions {
		t.Run(opt.name, func(t *testing.T) {
			t.Parallel()
			// The baseline: the step IDs of an uninterrupted recovery (local state).
			base := runRecovery(t, harnessWorkdir(t, opt.example), testBackend{name: "local"}, opt, false)
			forEachBackend(t, func(t *testing.T, be testBackend) {
				t.Parallel()
				f := runRecovery(t, harnessWorkdir(t, opt.example), be, opt, true)
				missing, extra := diffSteps(base.steps, f.steps)
				if len(missing)+len(extra) > 0 {
					t.Errorf("steps recorded after the crashes differ from an uninterrupted run: missing %v, extra %v", missing, extra)
				}
				if f.kills() < 20 {
					t.Errorf("only %d kill points were reached, want 20 or more", f.kills())
				}
				if f.inOp["move_files"] == 0 && opt.moves {
					t.Errorf("no kill between the copy and the delete of a move")
				}
				if f.inOp["merge_mailbox"] == 0 {
					t.Errorf("no kill inside a merge")
				}
				line := fmt.Sprintf("crash harness %s/%s: %d kill points tried (%d inside operations: %s; %d effect done, not journaled; %d in the journal write; %d between steps), %d applies; "+
					"messages accepted %d, lost %d, doubled %d; steps %d recorded once each (lost %d, doubled %d)",
					opt.name, be.name, f.kills(), f.byMode["in_op"], f.inOpSummary(), f.byMode["before"], f.byMode["journal"], f.byMode["after"], f.runs,
					f.accepted, f.lost, f.doubled, len(f.steps), len(missing), len(extra))
				t.Log(line)
				mu.Lock()
				lines = append(lines, line)
				mu.Unlock()
			})
		})
	}
}

// harnessOption is a recovery option as the harness runs it: its example folder, the
// failure injected and whether its plan moves database files (the swap).
type harnessOption struct {
	name, example string
	fail          []string // lab fail ...
	moves         bool
}

var harnessOptions = []harnessOption{
	{name: "same_server", example: "same-server", fail: []string{"database", "DB01"}, moves: true},
	{name: "alternate_server", example: "alternate-server", fail: []string{"server", "EX01"}},
	{name: "alternate_server_stay", example: "alternate-server-stay", fail: []string{"database", "DB01"}, moves: true},
}

// harnessWorkdir is a working directory with an example's configuration.
func harnessWorkdir(t *testing.T, example string) string {
	t.Helper()
	dir := t.TempDir()
	hcl, err := os.ReadFile(filepath.Join("..", "..", "examples", example, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// figures are what one harness run found.
type figures struct {
	runs                    int
	byMode                  map[string]int // in_op, before, journal, after
	inOp                    map[string]int // kills inside operations, by kind asked for
	accepted, lost, doubled int
	steps                   []string // step IDs recorded in the state, sorted
}

func (f figures) kills() int {
	n := 0
	for _, v := range f.byMode {
		n += v
	}
	return n
}

func (f figures) inOpSummary() string {
	var parts []string
	for k, v := range f.inOp {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func diffSteps(want, got []string) (missing, extra []string) {
	w, g := map[string]bool{}, map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	for _, s := range got {
		if g[s] {
			extra = append(extra, s)
		}
		g[s] = true
	}
	for _, s := range want {
		if !g[s] {
			missing = append(missing, s)
		}
	}
	for s := range g {
		if !w[s] {
			extra = append(extra, s)
		}
	}
	return missing, extra
}

var movedFiles = regexp.MustCompile(`(\d+) files of the move copied, none deleted`)

var pausedAt = regexp.MustCompile(`Apply paused at a manual step: (\S+?)\.\s`)

// runRecovery prepares a lab (mail before and after a backup, the failure, mail
// queued), then applies every stage of the recovery, with kills when kill is set, and
// checks the outcome.
func runRecovery(t *testing.T, dir string, be testBackend, opt harnessOption, kill bool) figures {
	t.Helper()
	env := be.env()
	f := figures{byMode: map[string]int{}, inOp: map[string]int{}}
	setHCL(t, dir, "", config.Stages[0])
	mustDialtone(t, dir, env, "init")
	mustDialtone(t, dir, env, "lab", "init", "-mailboxes=8")
	mustDialtone(t, dir, env, "lab", "deliver", "-database=DB01", "-count=16")
	mustDialtone(t, dir, env, "lab", "backup", "DB01", "-name=nightly")
	mustDialtone(t, dir, env, "lab", "deliver", "-database=DB01", "-count=8")
	mustDialtone(t, dir, env, append([]string{"lab", "fail"}, opt.fail...)...)
	mustDialtone(t, dir, env, "lab", "deliver", "-database=DB01", "-count=4")
	accepted := 16 + 8 + 4

	modes := []string{"in_op", "before", "journal", "after"}
	for _, stage := range config.Stages {
		setHCL(t, dir, "", stage)
		kinds := ""
		if kill {
			kinds = mustDialtone(t, dir, env, "plan", "-json").stdout
		}
		stageInOp := map[string]bool{}
		for i, m := 0, 0; ; i++ {
			if i > 400 {
				t.Fatalf("stage %s: apply did not finish in 400 runs", stage)
			}
			runEnv, mode, kind := env, "", ""
			if kill {
				mode = modes[m%len(modes)]
				var v string
				switch mode {
				case "in_op":
					kind = "any"
					for _, k := range []string{"move_files", "merge_mailbox"} {
						if !stageInOp[k] && strings.Contains(kinds, `"kind": "`+k+`"`) {
							kind = k
							break
						}
					}
					n := 1
					if kind == "merge_mailbox" {
						n = 2 // while other merges run too (parallelism 4)
					}
					v = fmt.Sprintf("%s=%s:%d", killInOpEnv, kind, n)
				case "before":
					v = killBeforeEnv + "=1"
				case "journal":
					v = killJournalEnv + "=1"
				case "after":
					v = killAfterEnv + "=1"
				}
				runEnv = append(append([]string(nil), env...), v)
			}
			t0 := time.Now()
			r := dialtone(t, dir, runEnv, "apply", "-auto-approve", "-parallelism=4")
			if d := time.Since(t0); d > 5*time.Second {
				t.Logf("SLOW stage %s run %d mode %s %s: %s killed=%v\n%s", stage, i, mode, kind, d, r.killed, r.stderr)
			}
			f.runs++
			if r.killed {
				f.byMode[mode]++
				if mode == "in_op" && kind == "move_files" {
					if m := movedFiles.FindStringSubmatch(r.stderr); m == nil || m[1] == "0" {
						t.Fatalf("stage %s: the kill inside a move came before any file was copied:\n%s", stage, r.stderr)
					}
				}
				if mode == "in_op" {
					f.inOp[kind]++
					stageInOp[kind] = true
				}
				m++
				continue
			}
			if r.code != 0 {
				t.Fatalf("stage %s, run %d (kill %s %s): apply exited %d\nstdout:\n%s\nstderr:\n%s", stage, i+1, mode, kind, r.code, r.stdout, r.stderr)
			}
			if mm := pausedAt.FindStringSubmatch(r.stdout); mm != nil {
				// A manual step: carry it out as an admin would, confirm it, go on.
				if strings.HasSuffix(mm[1], ".recover_server") {
					mustDialtone(t, dir, env, "lab", "repair", "server", opt.fail[1])
				}
				mustDialtone(t, dir, env, "confirm", mm[1], "-who=harness")
				continue
			}
			if !strings.Contains(r.stdout, fmt.Sprintf("is at stage %q", stage)) && !strings.Contains(r.stdout, "No changes") {
				t.Fatalf("stage %s: apply ended without reaching it:\n%s", stage, r.stdout)
			}
			if kind != "" && kind != "any" {
				stageInOp[kind] = true // not in what was left of the stage
			}
			break
		}
		if stage == config.StageDialTone {
			mustDialtone(t, dir, env, "lab", "deliver", "-database=DTDB01", "-count=8")
			accepted += 8
		}
	}

	// Converged: nothing left to do.
	if r := dialtone(t, dir, env, "plan", "-detailed-exitcode"); r.code != 0 {
		t.Errorf("plan -detailed-exitcode after the recovery exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The state matches the lab: a refresh finds nothing changed outside dialtone.
	before, err := be.open(t, dir).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustDialtone(t, dir, env, "refresh")
	after, err := be.open(t, dir).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := planner.DetectDrift(before, after, planner.DriftOptions{}); len(d) > 0 {
		t.Errorf("the state drifted from the lab: a refresh found %+v", d)
	}
	for _, d := range []struct {
		what string
		a, b any
	}{{"mailboxes", before.Mailboxes, after.Mailboxes}, {"servers", before.Servers, after.Servers}} {
		if !reflect.DeepEqual(d.a, d.b) {
			t.Errorf("the state's %s drifted from the lab: a refresh changed them", d.what)
		}
	}
	rec := after.Recoveries["db01-outage"]
	if rec == nil || rec.Stage != config.StageComplete {
		t.Fatalf("recovery not complete in the state: %+v", rec)
	}
	for id, s := range rec.Steps {
		if s == nil || s.ID != id || s.Result == "" {
			t.Errorf("step %s is recorded badly: %+v", id, s)
		}
		f.steps = append(f.steps, id)
	}
	sort.Strings(f.steps)

	// Every accepted message in its owner's mailbox exactly once.
	l, err := lab.Open(filepath.Join(dir, "lab"), lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	v, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	f.lost, f.doubled, f.accepted = len(v.Missing), len(v.Duplicated), accepted
	if !v.OK() {
		t.Errorf("lab verify: %d missing %v, %d duplicated %v, %d still queued %v, %d unexpected %v",
			len(v.Missing), v.Missing, len(v.Duplicated), v.Duplicated, len(v.Queued), v.Queued, len(v.Unexpected), v.Unexpected)
	}
	return f
}
