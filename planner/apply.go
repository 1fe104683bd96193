package planner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Apply carries out p through prov, step by step in plan order, and records every
// finished step: first in j (when not nil), then in st. It never re-plans.
//
//   - A plan with failed preconditions, or made from a state of another lineage, is
//     refused before anything runs.
//   - Steps already recorded in st are skipped, so a second Apply after a failure or a
//     crash resumes at the step that did not finish.
//   - A manual step not yet confirmed stops the walk with a *ManualStepError that says
//     what to do by hand; a step recorded as confirmed (see Confirm) counts as done.
//   - Before each step, its preconditions that carry a Check are asked again of the
//     provider when it implements providers.Checker; a failed one stops the walk with a
//     *PreconditionError naming the step, the check and the fix.
//   - Consecutive parallel steps (merges) run concurrently, each once its dependencies
//     are done, at most opts.Parallelism at a time.
//   - When a step fails, no new step starts; running ones finish (and are recorded) and
//     Apply returns an error naming the failed step and the provider's error.
//
// Journal records are decided and queued in order under one mutex; parallel steps that
// finish together share one journal write and fsync (group commit, journal_group.go),
// and a step's changes reach the in-memory state only after its record is durable. Hooks are called from the goroutine that runs the step (see
// Hooks).
func Apply(ctx context.Context, p *Plan, prov providers.Provider, st *state.State, j Journal, hooks Hooks, opts ApplyOptions) error {
	switch {
	case p == nil:
		return errors.New("apply: no plan")
	case prov == nil:
		return errors.New("apply: no provider")
	case st == nil:
		return errors.New("apply: no state")
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		return fmt.Errorf("the plan has failed preconditions; nothing was changed:\n  %s", strings.Join(failed, "\n  "))
	}
	if p.Lineage != "" && st.Lineage != p.Lineage {
		return fmt.Errorf("the plan was made from state lineage %s, but this state is lineage %s; nothing was changed", p.Lineage, st.Lineage)
	}
	for _, s := range p.Steps {
		if s == nil {
			return errors.New("apply: the plan holds an empty step; make the plan again")
		}
	}
	if hooks == nil {
		hooks = NopHooks{}
	}
	w := &walker{prov: prov, st: st, j: newGroupJournal(j), hooks: hooks, par: opts.Parallelism, now: opts.Now,
		inPlan: make(map[string]bool, len(p.Steps)), done: make(map[string]bool, len(p.Steps)),
		remaining: map[stageKey]int{}}
	if w.par <= 0 {
		w.par = 10
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.log = opts.Logger
	if w.log == nil {
		w.log = hclog.NewNullLogger()
	}
	w.log.Debug("apply starting", "steps", len(p.Steps), "lineage", p.Lineage, "serial", p.Serial, "parallelism", w.par)
	for _, s := range p.Steps {
		w.inPlan[s.ID] = true
		if r := st.Recoveries[s.Recovery]; r != nil && r.Steps[s.ID] != nil {
			w.done[s.ID] = true
			continue
		}
		w.remaining[stageKey{s.Recovery, s.Stage}]++
	}

	for i := 0; i < len(p.Steps); {
		s := p.Steps[i]
		if w.done[s.ID] {
			i++
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("apply interrupted before step %s: %w", s.ID, err)
		}
		if s.Parallel {
			end := i
			for end < len(p.Steps) && p.Steps[end].Parallel {
				end++
			}
			if err := w.runBatch(ctx, p.Steps[i:end]); err != nil {
				return err
			}
			i = end
			continue
		}
		if s.Manual {
			return manualError(s)
		}
		if dep := w.unmetDependency(s); dep != "" {
			return fmt.Errorf("step %s depends on %s, which is not done", s.ID, dep)
		}
		if err := w.exec(ctx, s); err != nil {
			return err
		}
		w.done[s.ID] = true
		i++
	}
	return nil
}

type stageKey struct{ recovery, stage string }

// walker holds one apply run. done and inPlan belong to the walking goroutine; the
// state, the journal and remaining are guarded by mu.
type walker struct {
	prov  providers.Provider
	st    *state.State
	j     *groupJournal // nil: no journal
	hooks Hooks
	par   int
	now   func() time.Time
	log   hclog.Logger

	inPlan map[string]bool
	done   map[string]bool

	mu        sync.Mutex
	remaining map[stageKey]int // steps of a recovery's stage not yet done
}

// unmetDependency returns a dependency of s that is in the plan and not done yet, or "".
// Dependencies outside the plan were done by an earlier run.
func (w *walker) unmetDependency(s *Step) string {
	for _, d := range s.DependsOn {
		if w.inPlan[d] && !w.done[d] {
			return d
		}
	}
	return ""
}

// runBatch runs a run of consecutive parallel steps, each as soon as its dependencies
// are done, at most w.par at a time, in plan order.
func (w *walker) runBatch(ctx context.Context, steps []*Step) error {
	pending := make([]*Step, 0, len(steps))
	for _, s := range steps {
		if !w.done[s.ID] {
			pending = append(pending, s)
		}
	}
	type result struct {
		s   *Step
		err error
	}
	results := make(chan result)
	running := 0
	var firstErr error
	for {
		if firstErr == nil && ctx.Err() == nil {
			kept := pending[:0]
			for _, s := range pending {
				if running < w.par && !s.Manual && w.unmetDependency(s) == "" {
					running++
					go func(s *Step) { results <- result{s, w.exec(ctx, s)} }(s)
					continue
				}
				kept = append(kept, s)
			}
			pending = kept
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		w.done[r.s.ID] = true
	}
	switch {
	case firstErr != nil:
		return firstErr
	case ctx.Err() != nil && len(pending) > 0:
		return fmt.Errorf("apply interrupted before step %s: %w", pending[0].ID, ctx.Err())
	case len(pending) > 0 && pending[0].Manual:
		return manualError(pending[0])
	case len(pending) > 0:
		return fmt.Errorf("step %s depends on %s, which is not done", pending[0].ID, w.unmetDependency(pending[0]))
	}
	return nil
}

// exec re-checks a step's preconditions, runs it through the provider and records it.
// A step that a crashed run had already started is not checked again: its own partial
// effect (files already moved, say) can be what a check now refuses, and its operation
// is idempotent, so it resumes. The start is journaled only for checked steps, so
// merges cost one journal write each.
func (w *walker) exec(ctx context.Context, s *Step) error {
	if ck, ok := w.prov.(providers.Checker); ok && hasChecks(s) && !w.wasStarted(s) {
		for i := range s.Preconditions {
			pc := &s.Preconditions[i]
			if pc.Check == nil {
				continue
			}
			if err := ck.Check(ctx, *pc.Check); err != nil {
				w.log.Debug("precondition failed at apply", "step", s.ID, "check", string(pc.Check.Kind), "error", err)
				return &PreconditionError{Step: s, Precondition: *pc, Err: err}
			}
			w.log.Trace("precondition holds", "step", s.ID, "check", string(pc.Check.Kind))
		}
		if err := w.markStarted(s); err != nil {
			return err
		}
	}
	w.hooks.PreStep(s)
	started := w.now()
	res, err := w.prov.Apply(ctx, s.Operation, func(done, total int64) { w.hooks.Progress(s, done, total) })
	finished := w.now()
	// PostStep reports the operation's outcome as it returns, before the record: the
	// progress display and the crash drills rely on that order (a kill inside the
	// journal write still shows the step's operation finished). What acknowledges a
	// step is its changes reaching the in-memory state (and so the state file), which
	// record does only after the journal write returned.
	w.hooks.PostStep(s, res, finished.Sub(started), err)
	if err != nil {
		return fmt.Errorf("step %s failed: %w", s.ID, err)
	}
	return w.record(s, res, started, finished)
}

func hasChecks(s *Step) bool {
	for _, pc := range s.Preconditions {
		if pc.Check != nil {
			return true
		}
	}
	return false
}

func (w *walker) wasStarted(s *Step) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.st.Recoveries[s.Recovery]
	if r == nil {
		return false
	}
	_, ok := r.Started[s.ID]
	return ok
}

// markStarted journals that s passed its checks and is about to run.
func (w *walker) markStarted(s *Step) error {
	c := state.Change{StepStarted: &state.StepStarted{Recovery: s.Recovery, ID: s.ID, Started: w.now()}}
	if w.j != nil {
		w.mu.Lock()
		wait := w.j.enqueue([]state.Change{c})
		w.mu.Unlock()
		if err := wait(); err != nil {
			return fmt.Errorf("step %s could not be recorded as started: %w", s.ID, err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.st.ApplyChange(c)
	return nil
}

// record journals a finished step's changes, then applies them to the state. The
// stage mark rides with the last step of a stage, so a crash can never leave a stage
// raised without its steps, or its steps recorded without the stage.
//
// The changes are decided and queued under w.mu (so the journal holds them in that
// order), then the mutex is released while the record is made durable, so that other
// parallel steps finishing meanwhile join the same write (group commit). Only then are
// the changes applied to the state. Parallel steps are merges, whose effects do not
// depend on each other's, so deciding one before another's is applied is safe.
func (w *walker) record(s *Step, res providers.Result, started, finished time.Time) error {
	w.mu.Lock()
	changes := effects(s, res, w.st, started, finished)
	key := stageKey{s.Recovery, s.Stage}
	if w.remaining[key]--; w.remaining[key] == 0 {
		changes = append(changes, state.Change{Stage: &state.StageMark{Recovery: s.Recovery, Stage: s.Stage}})
	}
	w.log.Trace("journal step", "step", s.ID, "changes", len(changes))
	var wait func() error
	if w.j != nil {
		wait = w.j.enqueue(changes)
	}
	w.mu.Unlock()
	if wait != nil {
		if err := wait(); err != nil {
			w.mu.Lock()
			w.remaining[key]++
			w.mu.Unlock()
			return fmt.Errorf("step %s finished but could not be recorded: %w", s.ID, err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range changes {
		w.st.ApplyChange(c)
	}
	return nil
}

// ManualStepError stops Apply at a manual step that is not confirmed yet: a person does
// it, then records it with "dialtone confirm ID" (Confirm) and applies again.
type ManualStepError struct {
	Step *Step
}

// Error says exactly what a person has to do, and how to go on.
func (e *ManualStepError) Error() string {
	s := e.Step
	var b strings.Builder
	fmt.Fprintf(&b, "step %s is manual: the provider cannot carry it out.\n", s.ID)
	what := s.Operation.Instructions
	if what == "" {
		what = s.Summary
	}
	fmt.Fprintf(&b, "Do this by hand: %s\n", what)
	if len(s.Commands) > 0 {
		b.WriteString("Commands:\n")
		for _, c := range s.Commands {
			b.WriteString("  " + c + "\n")
		}
	}
	fmt.Fprintf(&b, "Then record it with \"dialtone confirm %s\" and run \"dialtone apply\" again.", s.ID)
	return b.String()
}

func manualError(s *Step) error { return &ManualStepError{Step: s} }

// PreconditionError stops Apply when a precondition re-checked right before its step
// no longer holds (the world moved since the plan).
type PreconditionError struct {
	Step         *Step
	Precondition Precondition
	Err          error // what the provider found
}

func (e *PreconditionError) Error() string {
	msg := fmt.Sprintf("step %s: precondition failed at apply: %s: %v", e.Step.ID, e.Precondition.Description, e.Err)
	if e.Precondition.Fix != "" {
		msg += ". " + e.Precondition.Fix
	}
	return msg + " Nothing of this step was changed; fix it and run \"dialtone apply\" again."
}

func (e *PreconditionError) Unwrap() error { return e.Err }
