package views

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Apply is the view of "dialtone apply" (and of the drill's applies): the walk's
// progress as planner.Hooks, then how the run ended. NewApply gives the human view
// (step lines, live progress) or the JSON one (one event per line, events.go).
//
// Human, lines mode: one line per step start and finish on stdout; merge steps, which
// can number in the thousands, are summarised every mergeEvery steps or every tenth of
// them, whichever is more (about ten lines for 12,000 mailboxes), unless verbose. On
// top of the lines, live progress: a progress bar on a terminal, plain heartbeat lines
// when there is none (live.go).
type Apply interface {
	planner.Hooks
	// Plan shows a fresh plan before it is approved (JSON: nothing; the events follow).
	Plan(p *planner.Plan) error
	// NoChanges ends a run with nothing to do; fromFile: a saved plan was given (a fresh
	// plan shown by Plan already said so).
	NoChanges(fromFile bool)
	// Start opens the walk's output (and its live progress) as the walk starts.
	Start()
	// Stop ends the live progress; safe to call more than once.
	Stop()
	// DoneCount is how many steps of this run finished (done or skipped).
	DoneCount() int
	// Complete closes a run that reached every stage; report is its run report's ID.
	Complete(st *state.State, report string)
	// Paused says what a person must do at each manual step the walk waits for.
	Paused(steps []*planner.Step, report string)
	// Interrupted says what the stop by Ctrl-C left: who is without service, what
	// runs next (st is the state written after the stop, path where).
	Interrupted(p *planner.Plan, st *state.State, path, message, report string)
	// PreconditionFailed names the step, the check that failed and what to change.
	PreconditionFailed(e *planner.PreconditionError, message, report string)
	// Failed reports any other stop.
	Failed(message, report string)
}

// ApplyOptions choose an apply view.
type ApplyOptions struct {
	JSON    bool
	Verbose bool // every merge on its own line (DIALTONE_LOG set)
	// Live makes the live progress of the human view when the walk starts (Start); nil
	// for lines only.
	Live func() LiveProgress
	// PlanText renders a plan for people (render.Text with the colour decision).
	PlanText func(p *planner.Plan) error
}

// NewApply returns the apply view of p.
func NewApply(s Streams, p *planner.Plan, o ApplyOptions) Apply {
	w := &applyWalk{s: s, verbose: o.Verbose, runStart: time.Now(), planText: o.PlanText, newLive: o.Live,
		mergeTotal: map[string]int{}, mergeDone: map[string]int{}, mergeSkip: map[string]int{}, mergeAnnounced: map[string]bool{},
		running: map[string]*runningStep{}}
	if o.JSON {
		w.out = &applyJSON{events: newEventWriter(s.Out)}
	} else {
		w.out = &applyHuman{s: s}
	}
	for _, st := range p.Steps {
		if isMerge(st) {
			w.mergeTotal[st.Recovery]++
		}
	}
	for _, r := range p.Recoveries {
		w.recoveries = append(w.recoveries, r.Name)
	}
	sort.Strings(w.recoveries)
	return w
}

// applyOutput is what the human and JSON apply views print; applyWalk keeps the
// counts both need. Called with the walk's mutex held.
type applyOutput interface {
	stepStarted(s *planner.Step)
	mergesStarted(recovery string, total int)
	progress(s *planner.Step, done, total int64, elapsed time.Duration, event bool)
	stepFailed(s *planner.Step, d time.Duration, err error)
	stepFinished(s *planner.Step, result, eventResult string, d time.Duration, detail, rawDetail string)
	mergesProgress(recovery string, n, total, skipped int, elapsed time.Duration)
	mergesFinished(recovery string, n, total int)
	complete(done, skipped int, elapsed time.Duration, stages map[string]string, recoveries []string, report string)

	plan(w *applyWalk, p *planner.Plan) error
	noChanges(fromFile bool)
	start(live LiveProgress)
	paused(steps []*planner.Step, done int, report string)
	failed(step, message, report string)
}

// applyWalk is the apply view: the walk's bookkeeping (counts, merges, running steps)
// and the output it goes to. Hooks are called from several goroutines (parallel
// merges): every method takes mu.
type applyWalk struct {
	s        Streams
	out      applyOutput
	live     LiveProgress // human only; nil: lines only
	verbose  bool
	planText func(p *planner.Plan) error
	newLive  func() LiveProgress

	mu             sync.Mutex
	runStart       time.Time
	done           int
	skipped        int
	failed         int
	mergeTotal     map[string]int // recovery -> merge steps in the plan
	mergeDone      map[string]int
	mergeSkip      map[string]int
	mergeAnnounced map[string]bool
	recoveries     []string
	running        map[string]*runningStep
	stopTicker     chan struct{}
}

// runningStep is a step whose operation is under way.
type runningStep struct {
	s           *planner.Step
	start       time.Time
	done, total int64
	lastEvent   time.Time
}

const mergeEvery = 10

func isMerge(s *planner.Step) bool { return s.Operation.Kind == providers.OpMergeMailbox }

// mergeKey names the progress unit of a recovery's merges: one bar for all of them.
func mergeKey(recovery string) string { return "recovery." + recovery + ".merges" }

func (v *applyWalk) PreStep(s *planner.Step) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.running[s.ID] = &runningStep{s: s, start: time.Now()}
	v.startTicker()
	if isMerge(s) && !v.verbose {
		if !v.mergeAnnounced[s.Recovery] {
			v.mergeAnnounced[s.Recovery] = true
			v.out.mergesStarted(s.Recovery, v.mergeTotal[s.Recovery])
		}
		return
	}
	v.out.stepStarted(s)
}

func (v *applyWalk) Progress(s *planner.Step, done, total int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := v.running[s.ID]
	if r == nil {
		return
	}
	r.done, r.total = done, total
	if isMerge(s) && !v.verbose {
		return // merges show as one bar of mailboxes
	}
	// At most one progress event a second per step, and the last one.
	now := time.Now()
	event := now.Sub(r.lastEvent) >= time.Second || done >= total
	if event {
		r.lastEvent = now
	}
	v.out.progress(s, done, total, now.Sub(r.start), event)
}

func (v *applyWalk) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.running, s.ID)
	result := "done"
	switch {
	case err != nil:
		result = "failed"
		v.failed++
	case res.Skipped:
		result = "skipped"
		v.skipped++
	default:
		v.done++
	}
	if err != nil {
		v.out.stepFailed(s, d, err)
		return
	}
	detail := ""
	if res.Detail != "" {
		detail = ", " + res.Detail
	}
	if res.AlreadyDone {
		detail += ", already in place"
	}
	if isMerge(s) && !v.verbose {
		if res.Skipped {
			v.mergeSkip[s.Recovery]++
		}
		v.mergeDone[s.Recovery]++
		n, total := v.mergeDone[s.Recovery], v.mergeTotal[s.Recovery]
		if v.live != nil {
			v.live.set(mergeKey(s.Recovery), int64(n), int64(total))
		}
		if every := max(mergeEvery, (total+9)/10); n%every == 0 || n == total {
			v.out.mergesProgress(s.Recovery, n, total, v.mergeSkip[s.Recovery], time.Since(v.runStart))
		}
		if n == total {
			v.out.mergesFinished(s.Recovery, n, total)
		}
		return
	}
	eventResult := result
	if res.AlreadyDone {
		eventResult = "already_done"
	}
	v.out.stepFinished(s, result, eventResult, d, detail, res.Detail)
}

func (v *applyWalk) DoneCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.done + v.skipped
}

func (v *applyWalk) Plan(p *planner.Plan) error {
	return v.out.plan(v, p)
}

func (v *applyWalk) NoChanges(fromFile bool) { v.out.noChanges(fromFile) }

func (v *applyWalk) Start() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.runStart = time.Now()
	if v.newLive != nil {
		v.live = v.newLive()
	}
	v.out.start(v.live)
}

func (v *applyWalk) Complete(st *state.State, report string) {
	v.Stop()
	v.mu.Lock()
	defer v.mu.Unlock()
	stages := map[string]string{}
	for _, r := range v.recoveries {
		if rs := st.Recoveries[r]; rs != nil {
			stages[r] = rs.Stage
		}
	}
	v.out.complete(v.done, v.skipped, time.Since(v.runStart), stages, v.recoveries, report)
}

func (v *applyWalk) Paused(steps []*planner.Step, report string) {
	v.out.paused(steps, v.DoneCount(), report)
}

func (v *applyWalk) Interrupted(p *planner.Plan, st *state.State, path, message, report string) {
	v.out.failed("", "apply interrupted: "+message, report)
	writeInterrupted(v.s, p, st, path, v.DoneCount())
}

func (v *applyWalk) PreconditionFailed(e *planner.PreconditionError, message, report string) {
	v.out.failed(e.Step.ID, message, report)
	writePreconditionStop(v.s, e)
}

func (v *applyWalk) Failed(message, report string) { v.out.failed("", message, report) }

// startTicker starts, once, the goroutine that keeps the live progress moving (the
// elapsed time on the bar, the heartbeat lines). Called with mu held.
func (v *applyWalk) startTicker() {
	if v.live == nil || v.stopTicker != nil {
		return
	}
	v.stopTicker = make(chan struct{})
	stop := v.stopTicker
	every := v.live.tick()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				v.mu.Lock()
				v.live.update(now, v.runStart, v.snapshot())
				v.mu.Unlock()
			}
		}
	}()
}

// snapshot lists the running steps, oldest first; merges as one entry per recovery.
// Called with mu held.
func (v *applyWalk) snapshot() []runningStep {
	var out []runningStep
	merges := map[string]bool{}
	for _, r := range v.running {
		if isMerge(r.s) && !v.verbose {
			if merges[r.s.Recovery] {
				continue
			}
			merges[r.s.Recovery] = true
			out = append(out, runningStep{s: &planner.Step{ID: mergeKey(r.s.Recovery)}, start: r.start,
				done: int64(v.mergeDone[r.s.Recovery]), total: int64(v.mergeTotal[r.s.Recovery])})
			continue
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

func (v *applyWalk) Stop() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.stopTicker != nil {
		close(v.stopTicker)
		v.stopTicker = nil
	}
	if v.live != nil {
		v.live.clear()
	}
}

// applyHuman prints apply for people.
type applyHuman struct {
	s    Streams
	live LiveProgress
}

// line prints one line, keeping the live progress out of its way.
func (h *applyHuman) line(format string, args ...any) {
	if h.live != nil {
		h.live.clear()
	}
	fmt.Fprintf(h.s.Out, format, args...)
	if h.live != nil {
		h.live.printed()
	}
}

func (h *applyHuman) stepStarted(s *planner.Step) {
	h.line("%s: %s...\n", s.ID, s.Summary)
	if h.live != nil && !isMerge(s) {
		h.live.start(s.ID, s.ID, -1)
	}
}

func (h *applyHuman) mergesStarted(recovery string, total int) {
	h.line("recovery.%s: merging %d mailboxes from the recovery database...\n", recovery, total)
	if h.live != nil {
		h.live.start(mergeKey(recovery), fmt.Sprintf("recovery.%s merges", recovery), int64(total))
	}
}

func (h *applyHuman) progress(s *planner.Step, done, total int64, _ time.Duration, _ bool) {
	if h.live != nil {
		h.live.set(s.ID, done, total)
	}
}

func (h *applyHuman) stepFailed(s *planner.Step, d time.Duration, err error) {
	h.line("%s: %s after %s: %v\n", s.ID, h.s.paint(red, "failed"), durfmt.Short(d), err)
	if h.live != nil {
		h.live.finish(s.ID)
	}
}

func (h *applyHuman) stepFinished(s *planner.Step, result, _ string, d time.Duration, detail, _ string) {
	h.line("%s: %s (%s%s)\n", s.ID, result, durfmt.Short(d), detail)
	if h.live != nil {
		h.live.finish(s.ID)
	}
}

func (h *applyHuman) mergesProgress(recovery string, n, total, skipped int, _ time.Duration) {
	h.line("recovery.%s: merges %d/%d finished (%d skipped: not in the recovery database)\n", recovery, n, total, skipped)
}

func (h *applyHuman) mergesFinished(recovery string, _, _ int) {
	if h.live != nil {
		h.live.finish(mergeKey(recovery))
	}
}

func (h *applyHuman) complete(done, skipped int, _ time.Duration, stages map[string]string, recoveries []string, report string) {
	w := h.s.Out
	fmt.Fprintf(w, "\n%s %d steps done, %d skipped.", h.s.paint(green, "Apply complete!"), done, skipped)
	for _, r := range recoveries {
		fmt.Fprintf(w, " recovery.%s is at stage %q.", r, stages[r])
	}
	fmt.Fprintln(w)
	if report != "" {
		fmt.Fprintf(w, "Run report: dialtone report %s\n", report)
	}
}

func (h *applyHuman) plan(v *applyWalk, p *planner.Plan) error { return v.planText(p) }

func (h *applyHuman) noChanges(fromFile bool) {
	if fromFile {
		// A fresh plan was rendered, and it already says so.
		fmt.Fprintln(h.s.Out, "\nNo changes. Every recovery is at its requested stage.")
	}
}

func (h *applyHuman) start(live LiveProgress) {
	h.live = live
	fmt.Fprintln(h.s.Out)
}

func (h *applyHuman) paused(steps []*planner.Step, done int, _ string) {
	writeManualPause(h.s, steps[0], done)
	for _, m := range steps[1:] {
		fmt.Fprintf(h.s.Out, "\nAlso waiting for a person: %s (%s); \"dialtone confirm %s\" once it is done.\n", m.ID, m.Summary, m.ID)
	}
}

func (h *applyHuman) failed(string, string, string) {}

// applyJSON streams apply as events.
type applyJSON struct{ events *eventWriter }

func (j *applyJSON) stepStarted(s *planner.Step) {
	j.events.send(Event{Type: EvStepStarted, Step: s.ID, Summary: s.Summary, Phase: string(s.Phase), Mailboxes: s.Mailboxes})
}

func (j *applyJSON) mergesStarted(recovery string, total int) {
	j.events.send(Event{Type: EvStepStarted, Step: mergeKey(recovery), Summary: fmt.Sprintf("Merge %d mailboxes", total), Total: int64(total)})
}

func (j *applyJSON) progress(s *planner.Step, done, total int64, elapsed time.Duration, event bool) {
	if event {
		j.events.send(eventOf(EvProgress, s.ID, done, total, elapsed))
	}
}

func eventOf(typ, step string, done, total int64, elapsed time.Duration) Event {
	return Event{Type: typ, Step: step, Done: done, Total: total, ElapsedMS: durfmt.MS(elapsed)}
}

func (j *applyJSON) stepFailed(s *planner.Step, d time.Duration, err error) {
	j.events.send(Event{Type: EvStepFinished, Step: s.ID, Result: "failed", ElapsedMS: durfmt.MS(d), Error: err.Error()})
}

func (j *applyJSON) stepFinished(s *planner.Step, _, result string, d time.Duration, _, detail string) {
	j.events.send(Event{Type: EvStepFinished, Step: s.ID, Result: result, ElapsedMS: durfmt.MS(d), Detail: detail})
}

func (j *applyJSON) mergesProgress(recovery string, n, total, _ int, elapsed time.Duration) {
	j.events.send(eventOf(EvProgress, mergeKey(recovery), int64(n), int64(total), elapsed))
}

func (j *applyJSON) mergesFinished(recovery string, n, total int) {
	j.events.send(Event{Type: EvStepFinished, Step: mergeKey(recovery), Result: "done", Done: int64(n), Total: int64(total)})
}

func (j *applyJSON) complete(done, skipped int, elapsed time.Duration, stages map[string]string, _ []string, report string) {
	j.events.send(Event{Type: EvApplyComplete, Result: "complete", Done: int64(done), Skipped: skipped, ElapsedMS: durfmt.MS(elapsed), Stages: stages, Report: report})
}

func (j *applyJSON) plan(*applyWalk, *planner.Plan) error { return nil }

func (j *applyJSON) noChanges(bool) {
	j.events.send(Event{Type: EvApplyComplete, Result: "no_changes"})
}

func (j *applyJSON) start(LiveProgress) {}

// paused sends one event per step waiting for a person: the walk pauses only what
// depends on each, so several can wait at once.
func (j *applyJSON) paused(steps []*planner.Step, _ int, report string) {
	for _, s := range steps {
		j.events.send(Event{Type: EvManualWaiting, Step: s.ID, Summary: s.Summary, Instructions: s.Operation.Instructions,
			Commands: s.Commands, Confirm: "dialtone confirm " + s.ID, Report: report})
	}
}

func (j *applyJSON) failed(step, message, report string) {
	j.events.send(Event{Type: EvError, Step: step, Message: message, Report: report})
}
