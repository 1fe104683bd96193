package runreport

import (
	"sync"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Walk collects the rows of one walk of a plan as its hooks (planner.Hooks): what each
// step did, when, how often it was tried and how much data it handled. The run keeps
// it beside its view, so that the record does not depend on what is printed. Safe for
// concurrent use (parallel steps).
type Walk struct {
	mu       sync.Mutex
	started  map[string]time.Time
	attempts map[string]int
	resumed  map[string]bool  // started by an earlier, interrupted run
	sizes    map[string]int64 // step -> size of its database, when the state knows it
	rows     []Row
}

var _ planner.Hooks = (*Walk)(nil)

// NewWalk notes what st knows before the walk of p: steps a crashed run had started (a
// retry when they run again) and database sizes (per-GB rates).
func NewWalk(p *planner.Plan, st *state.State) *Walk {
	w := &Walk{started: map[string]time.Time{}, attempts: map[string]int{}, resumed: map[string]bool{}, sizes: map[string]int64{}}
	for _, s := range p.Steps {
		if r := st.Recoveries[s.Recovery]; r != nil {
			if _, ok := r.Started[s.ID]; ok {
				w.resumed[s.ID] = true
			}
		}
		if db := st.Databases[s.Operation.Database]; db != nil && db.SizeBytes > 0 {
			w.sizes[s.ID] = db.SizeBytes
		}
	}
	return w
}

func (w *Walk) PreStep(s *planner.Step) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts[s.ID]++
	w.started[s.ID] = time.Now()
}

func (w *Walk) Progress(*planner.Step, int64, int64) {}

func (w *Walk) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	finished := time.Now()
	started, ok := w.started[s.ID]
	if !ok {
		started = finished.Add(-d)
	}
	delete(w.started, s.ID)
	row := Row{ID: s.ID, Stage: s.Stage, Duration: d, Result: "done",
		Recovery: s.Recovery, Phase: string(s.Phase), Kind: string(s.Operation.Kind), Mailboxes: s.Mailboxes,
		SizeBytes: w.sizes[s.ID], Started: started, Finished: finished, Retries: w.attempts[s.ID] - 1, Detail: res.Detail}
	switch {
	case err != nil:
		row.Result = "failed"
		row.Error = err.Error()
	case res.Skipped:
		row.Result = "skipped"
	}
	if w.resumed[s.ID] {
		row.Retries++
	}
	if res.AlreadyDone {
		row.Result = "already_done"
	}
	w.rows = append(w.rows, row)
}

// Rows are the steps that returned, in the order they did.
func (w *Walk) Rows() []Row {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Row(nil), w.rows...)
}
