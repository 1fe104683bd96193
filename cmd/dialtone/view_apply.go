package main

import (
	"fmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// applyView renders apply progress. Lines mode (the default): one line per step start
// and finish on stdout; merge steps, which can number in the thousands, are summarised
// every mergeEvery steps or every tenth of them, whichever is more (about ten lines
// for 12,000 mailboxes), unless verbose (DIALTONE_LOG set). On top of the lines, live
// progress: a progress bar on a terminal (liveBar), plain heartbeat lines when there
// is none (liveHeartbeat). JSON mode (apply -json): one event per line instead of
// everything else (events.go).
//
// Hooks are called from several goroutines (parallel merges): every method takes mu.
type applyView struct {
	w       io.Writer
	c       *cli
	verbose bool
	events  *eventWriter // JSON mode when not nil
	live    liveProgress // nil: lines only
	report  string       // the run report's ID, once written

	mu             sync.Mutex
	runStart       time.Time
	done           int
	skipped        int
	failed         int
	mergeTotal     map[string]int // recovery -> merge steps in the plan
	mergeDone      map[string]int
	mergeSkip      map[string]int
	mergeAnnounced map[string]bool
	rows           []runreport.Row
	recoveries     []string
	running        map[string]*runningStep
	attempts       map[string]int
	resumed        map[string]bool // started by an earlier, interrupted run
	sizes          map[string]int64
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

func newApplyView(c *cli, p *planner.Plan, verbose bool) *applyView {
	v := &applyView{w: c.stdout, c: c, verbose: verbose, runStart: time.Now(),
		mergeTotal: map[string]int{}, mergeDone: map[string]int{}, mergeSkip: map[string]int{}, mergeAnnounced: map[string]bool{},
		running: map[string]*runningStep{}, attempts: map[string]int{}, resumed: map[string]bool{}, sizes: map[string]int64{}}
	for _, s := range p.Steps {
		if isMerge(s) {
			v.mergeTotal[s.Recovery]++
		}
	}
	for _, r := range p.Recoveries {
		v.recoveries = append(v.recoveries, r.Name)
	}
	sort.Strings(v.recoveries)
	return v
}

// noteState records what the state knows before the walk: steps a crashed run had
// started (a retry when they run again) and database sizes (per-GB rates).
func (v *applyView) noteState(p *planner.Plan, st *state.State) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, s := range p.Steps {
		if r := st.Recoveries[s.Recovery]; r != nil {
			if _, ok := r.Started[s.ID]; ok {
				v.resumed[s.ID] = true
			}
		}
		if db := st.Databases[s.Operation.Database]; db != nil && db.SizeBytes > 0 {
			v.sizes[s.ID] = db.SizeBytes
		}
	}
}

func isMerge(s *planner.Step) bool { return s.Operation.Kind == providers.OpMergeMailbox }

// mergeKey names the progress unit of a recovery's merges: one bar for all of them.
func mergeKey(recovery string) string { return "recovery." + recovery + ".merges" }

// line prints one line of the lines mode, keeping the live progress out of its way.
func (v *applyView) line(format string, args ...any) {
	if v.events != nil {
		return
	}
	if v.live != nil {
		v.live.clear()
	}
	fmt.Fprintf(v.w, format, args...)
	if v.live != nil {
		v.live.printed()
	}
}

func (v *applyView) PreStep(s *planner.Step) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := time.Now()
	v.attempts[s.ID]++
	v.running[s.ID] = &runningStep{s: s, start: now}
	v.c.log.Debug("step starting", "step", s.ID, "operation", string(s.Operation.Kind))
	v.startTicker()
	if isMerge(s) && !v.verbose {
		if !v.mergeAnnounced[s.Recovery] {
			v.mergeAnnounced[s.Recovery] = true
			v.line("recovery.%s: merging %d mailboxes from the recovery database...\n", s.Recovery, v.mergeTotal[s.Recovery])
			v.events.send(event{Type: evStepStarted, Step: mergeKey(s.Recovery), Summary: fmt.Sprintf("Merge %d mailboxes", v.mergeTotal[s.Recovery]), Total: int64(v.mergeTotal[s.Recovery])})
			if v.live != nil {
				v.live.start(mergeKey(s.Recovery), fmt.Sprintf("recovery.%s merges", s.Recovery), int64(v.mergeTotal[s.Recovery]))
			}
		}
		return
	}
	v.line("%s: %s...\n", s.ID, s.Summary)
	v.events.send(event{Type: evStepStarted, Step: s.ID, Summary: s.Summary, Phase: string(s.Phase), Mailboxes: s.Mailboxes})
	if v.live != nil && !isMerge(s) {
		v.live.start(s.ID, s.ID, -1)
	}
}

func (v *applyView) Progress(s *planner.Step, done, total int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := v.running[s.ID]
	if r == nil {
		return
	}
	r.done, r.total = done, total
	v.c.log.Trace("step progress", "step", s.ID, "done", done, "total", total)
	if isMerge(s) && !v.verbose {
		return // merges show as one bar of mailboxes
	}
	if v.live != nil {
		v.live.set(s.ID, done, total)
	}
	// At most one progress event a second per step, and the last one.
	if now := time.Now(); now.Sub(r.lastEvent) >= time.Second || done >= total {
		r.lastEvent = now
		v.events.send(event{Type: evProgress, Step: s.ID, Done: done, Total: total, ElapsedMS: durfmt.MS(now.Sub(r.start))})
	}
}

func (v *applyView) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := v.running[s.ID]
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
	finished := time.Now()
	started := finished.Add(-d)
	if r != nil {
		started = r.start
	}
	row := runreport.Row{ID: s.ID, Stage: s.Stage, Duration: d, Result: result,
		Recovery: s.Recovery, Phase: string(s.Phase), Kind: string(s.Operation.Kind), Mailboxes: s.Mailboxes,
		SizeBytes: v.sizes[s.ID], Started: started, Finished: finished, Retries: v.attempts[s.ID] - 1, Detail: res.Detail}
	if v.resumed[s.ID] {
		row.Retries++
	}
	if res.AlreadyDone {
		row.Result = "already_done"
	}
	if err != nil {
		row.Error = err.Error()
	}
	v.rows = append(v.rows, row)
	v.c.log.Debug("step finished", "step", s.ID, "result", result, "elapsed", d, "detail", res.Detail, "error", err)

	if err != nil {
		v.line("%s: %s after %s: %v\n", s.ID, v.c.paint(red, "failed"), durfmt.Short(d), err)
		v.events.send(event{Type: evStepFinished, Step: s.ID, Result: result, ElapsedMS: durfmt.MS(d), Error: err.Error()})
		if v.live != nil {
			v.live.finish(s.ID)
		}
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
			v.line("recovery.%s: merges %d/%d finished (%d skipped: not in the recovery database)\n",
				s.Recovery, n, total, v.mergeSkip[s.Recovery])
			v.events.send(event{Type: evProgress, Step: mergeKey(s.Recovery), Done: int64(n), Total: int64(total), ElapsedMS: durfmt.MS(time.Since(v.runStart))})
		}
		if n == total {
			v.events.send(event{Type: evStepFinished, Step: mergeKey(s.Recovery), Result: "done", Done: int64(n), Total: int64(total)})
			if v.live != nil {
				v.live.finish(mergeKey(s.Recovery))
			}
		}
		return
	}
	v.line("%s: %s (%s%s)\n", s.ID, result, durfmt.Short(d), detail)
	v.events.send(event{Type: evStepFinished, Step: s.ID, Result: row.Result, ElapsedMS: durfmt.MS(d), Detail: res.Detail})
	if v.live != nil {
		v.live.finish(s.ID)
	}
}

// doneCount is how many steps of this run finished (done or skipped).
func (v *applyView) doneCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.done + v.skipped
}

// complete prints the closing line of a successful apply.
func (v *applyView) complete(st *state.State) {
	v.stop()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.events != nil {
		stages := map[string]string{}
		for _, r := range v.recoveries {
			if rs := st.Recoveries[r]; rs != nil {
				stages[r] = rs.Stage
			}
		}
		v.events.send(event{Type: evApplyComplete, Result: "complete", Done: int64(v.done), Skipped: v.skipped, ElapsedMS: durfmt.MS(time.Since(v.runStart)), Stages: stages, Report: v.report})
		return
	}
	fmt.Fprintf(v.w, "\n%s %d steps done, %d skipped.", v.c.paint(green, "Apply complete!"), v.done, v.skipped)
	for _, r := range v.recoveries {
		stage := ""
		if rs := st.Recoveries[r]; rs != nil {
			stage = rs.Stage
		}
		fmt.Fprintf(v.w, " recovery.%s is at stage %q.", r, stage)
	}
	fmt.Fprintln(v.w)
	if v.report != "" {
		fmt.Fprintf(v.w, "Run report: dialtone report %s\n", v.report)
	}
}

// startTicker starts, once, the goroutine that keeps the live progress moving (the
// elapsed time on the bar, the heartbeat lines). Called with mu held.
func (v *applyView) startTicker() {
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
func (v *applyView) snapshot() []runningStep {
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

// stop ends the live progress (the ticker, the bar). Safe to call more than once.
func (v *applyView) stop() {
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
