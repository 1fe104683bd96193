package planner

import "container/heap"

// simulateWalk models apply's walk of steps (none done) with slots steps at once, step
// i lasting dur[i] seconds: the walk's own graph and order (schedule), each step
// started as soon as a slot is free and the schedule gives it. It returns when each
// step ends, in seconds from the start; -1 for steps a manual step holds back. Same
// inputs, same ends: steps that end together are taken in plan order.
func simulateWalk(p *Plan, slots int, dur []float64) []float64 {
	g := buildWalkGraph(p.Steps)
	sc := newSchedule(p, g, make([]bool, len(g.steps)))
	end := make([]float64, len(g.steps))
	for i := range end {
		end[i] = -1
	}
	running := &endQueue{}
	now := 0.0
	for {
		for running.Len() < max(slots, 1) {
			i, ok := sc.next()
			if !ok {
				break
			}
			heap.Push(running, simStep{i: i, end: now + dur[i]})
		}
		if running.Len() == 0 {
			return end
		}
		s := heap.Pop(running).(simStep)
		now, end[s.i] = s.end, s.end
		sc.finished(s.i)
	}
}

type simStep struct {
	i   int
	end float64
}

// endQueue holds the running steps, the one that ends first on top.
type endQueue []simStep

func (q endQueue) Len() int { return len(q) }
func (q endQueue) Less(a, b int) bool {
	if q[a].end != q[b].end {
		return q[a].end < q[b].end
	}
	return q[a].i < q[b].i
}
func (q endQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *endQueue) Push(x any)   { *q = append(*q, x.(simStep)) }
func (q *endQueue) Pop() any {
	x := (*q)[len(*q)-1]
	*q = (*q)[:len(*q)-1]
	return x
}
