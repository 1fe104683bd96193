package exchange_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange"
	"github.com/dialtone/dialtone/providers/lab"
)

// request is one request as the double traced it (FAKESHELL_TRACE).
type request struct {
	PID        int    `json:"pid"`
	Start, End int64  // Unix nanoseconds, the modelled wait included
	Body       string `json:"body"`
}

func (r *rig) requests(t *testing.T, path string) []request {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []request
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var q request
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

// mostAtOnce is the most requests the double was running at the same moment, and the
// sessions (processes) that ran any.
func mostAtOnce(reqs []request) (most, sessions int) {
	pids := map[int]bool{}
	for _, a := range reqs {
		pids[a.PID] = true
		n := 0
		for _, b := range reqs {
			if b.Start <= a.Start && a.Start < b.End {
				n++
			}
		}
		most = max(most, n)
	}
	return most, len(pids)
}

// traced is a rig whose double models Exchange's time (a tenth of it: a dismount
// lasts 1.5 s) and traces every request.
func traced(t *testing.T, topo lab.Topology) (*rig, string) {
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	r := newRig(t, topo, 2, rigOpts{env: []string{"FAKESHELL_LATENCY=exchange", "FAKESHELL_TIME_SCALE=0.1", "FAKESHELL_TRACE=" + trace}})
	return r, trace
}

// dismountBoth dismounts DB01 and DB02 at the same time, as two steps of apply's walk.
func dismountBoth(t *testing.T, r *rig) {
	t.Helper()
	var wg sync.WaitGroup
	for _, db := range []string{"DB01", "DB02"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.prov.Apply(context.Background(), providers.Operation{Kind: providers.OpDismountDatabase, Database: db}, nil); err != nil {
				t.Errorf("dismount %s: %v", db, err)
			}
		}()
	}
	wg.Wait()
}

// dismounts are the Dismount-Database requests of the trace, by database.
func dismounts(t *testing.T, reqs []request) map[string]request {
	out := map[string]request{}
	for _, q := range reqs {
		if strings.Contains(q.Body, "Dismount-Database") {
			for _, db := range []string{"DB01", "DB02"} {
				if strings.Contains(q.Body, "'"+db+"'") {
					out[db] = q
				}
			}
		}
	}
	if len(out) != 2 {
		t.Fatalf("the double saw Dismount-Database for %v, want DB01 and DB02", out)
	}
	return out
}

// TestStepsOnDifferentDatabasesOverlap: two steps on different databases, given to the
// provider at once, run side by side in two sessions of the double (each dismount lasts
// its modelled time there), as apply's graph walk needs on Exchange. With one session
// they queue one behind the other.
func TestStepsOnDifferentDatabasesOverlap(t *testing.T) {
	r, trace := traced(t, exampleTopology)
	dismountBoth(t, r)
	d := dismounts(t, r.requests(t, trace))
	a, b := d["DB01"], d["DB02"]
	if a.PID == b.PID {
		t.Errorf("both dismounts ran in session %d", a.PID)
	}
	if !(a.Start < b.End && b.Start < a.End) {
		t.Errorf("the dismounts did not overlap: DB01 %d-%d, DB02 %d-%d", a.Start, a.End, b.Start, b.End)
	}

	// The same with one session: the double runs them one after the other.
	r, trace = traced(t, exampleTopology)
	r.prov.SetParallelism(1)
	dismountBoth(t, r)
	d = dismounts(t, r.requests(t, trace))
	a, b = d["DB01"], d["DB02"]
	if a.Start < b.End && b.Start < a.End {
		t.Errorf("with one session the dismounts overlapped: DB01 %d-%d, DB02 %d-%d", a.Start, a.End, b.Start, b.End)
	}
}

// TestPoolNeverExceedsItsSize: many reads at once never run in more sessions than the
// pool's size, in the provider's count and in the double's; -parallelism above
// MaxSessions (the throttling policy's room) is cut to it.
func TestPoolNeverExceedsItsSize(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	r := newRig(t, siteTopology(2, 3), 2, rigOpts{env: []string{"FAKESHELL_TRACE=" + trace}})
	r.prov.SetParallelism(3)
	readsAtOnce(t, r, 12)
	most, sessions := mostAtOnce(r.requests(t, trace))
	if peak := exchange.PoolPeak(r.prov); peak > 3 || most > 3 || sessions > 3 {
		t.Errorf("pool of 3: the provider had %d sessions open at once, the double ran %d requests at once in %d sessions", peak, most, sessions)
	}
	if most < 2 {
		t.Errorf("12 reads at once ran one at a time in the double (%d sessions)", sessions)
	}
	r.prov.SetParallelism(50)
	if got := exchange.PoolSize(r.prov); got != exchange.DefaultMaxSessions || got >= 18 {
		t.Errorf("-parallelism=50 gives a pool of %d, want DefaultMaxSessions (%d), below the throttling policy's 18", got, exchange.DefaultMaxSessions)
	}
}

// readsAtOnce runs n full reads at once and waits for them.
func readsAtOnce(t *testing.T, r *rig, n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.prov.Read(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestMaxSessionsBoundsThePool: with max_sessions = 20 (an account whose throttling
// policy allows more than the default), -parallelism=50 opens at most 20 sessions, in
// the provider's count and in the double's, and more than the default's 12 when as
// many requests wait; -parallelism below it still bounds the pool.
func TestMaxSessionsBoundsThePool(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	r := newRig(t, siteTopology(2, 3), 1, rigOpts{
		env:      []string{"FAKESHELL_TRACE=" + trace, "FAKESHELL_OBJECT_COST=2ms"},
		settings: func(s *exchange.Settings) { s.MaxSessions = 20 },
	})
	if got := exchange.PoolSize(r.prov); got != exchange.DefaultSessions {
		t.Errorf("before SetParallelism the pool holds %d, want %d", got, exchange.DefaultSessions)
	}
	r.prov.SetParallelism(50)
	if got := exchange.PoolSize(r.prov); got != 20 {
		t.Fatalf("-parallelism=50 with max_sessions = 20 gives a pool of %d", got)
	}
	// 30 reads at once, each lasting as its objects are serialized (FAKESHELL_OBJECT_COST):
	// they wait for sessions rather than run one after the other.
	readsAtOnce(t, r, 30)
	most, sessions := mostAtOnce(r.requests(t, trace))
	peak := exchange.PoolPeak(r.prov)
	t.Logf("max_sessions = 20, -parallelism=50: %d sessions open at most, %d requests at once in the double, %d sessions in all", peak, most, sessions)
	if peak > 20 || most > 20 || sessions > 20 {
		t.Errorf("the provider had %d sessions open at once, the double ran %d requests at once in %d sessions: more than max_sessions = 20", peak, most, sessions)
	}
	if peak <= exchange.DefaultMaxSessions {
		t.Errorf("30 waiting reads opened only %d sessions: max_sessions = 20 did not raise the default %d", peak, exchange.DefaultMaxSessions)
	}
	r.prov.SetParallelism(5)
	if got := exchange.PoolSize(r.prov); got != 5 {
		t.Errorf("-parallelism=5 with max_sessions = 20 gives a pool of %d", got)
	}
	// The walk is told the same size, so that it starts no more steps than sessions.
	for _, par := range []int{1, 5, 50} {
		r.prov.SetParallelism(par)
		if got, want := r.prov.Concurrency(par), exchange.PoolSize(r.prov); got != want {
			t.Errorf("-parallelism=%d: Concurrency says %d operations at once, the pool has %d sessions", par, got, want)
		}
	}
}

func TestSessionsIsTheSmallerBound(t *testing.T) {
	for _, c := range []struct{ par, max, want int }{
		{50, 0, exchange.DefaultMaxSessions}, {10, 0, 10}, {50, 20, 20}, {8, 20, 8}, {1, 64, 1}, {0, 0, 1},
	} {
		if got := exchange.Sessions(c.par, c.max); got != c.want {
			t.Errorf("Sessions(%d, %d) = %d, want %d", c.par, c.max, got, c.want)
		}
	}
}

// TestDeadSessionIsReplaced: a session whose process died (killed between requests)
// is not handed out again; the steps go on in another, and Close ends every process.
func TestDeadSessionIsReplaced(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	r := newRig(t, exampleTopology, 2, rigOpts{env: []string{"FAKESHELL_TRACE=" + trace}})
	r.prov.SetParallelism(1)
	ctx := context.Background()
	if _, err := r.prov.Read(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := r.requests(t, trace)
	first := reqs[len(reqs)-1].PID
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The provider reaps it (signal 0 finds a zombie until then).
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(first, 0) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the killed session was never reaped")
		}
	}
	time.Sleep(50 * time.Millisecond)
	for _, db := range []string{"DB01", "DB02"} {
		if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpDismountDatabase, Database: db}, nil); err != nil {
			t.Fatalf("dismount %s after its session died: %v", db, err)
		}
	}
	reqs = r.requests(t, trace)
	last := reqs[len(reqs)-1].PID
	if last == first {
		t.Fatalf("the requests ran in the killed session %d", first)
	}
	if err := r.prov.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(last, 0); err == nil {
		// Reaped by Close: the process must be gone.
		t.Errorf("session %d still runs after Close", last)
	}
}
