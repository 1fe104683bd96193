package main

import (
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/estimate"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// estimatesEnv turns the plans' estimated durations off ("off"): for output that must
// not change from run to run (the tests' goldens, a CI diff of plans).
const estimatesEnv = "DIALTONE_ESTIMATES"

// estimatePlan fills p's estimated durations from the run reports of this working
// directory (internal/estimate). st gives the databases' sizes; nil when unknown.
// parallelism is apply's -parallelism for the time to the last user's dial tone (0:
// not known, as for a saved plan shown).
func estimatePlan(c *cli, cfg *config.Config, p *planner.Plan, st *state.State, parallelism int, prov providers.Provider) {
	if p == nil || !p.HasChanges() || strings.EqualFold(c.getenv(estimatesEnv), "off") {
		return
	}
	estimate.Plan(p, runreport.LoadAll(c.ctx, reportStore(c, cfg), c.log), st, parallelism, prov)
}
