package planner

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
)

// walk runs the steps of g not done yet, each once the steps it waits for are done, at
// most w.par at a time, the ready step of the highest-priority recovery first (see
// readyQueue). See Apply for what stops it.
func (w *walker) walk(ctx context.Context, p *Plan, g *walkGraph, done []bool) error {
	sc := newSchedule(p, g, done)
	type result struct {
		i   int
		err error
	}
	results := make(chan result)
	running := 0
	stopped := false // no new start: the journal failed or ctx ended
	var errs []error
	for {
		for !stopped && running < w.par {
			if ctx.Err() != nil {
				stopped = true
				break
			}
			i, ok := sc.next()
			if !ok {
				break
			}
			running++
			go func(i int) { results <- result{i, w.exec(ctx, g.steps[i])} }(i)
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			errs = append(errs, r.err)
			var je *journalError
			if errors.As(r.err, &je) {
				stopped = true
			}
			w.log.Debug("step failed; the steps that wait for it will not start", "step", g.steps[r.i].ID, "dependents", len(sc.dependents[r.i]))
			continue
		}
		done[r.i] = true
		sc.finished(r.i)
	}

	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := ctx.Err(); err != nil {
		for i, s := range g.steps {
			if !done[i] {
				return fmt.Errorf("apply interrupted before step %s: %w", s.ID, err)
			}
		}
		return nil
	}
	if len(sc.manual) > 0 {
		for _, i := range sc.manual {
			w.log.Debug("manual step holds back its dependents", "step", g.steps[i].ID, "dependents", len(sc.dependents[i]))
		}
		q := &readyQueue{steps: g.steps, prio: sc.ready.prio, idx: sc.manual}
		sort.Sort(q)
		e := &ManualStepError{Step: g.steps[sc.manual[0]]}
		for _, i := range sc.manual[1:] {
			e.More = append(e.More, g.steps[i])
		}
		return e
	}
	for i, s := range g.steps {
		if !done[i] {
			// Cannot happen: every edge points backwards, so the walk reaches every step
			// that no failure or manual step holds back.
			return fmt.Errorf("step %s was not reached", s.ID)
		}
	}
	return nil
}

// schedule is the walk's choice of the next step, apart from running it: the walk and
// its model for estimates (simulateWalk) share it, so that an estimate orders steps
// exactly as apply does.
type schedule struct {
	steps      []*Step
	waiting    []int   // dependencies not done yet
	dependents [][]int // the reverse edges
	ready      *readyQueue
	manual     []int // manual steps reached: a person does them, then "dialtone confirm"
}

func newSchedule(p *Plan, g *walkGraph, done []bool) *schedule {
	n := len(g.steps)
	prio := make(map[string]int, len(p.Recoveries))
	for _, r := range p.Recoveries {
		prio[r.Name] = r.Priority
	}
	sc := &schedule{steps: g.steps, waiting: make([]int, n), dependents: make([][]int, n),
		ready: &readyQueue{steps: g.steps, prio: prio}}
	for i := range g.steps {
		for _, d := range g.deps[i] {
			if !done[d] {
				sc.waiting[i]++
				sc.dependents[d] = append(sc.dependents[d], i)
			}
		}
	}
	for i := range g.steps {
		if !done[i] && sc.waiting[i] == 0 {
			heap.Push(sc.ready, i)
		}
	}
	return sc
}

// next takes the ready step that goes first (see readyQueue); false: none is ready.
// A manual step reached is set aside: its dependents stay waiting.
func (sc *schedule) next() (int, bool) {
	for sc.ready.Len() > 0 {
		i := heap.Pop(sc.ready).(int)
		if sc.steps[i].Manual {
			sc.manual = append(sc.manual, i)
			continue
		}
		return i, true
	}
	return 0, false
}

// finished makes ready the steps that waited for step i only.
func (sc *schedule) finished(i int) {
	for _, d := range sc.dependents[i] {
		if sc.waiting[d]--; sc.waiting[d] == 0 {
			heap.Push(sc.ready, d)
		}
	}
}

// readyQueue orders ready steps: recovery priority (lower first), then the steps
// during which users are without service (Outage set: on the way to dial tone, or in
// the swap), then plan order. Plan order alone works a site failure's recoveries one
// after the other, each to the end of its stage (queues resubmitted, the failed
// database held) before the next one's users get dial tone; with fewer slots
// (-parallelism) than recoveries, the last users would wait for that too.
type readyQueue struct {
	steps []*Step
	prio  map[string]int
	idx   []int
}

func (q *readyQueue) Len() int { return len(q.idx) }
func (q *readyQueue) Less(a, b int) bool {
	i, j := q.idx[a], q.idx[b]
	si, sj := q.steps[i], q.steps[j]
	if pi, pj := q.prio[si.Recovery], q.prio[sj.Recovery]; pi != pj {
		return pi < pj
	}
	if di, dj := si.Outage != OutageNone, sj.Outage != OutageNone; di != dj {
		return di
	}
	return i < j
}
func (q *readyQueue) Swap(a, b int) { q.idx[a], q.idx[b] = q.idx[b], q.idx[a] }
func (q *readyQueue) Push(x any)    { q.idx = append(q.idx, x.(int)) }
func (q *readyQueue) Pop() any {
	x := q.idx[len(q.idx)-1]
	q.idx = q.idx[:len(q.idx)-1]
	return x
}

// journalError is a step that ran (or was about to) but whose record could not be
// made durable: the walk starts nothing more.
type journalError struct{ error }

func (e *journalError) Unwrap() error { return e.error }
