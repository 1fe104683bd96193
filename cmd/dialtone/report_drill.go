package main

import (
	"fmt"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/drill"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
)

// cmdDrillReported runs a drill and writes its run report: every stage's steps, the
// outage windows as measured and what the lab's ledger says of the mail. The report
// goes beside the working directory's own state (the drill's folder is wiped), so
// that plans estimate from drills too.
func cmdDrillReported(c *cli, args []string) int {
	code := cmdDrill(c, args)
	if c.record.Empty() {
		return code
	}
	result := "passed"
	var runErr error
	if code != exitOK {
		result = "failed"
		runErr = fmt.Errorf("the drill failed (exit status %d); its lab and state are kept in %s", code, drillDir)
	}
	rep := c.record.Report("drill", result, runErr)
	name, _ := splitPositional(args)
	cfg, _ := config.Load(c.dir, config.LoadOptions{Limits: c.limits.Config}) // for where the state lives; diagnostics were shown by the drill
	if name == "" && cfg != nil {
		if d, _, err := drill.Pick(cfg, ""); err == nil {
			name = d.Name
		}
	}
	rep.Drill = name
	if err := runreport.Save(c.ctx, reportStore(c, cfg), rep, c.secrets.Scrub); err != nil {
		views.DrillReport(c.streams(), "", err)
		return code
	}
	views.DrillReport(c.streams(), rep.ID, nil)
	return code
}
