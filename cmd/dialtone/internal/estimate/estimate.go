// Package estimate fills a plan's estimated durations from the run reports of its
// working directory: planner.Estimate stays pure, and this turns the reports (what ran,
// how long it took) and the state (how large each database is) into its inputs.
package estimate

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Plan fills p's estimated durations from reps; st gives the databases' sizes (per-GB
// rates), nil when unknown. parallelism is apply's -parallelism (0: none given, no time
// to the last user's dial tone) and prov, when it carries out fewer operations at once
// (providers.Concurrency), how many steps run at once under it.
func Plan(p *planner.Plan, reps []*runreport.Report, st *state.State, parallelism int, prov providers.Provider) {
	o := planner.EstimateOptions{Parallelism: parallelism}
	if c, ok := prov.(providers.Concurrency); ok {
		o.Slots = c.Concurrency
	}
	planner.EstimateWith(p, History(reps), Sizes(st), o)
}

// History turns run reports into the planner's history: the steps that finished.
func History(reps []*runreport.Report) planner.History {
	var h planner.History
	for _, r := range reps {
		run := planner.HistoryRun{ID: r.ID}
		for _, s := range r.Steps {
			if s.Result != "done" && s.Result != "already_done" {
				continue
			}
			run.Steps = append(run.Steps, planner.MeasuredStep{Kind: providers.OpKind(s.Kind), Mailboxes: s.Mailboxes,
				SizeBytes: s.SizeBytes, Started: s.Started, Duration: durfmt.FromMS(s.DurationMS)})
		}
		if len(run.Steps) > 0 {
			h.Runs = append(h.Runs, run)
		}
	}
	return h
}

// Sizes are the sizes the state knows of its databases, by name.
func Sizes(st *state.State) map[string]int64 {
	if st == nil {
		return nil
	}
	out := map[string]int64{}
	for n, db := range st.Databases {
		if db != nil && db.SizeBytes > 0 {
			out[n] = db.SizeBytes
		}
	}
	return out
}
