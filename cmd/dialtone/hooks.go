package main

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/drill"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
)

// testHooks are the points where the tests change a run: set only by the init of
// test_hooks_test.go, which is compiled into the test binary alone (the end-to-end
// tests run that binary as dialtone), so that no test hook is in the release binary.
// Every field is nil there.
var testHooks struct {
	// journal wraps the journal of an apply (the crash tests kill it at chosen points).
	journal func(c *cli, j planner.Journal, b state.Backend, st *state.State) planner.Journal
	// provider wraps the provider of an apply (slow steps, a kill inside an operation).
	provider func(c *cli, p providers.Provider) providers.Provider
	// heartbeat replaces the heartbeat interval when it returns more than zero.
	heartbeat func(c *cli) time.Duration
	// backend replaces the configured backend block (the tests run against pg too).
	backend func(c *cli, be *config.Backend) *config.Backend
	// pgOptions adjusts the pg backend's options (a kill before a journal commit).
	pgOptions func(c *cli, o *pg.Options)
	// envSecrets adds the tests' own secrets from the environment.
	envSecrets func(s *secretSet, getenv func(string) string)
	// childEnv adjusts the environment of the drill's child apply (a test binary needs
	// to be told to act as dialtone).
	childEnv func(env []string) []string
}

// drillKillAfterEnv is the drill's own mechanism for its crash (internal/drill): its
// child apply kills itself (SIGKILL, as a crash: no deferred code, no flush) right after
// the Nth finished step of its run is in the journal. Nothing else sets it.
const drillKillAfterEnv = drill.KillAfterEnv

// drillKillJournal wraps the journal of the drill's child apply to kill it.
type drillKillJournal struct {
	planner.Journal
	after int64
	n     atomic.Int64
}

// newDrillKillJournal returns j, wrapped when drillKillAfterEnv is set.
func newDrillKillJournal(c *cli, j planner.Journal) planner.Journal {
	n, err := strconv.Atoi(c.getenv(drillKillAfterEnv))
	if err != nil || n <= 0 {
		return j
	}
	return &drillKillJournal{Journal: j, after: int64(n)}
}

func (k *drillKillJournal) AppendJournal(ctx context.Context, changes []state.Change) error {
	if err := k.Journal.AppendJournal(ctx, changes); err != nil {
		return err
	}
	for _, ch := range changes {
		if ch.StepDone != nil {
			if k.n.Add(1) == k.after {
				killNow()
			}
			break
		}
	}
	return nil
}

// killNow ends this process as a crash would: no deferred function, no flush.
func killNow() {
	// Process.Kill is SIGKILL on Unix (no handler, no deferred code: a real crash) and
	// TerminateProcess on Windows.
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Kill()
	}
}
