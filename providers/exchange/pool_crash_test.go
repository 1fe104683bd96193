package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// killer stops every every-th operation 0 to 6 ms after it starts, as a crash
// would: its context is canceled, which kills the PowerShell process of the request
// under way (a session of the pool dies in the middle of a cmdlet, or between two).
// The same operation is killed at most maxKillsInARow times running: a step made of
// two operations could otherwise meet the kill on its second one at every attempt
// (the count's parity repeats when a loaded machine lets every timer fire), a crash
// loop no real failure makes, and the stage would never be reached.
type killer struct {
	exchangeProvider
	n, kills atomic.Int64
	every    int64
	off      atomic.Bool
	inARow   sync.Map // operation -> kills running
	// handOvers counts the kills just before the hand-over of a recovery database
	// (its dismount after the merge, so that the next recovery can mount its own):
	// the first of each is killed before it starts, after the recovery's last merge.
	handOvers atomic.Int64
	handedOff sync.Map
}

func (k *killer) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	if op.Kind == providers.OpDismountDatabase && strings.HasPrefix(op.Database, "RDB") && !k.off.Load() {
		if _, seen := k.handedOff.LoadOrStore(op.Database, true); !seen {
			k.handOvers.Add(1)
			return providers.Result{}, errors.New("killed after the last merge, before the dismount of " + op.Database)
		}
	}
	n := k.n.Add(1)
	key := fmt.Sprintf("%+v", op)
	if k.off.Load() || n%k.every != 0 || k.killedInARow(key) >= maxKillsInARow {
		k.inARow.Delete(key)
		return k.exchangeProvider.Apply(ctx, op, progress)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(time.Duration(n%4)*2*time.Millisecond, cancel)
	defer timer.Stop()
	res, err := k.exchangeProvider.Apply(ctx, op, progress)
	if ctx.Err() != nil {
		k.kills.Add(1)
		k.inARow.Store(key, k.killedInARow(key)+1)
		if err == nil {
			err = errors.New("killed after the operation returned, before apply heard of it")
		}
		return providers.Result{}, err
	}
	k.inARow.Delete(key)
	return res, err
}

const maxKillsInARow = 3

func (k *killer) killedInARow(key string) int {
	if v, ok := k.inARow.Load(key); ok {
		return v.(int)
	}
	return 0
}

// TestSessionsKilledDuringSiteFailure is examples/site-failure through the pool of
// sessions (-parallelism 10: the three recoveries' steps side by side), with sessions
// killed in the middle of operations over and over in every stage, and each recovery's
// hand-over of the recovery database on EX02 killed once between its last merge and its
// dismount: each apply that fails is planned again from the state and applied again
// until the stage is reached. No step's effect is lost or done twice: every message is
// in its owner's mailbox exactly once, the lab verifies, and the organization read
// through the provider agrees with the lab with nothing left to plan.
//
// A plan made after the kill between a merge and its hand-over used to fail its
// precondition "no other recovery database is mounted on EX02 (RDB02 is)": the
// recovery whose merge was done had no step left to dismount its own recovery database
// (serializeRecoveryMounts now plans that dismount).
func TestSessionsKilledDuringSiteFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole site failure through the double, applied again after each kill")
	}
	sc := newScenario(t, "../../examples/site-failure", 3)
	l := sc.r.lab
	dbs := []string{"DB01", "DB02", "DB03"}
	for _, db := range dbs {
		sc.deliver("before the backup", db, 4)
		if err := l.Backup(db, "nightly"); err != nil {
			t.Fatal(err)
		}
		sc.deliver("after the backup", db, 2)
	}
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		sc.deliver("while EX01 is down", db, 2)
	}
	k := &killer{exchangeProvider: sc.r.prov, every: 2}
	sc.r.prov.SetParallelism(10)
	applied := 0
	killedIn := map[string]int{}
	for i, stage := range config.Stages {
		for _, rec := range sc.cfg.Recoveries {
			rec.Stage = stage
		}
		for round := 0; ; round++ {
			if round > 80 {
				t.Fatalf("stage %s not reached after %d applies", stage, round)
			}
			p := sc.plan()
			if len(p.Steps) == 0 {
				break
			}
			applied++
			before := k.kills.Load() + k.handOvers.Load()
			err := planner.Apply(context.Background(), p, k, sc.st, nil, nil, planner.ApplyOptions{Parallelism: 10})
			killedIn[stage] += int(k.kills.Load() + k.handOvers.Load() - before)
			var me *planner.ManualStepError
			if errors.As(err, &me) {
				sc.byHand(me.Step)
				changes, err := planner.Confirm(p, sc.st, me.Step.ID, "admin@test", time.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range changes {
					sc.st.ApplyChange(c)
				}
			}
		}
		if i == 0 {
			for _, db := range dbs {
				sc.deliver("on the dial tone databases", "DT"+db, 2)
			}
		}
	}
	k.off.Store(true)
	if k.kills.Load() < 3 {
		t.Errorf("only %d operations were killed", k.kills.Load())
	}
	if merged := killedIn[config.StageMerged]; merged < 1 {
		t.Errorf("no operation was killed during stage merged (by stage: %v)", killedIn)
	}
	// RDB02 and RDB01 are handed over on EX02 (RDB03, the last, is dismounted by its
	// clean-up at complete).
	if k.handOvers.Load() < 3 {
		t.Errorf("%d recovery databases were killed at their dismount, want 3", k.handOvers.Load())
	}
	t.Logf("%d operations killed in %d applies (by stage %v), %d dismounts of recovery databases killed; by hand: %v",
		k.kills.Load()+k.handOvers.Load(), applied, killedIn, k.handOvers.Load(), sc.manualDone)
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verification failed: %+v", rep)
	}
	sc.checkMessages(0)
	sc.emptyPlan()
}
