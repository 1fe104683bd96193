package main

import (
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// estimatesEnv turns the plans' estimated durations off ("off"): for output that must
// not change from run to run (the tests' goldens, a CI diff of plans).
const estimatesEnv = "DIALTONE_ESTIMATES"

// estimatePlan fills p's estimated durations from the run reports of this working
// directory (planner.Estimate: the planner stays pure, the history is loaded here).
// st gives the databases' sizes (per-GB rates); nil when unknown.
func estimatePlan(c *cli, cfg *config.Config, p *planner.Plan, st *state.State) {
	if p == nil || !p.HasChanges() || strings.EqualFold(c.getenv(estimatesEnv), "off") {
		return
	}
	planner.Estimate(p, historyOf(loadReports(c, reportStore(c, cfg))), databaseSizes(st))
}

// historyOf turns run reports into the planner's history: the steps that finished.
func historyOf(reps []*runReport) planner.History {
	var h planner.History
	for _, r := range reps {
		run := planner.HistoryRun{ID: r.ID}
		for _, s := range r.Steps {
			if s.Result != "done" && s.Result != "already_done" {
				continue
			}
			run.Steps = append(run.Steps, planner.MeasuredStep{Kind: providers.OpKind(s.Kind), Mailboxes: s.Mailboxes,
				SizeBytes: s.SizeBytes, Started: s.Started, Duration: msDur(s.DurationMS)})
		}
		if len(run.Steps) > 0 {
			h.Runs = append(h.Runs, run)
		}
	}
	return h
}

func databaseSizes(st *state.State) map[string]int64 {
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
