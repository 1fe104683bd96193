package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// stepRow is one finished (or failed) step, for the drill's table.
type stepRow struct {
	ID       string
	Stage    string
	Duration time.Duration
	Result   string
}

// applyView renders apply progress: one line per step start and finish; merge steps,
// which can number in the thousands, are summarised every mergeEvery steps or every
// tenth of them, whichever is more (about ten lines for 12,000 mailboxes), unless
// verbose (DIALTONE_LOG set). Its methods are called from several goroutines.
type applyView struct {
	planner.NopHooks

	w       io.Writer
	c       *cli
	verbose bool

	mu             sync.Mutex
	done           int
	skipped        int
	failed         int
	mergeTotal     map[string]int // recovery -> merge steps in the plan
	mergeDone      map[string]int
	mergeSkip      map[string]int
	mergeAnnounced map[string]bool
	rows           []stepRow
	recoveries     []string
}

const mergeEvery = 10

func newApplyView(c *cli, p *planner.Plan, verbose bool) *applyView {
	v := &applyView{w: c.stdout, c: c, verbose: verbose,
		mergeTotal: map[string]int{}, mergeDone: map[string]int{}, mergeSkip: map[string]int{}, mergeAnnounced: map[string]bool{}}
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

func isMerge(s *planner.Step) bool { return s.Operation.Kind == providers.OpMergeMailbox }

func (v *applyView) PreStep(s *planner.Step) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.c.log.Debug("step starting", "step", s.ID, "operation", string(s.Operation.Kind))
	if isMerge(s) && !v.verbose {
		if !v.mergeAnnounced[s.Recovery] {
			v.mergeAnnounced[s.Recovery] = true
			fmt.Fprintf(v.w, "recovery.%s: merging %d mailboxes from the recovery database...\n", s.Recovery, v.mergeTotal[s.Recovery])
		}
		return
	}
	fmt.Fprintf(v.w, "%s: %s...\n", s.ID, s.Summary)
}

func (v *applyView) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
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
	v.rows = append(v.rows, stepRow{ID: s.ID, Stage: s.Stage, Duration: d, Result: result})
	v.c.log.Debug("step finished", "step", s.ID, "result", result, "elapsed", d, "detail", res.Detail, "error", err)

	if err != nil {
		fmt.Fprintf(v.w, "%s: %s after %s: %v\n", s.ID, v.c.paint(red, "failed"), fmtDur(d), err)
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
		if every := max(mergeEvery, (total+9)/10); n%every == 0 || n == total {
			fmt.Fprintf(v.w, "recovery.%s: merges %d/%d finished (%d skipped: not in the recovery database)\n",
				s.Recovery, n, total, v.mergeSkip[s.Recovery])
		}
		return
	}
	fmt.Fprintf(v.w, "%s: %s (%s%s)\n", s.ID, result, fmtDur(d), detail)
}

// doneCount is how many steps of this run finished (done or skipped).
func (v *applyView) doneCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.done + v.skipped
}

// complete prints the closing line of a successful apply.
func (v *applyView) complete(st *state.State) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.w, "\n%s %d steps done, %d skipped.", v.c.paint(green, "Apply complete!"), v.done, v.skipped)
	for _, r := range v.recoveries {
		stage := ""
		if rs := st.Recoveries[r]; rs != nil {
			stage = rs.Stage
		}
		fmt.Fprintf(v.w, " recovery.%s is at stage %q.", r, stage)
	}
	fmt.Fprintln(v.w)
}

// fmtDur is a duration as apply lines show it: "0.1s".
func fmtDur(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// fmtDurFine is a duration for the drill's tables, where lab steps take milliseconds.
func fmtDurFine(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
