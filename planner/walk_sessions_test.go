package planner_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// sessionFake is a provider with a few sessions, as the exchange provider's pool: an
// operation waits for a free session, and waiting operations get one in the order they
// came. It reports its sessions (providers.Concurrency), and counts each time a step
// after dial tone took a session while a step on the way to dial tone waited for one.
type sessionFake struct {
	*plantest.Fake
	sessions int
	outage   map[string]bool // operation (JSON) -> its step is on the way to dial tone

	mu       sync.Mutex
	free     int
	queue    []*sessionWaiter
	overtook []string // steps after dial tone given a session over a waiting dial tone step
}

type sessionWaiter struct {
	outage bool
	what   string
	ch     chan struct{}
}

func newSessionFake(t *testing.T, p *planner.Plan, sessions int) *sessionFake {
	f := &sessionFake{Fake: plantest.NewFake(), sessions: sessions, free: sessions, outage: map[string]bool{}}
	f.Delay = time.Millisecond
	for _, s := range p.Steps {
		k := opKey(t, s.Operation)
		if _, dup := f.outage[k]; dup {
			t.Fatalf("two steps carry the operation of %s", s.ID)
		}
		f.outage[k] = s.Outage != planner.OutageNone
	}
	return f
}

func opKey(t *testing.T, op providers.Operation) string {
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *sessionFake) Concurrency(n int) int { return min(n, f.sessions) }

func (f *sessionFake) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	b, _ := json.Marshal(op)
	w := &sessionWaiter{outage: f.outage[string(b)], what: string(op.Kind) + " " + op.Database, ch: make(chan struct{})}
	f.mu.Lock()
	if f.free > 0 && len(f.queue) == 0 {
		f.free--
		close(w.ch)
	} else {
		f.queue = append(f.queue, w)
	}
	f.mu.Unlock()
	<-w.ch
	defer f.release()
	return f.Fake.Apply(ctx, op, progress)
}

func (f *sessionFake) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		f.free++
		return
	}
	next := f.queue[0]
	f.queue = f.queue[1:]
	if !next.outage {
		for _, w := range f.queue {
			if w.outage {
				f.overtook = append(f.overtook, next.what+" over "+w.what)
				break
			}
		}
	}
	close(next.ch)
}

// With fewer provider sessions than -parallelism and than recoveries, the walk's order
// decides who gets a session: a step after dial tone (queues resubmitted, system
// mailboxes, the failed database held) never takes a session while a step on the way
// to another recovery's dial tone waits for one. Before, the walk started
// -parallelism steps and they queued for the sessions in the order they came, so the
// first recoveries' later steps held sessions the last users were waiting for.
func TestWalkFillsTheProviderSessionsInItsOrder(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 12, 2, config.StageDialTone)
	p := planEX01LostToEX02(t, cfg, st)
	fake := newSessionFake(t, p, 3)
	if err := planner.Apply(t.Context(), p, fake, st, &plantest.Journal{}, nil, planner.ApplyOptions{Parallelism: 10}); err != nil {
		t.Fatal(err)
	}
	if len(fake.overtook) > 0 {
		t.Errorf("%d times a step after dial tone took a session while one on the way to dial tone waited, first: %s", len(fake.overtook), fake.overtook[0])
	}
	if fake.Peak() > 3 {
		t.Errorf("peak %d operations at once on 3 sessions", fake.Peak())
	}
	for name, r := range st.Recoveries {
		if r.Stage != config.StageDialTone {
			t.Errorf("%s at %q", name, r.Stage)
		}
	}
}
