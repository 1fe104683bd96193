package main

import (
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// TEST-ONLY hooks: the crash tests (testdata/script/crash.txtar, crash_harness_test.go)
// kill a real apply at chosen points by setting these variables. Nothing else sets them.
//
//   - DIALTONE_TEST_KILL_AFTER_STEPS=N: SIGKILL right after the Nth finished step of
//     this run is in the journal (between steps).
//   - DIALTONE_TEST_KILL_BEFORE_STEPS=N: SIGKILL when the Nth finished step of this run
//     is about to be journaled: its effect has happened but is recorded nowhere, the
//     point where a rerun must find that the step already took effect.
const (
	killAfterEnv  = "DIALTONE_TEST_KILL_AFTER_STEPS"
	killBeforeEnv = "DIALTONE_TEST_KILL_BEFORE_STEPS"
)

// killJournal wraps the journal to kill the process at a chosen step.
type killJournal struct {
	planner.Journal
	after, before int64
	n             atomic.Int64
}

// newKillJournal returns the killing journal when a kill variable is set, else nil.
func newKillJournal(c *cli, j planner.Journal) *killJournal {
	atoi := func(name string) int64 {
		n, err := strconv.Atoi(c.getenv(name))
		if err != nil || n < 0 {
			return 0
		}
		return int64(n)
	}
	k := &killJournal{Journal: j, after: atoi(killAfterEnv), before: atoi(killBeforeEnv)}
	if k.after == 0 && k.before == 0 {
		return nil
	}
	return k
}

func (k *killJournal) AppendJournal(changes []state.Change) error {
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
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	if err := k.Journal.AppendJournal(changes); err != nil {
		return err
	}
	if step && n == k.after {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	return nil
}
