package planner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Apply carries out p through prov, walking its steps as a dependency graph (see
// walkgraph.go), and records every finished step: first in j (when not nil), then in st.
// It never re-plans.
//
//   - A plan with failed preconditions, or made from a state of another lineage, is
//     refused before anything runs.
//   - Steps already recorded in st are done, so a second Apply after a failure or a
//     crash resumes at the steps that did not finish.
//   - A step starts as soon as every step it waits for is done, at most
//     opts.Parallelism at a time (fewer when the provider carries out fewer at once:
//     providers.Concurrency); among ready steps the recovery with the lower
//     priority goes first, then the steps its users wait for, then plan order. With Parallelism 1 the walk is plan order
//     but for priority, one step at a time.
//   - A manual step not yet confirmed is not run: it holds back the steps that wait for
//     it, the others go on; when nothing else can run, Apply returns a
//     *ManualStepError that says what to do by hand (the first such step; More lists
//     the others). A step recorded as confirmed (see Confirm) counts as done.
//   - Before each step, its preconditions that carry a Check are asked again of the
//     provider when it implements providers.Checker; a failed one fails the step with a
//     *PreconditionError naming the step, the check and the fix.
//   - When a step fails, as in Terraform, the steps that wait for it (directly or not)
//     never start; the steps that do not go on to the end. Apply then returns the
//     errors of the failed steps (joined), each naming its step and the cause. A journal
//     that cannot be written, or ctx ending, stops every new start instead: running
//     steps finish and are recorded.
//
// Journal records are decided and queued in order under one mutex; steps that finish
// together share one journal write and fsync (group commit, journal_group.go), and a
// step's changes reach the in-memory state only after its record is durable; a step
// starts only after the steps it waits for reached the state. Hooks are called from
// the goroutine that runs the step (see Hooks).
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
	pos := make(map[string]int, len(p.Steps))
	for i, s := range p.Steps {
		if s == nil {
			return errors.New("apply: the plan holds an empty step; make the plan again")
		}
		if _, dup := pos[s.ID]; dup {
			return fmt.Errorf("apply: the plan holds step %s twice; make the plan again", s.ID)
		}
		pos[s.ID] = i
	}
	for i, s := range p.Steps {
		for _, d := range s.DependsOn {
			if j, ok := pos[d]; ok && j >= i {
				return fmt.Errorf("apply: step %s depends on %s, which does not come before it in the plan; make the plan again", s.ID, d)
			}
		}
	}
	if hooks == nil {
		hooks = NopHooks{}
	}
	w := &walker{prov: prov, st: st, j: newGroupJournal(ctx, j), hooks: hooks, par: opts.Parallelism, now: opts.Now,
		remaining: map[stageKey]int{}}
	if w.par <= 0 {
		w.par = 10
	}
	if c, ok := prov.(providers.Concurrency); ok {
		if n := c.Concurrency(w.par); n > 0 && n < w.par {
			// The provider's sessions are the real slots: the walk's ready queue fills them.
			w.par = n
		}
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.log = opts.Logger
	if w.log == nil {
		w.log = hclog.NewNullLogger()
	}
	w.log.Debug("apply starting", "steps", len(p.Steps), "lineage", p.Lineage, "serial", p.Serial, "parallelism", w.par)
	done := make([]bool, len(p.Steps))
	for i, s := range p.Steps {
		if r := st.Recoveries[s.Recovery]; r != nil && r.Steps[s.ID] != nil {
			done[i] = true
			continue
		}
		w.remaining[stageKey{s.Recovery, s.Stage}]++
	}
	// A stage mark names every step of its stage in this plan (done before or now):
	// a journal replay refuses a mark whose steps are not all recorded.
	w.stageSteps = map[stageKey][]string{}
	for _, s := range p.Steps {
		k := stageKey{s.Recovery, s.Stage}
		w.stageSteps[k] = append(w.stageSteps[k], s.ID)
	}
	if err := w.walk(ctx, p, buildWalkGraph(p.Steps), done); err != nil {
		return err
	}
	return w.forgetUnplannedStarts(p, pos)
}

// forgetUnplannedStarts journals, after a plan was carried out in full, the end of the
// start marks its recoveries still hold for steps it did not contain: steps that
// failed or were interrupted and that the plan no longer runs. Nothing resumes them, so
// nothing may keep attributing changes to them (OwnDrift): a later refresh reports
// what changed there as changed outside dialtone. Recoveries the plan did not move
// (-target) keep theirs: their next apply resumes those steps.
func (w *walker) forgetUnplannedStarts(p *Plan, planned map[string]int) error {
	var changes []state.Change
	for _, rc := range p.Recoveries {
		r := w.st.Recoveries[rc.Name]
		if r == nil {
			continue
		}
		var ids []string
		for id := range r.Started {
			if _, ok := planned[id]; !ok {
				ids = append(ids, id)
			}
		}
		for id := range r.Touching {
			if _, ok := planned[id]; !ok {
				if _, dup := r.Started[id]; !dup {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		sort.Strings(ids)
		w.log.Debug("forgetting start marks of steps the plan does not run", "recovery", rc.Name, "steps", strings.Join(ids, ", "))
		changes = append(changes, state.Change{ForgetStarted: &state.ForgetStarted{Recovery: rc.Name, IDs: ids}})
	}
	if len(changes) == 0 {
		return nil
	}
	if w.j != nil {
		if err := w.j.enqueue(changes)(); err != nil {
			return &journalError{fmt.Errorf("the start marks of steps no longer planned could not be cleared: %w", err)}
		}
	}
	for _, c := range changes {
		w.st.ApplyChange(c)
	}
	return nil
}

type stageKey struct{ recovery, stage string }

// walker holds one apply run. The state, the journal and remaining are guarded by mu;
// the walk's own bookkeeping belongs to the goroutine of walk.
type walker struct {
	prov  providers.Provider
	st    *state.State
	j     *groupJournal // nil: no journal
	hooks Hooks
	par   int
	now   func() time.Time
	log   hclog.Logger

	mu        sync.Mutex
	remaining map[stageKey]int // steps of a recovery's stage not yet done
	// stageSteps lists the plan's steps of each recovery's stage, for its stage mark.
	stageSteps map[stageKey][]string
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
	} else if !s.Parallel && !w.wasStarted(s) {
		// Every step but the merges is journaled as started before it runs, so that its
		// partial effects after an interruption are its own, not "changed outside
		// dialtone" (issue 12 §7). Merges change no object a refresh compares.
		if err := w.markStarted(s); err != nil {
			return err
		}
	}
	if err := w.markSettingsBefore(s); err != nil {
		return err
	}
	w.hooks.PreStep(s)
	started := w.now()
	res, err := w.prov.Apply(ctx, w.withRecord(s.Operation), func(done, total int64) { w.hooks.Progress(s, done, total) })
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

// withRecord gives a delete_files operation the state's record of what dialtone wrote
// on its server, and nothing else: whatever a plan carries there is replaced.
func (w *walker) withRecord(op providers.Operation) providers.Operation {
	op.Recorded = nil
	if op.Kind == providers.OpDeleteFiles {
		w.mu.Lock()
		op.Recorded = w.st.WrittenOn(op.Server)
		w.mu.Unlock()
	}
	return op
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
	c := state.Change{StepStarted: &state.StepStarted{Recovery: s.Recovery, ID: s.ID, Started: w.now(), Objects: touchedObjects(s.Operation)}}
	if w.j != nil {
		w.mu.Lock()
		wait := w.j.enqueue([]state.Change{c})
		w.mu.Unlock()
		if err := wait(); err != nil {
			return &journalError{fmt.Errorf("step %s could not be recorded as started: %w", s.ID, err)}
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.st.ApplyChange(c)
	return nil
}

// markSettingsBefore journals, before a step changes database settings, what they
// were (Step.SettingsBefore): a crash between the change and the step's record must not
// make the next plan take dialtone's own values (the failed database held) for the
// originals. The first value recorded per setting stays.
func (w *walker) markSettingsBefore(s *Step) error {
	if len(s.SettingsBefore) == 0 || s.Operation.Database == "" {
		return nil
	}
	c := state.Change{SettingsBefore: &state.SettingsBefore{Recovery: s.Recovery, Database: s.Operation.Database, Settings: s.SettingsBefore}}
	if w.j != nil {
		w.mu.Lock()
		wait := w.j.enqueue([]state.Change{c})
		w.mu.Unlock()
		if err := wait(); err != nil {
			return fmt.Errorf("step %s: the settings it changes could not be recorded: %w", s.ID, err)
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
// steps finishing meanwhile join the same write (group commit). Only then are the
// changes applied to the state. Steps running together never name the same database
// (walkgraph.go orders those), and effects reads only the step's own database and
// restore requests, so deciding one before another's is applied is safe.
func (w *walker) record(s *Step, res providers.Result, started, finished time.Time) error {
	w.mu.Lock()
	changes := effects(s, res, w.st, started, finished)
	key := stageKey{s.Recovery, s.Stage}
	if w.remaining[key]--; w.remaining[key] == 0 {
		changes = append(changes, state.Change{Stage: &state.StageMark{Recovery: s.Recovery, Stage: s.Stage, Steps: w.stageSteps[key]}})
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
			return &journalError{fmt.Errorf("step %s finished but could not be recorded: %w", s.ID, err)}
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
	// More are the other manual steps the walk reached, in the order Step was chosen
	// (priority, then plan order); each also waits for its confirm.
	More []*Step
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
	for _, m := range e.More {
		fmt.Fprintf(&b, "\nAlso waiting for a person: %s (%s).", m.ID, m.Summary)
	}
	return b.String()
}

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
