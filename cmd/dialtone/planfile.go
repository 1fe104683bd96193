package main

import (
	"fmt"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// savedPlan reads the plan file and computes the plan again from cfg and st (already
// refreshed by the caller): a stale file is refused with what moved, and so is a file
// that is not exactly the plan the planner gives now (planner.CompareRederived), naming
// the first differing step. It returns the plan computed again, so that what runs and
// what is shown never come from the file's text: the file only says which plan was
// reviewed. ok is false when an error was printed; then nothing was changed.
//
// settings are the privileged settings in effect, set on the plan returned for showing:
// they are the admin's own, whatever the file says.
func savedPlan(c *cli, file string, cfg *config.Config, st *state.State, caps providers.Capabilities, settings []planner.Setting) (*planner.Plan, bool) {
	again := planAgainAdvice(file)
	saved, err := planner.ReadPlanFile(c.path(file), c.limits.Plan)
	if err != nil {
		c.errorf("reading the plan file %s: %v. %s", file, err, again)
		return nil, false
	}
	// Manual steps of the plan carried out since (confirmed, or found done: a rebuilt
	// server is up) explain what they moved; the rest must be the plan as reviewed.
	done, reasons := planner.ManualProgress(saved, cfg, st)
	if len(reasons) > 0 {
		c.errorf("the plan file %s is stale: the state or configuration moved since it was made.", file)
		for _, r := range reasons {
			fmt.Fprintf(c.stderr, "  - %s\n", r)
		}
		fmt.Fprintf(c.stderr, "%s Nothing was changed.\n", again)
		return nil, false
	}
	opts, err := planner.RederiveOptions(saved)
	if err != nil {
		c.errorf("the plan file %s was not written by dialtone: %v. %s Nothing was changed.", file, err, again)
		return nil, false
	}
	fresh, diags := planner.Compute(cfg, st, caps, opts)
	if diags.HasErrors() || fresh == nil {
		writeDiags(c, cfg, diags)
		c.errorf("the plan file %s cannot be checked: the configuration and state no longer give a plan (errors above). Nothing was changed.", file)
		return nil, false
	}
	if len(done) > 0 {
		if m := planner.CompareRemaining(planner.WithoutSteps(saved, done), fresh.Steps); m != nil {
			c.errorf("the plan file %s is not the plan that this configuration and state give, once its manual steps done since are left out: %v.", file, m)
			fmt.Fprintf(c.stderr, "%s Nothing was changed.\n", again)
			return nil, false
		}
		for _, d := range done {
			fmt.Fprintf(c.stderr, "%s manual step %s of the plan file %s was carried out since it was made (%s); the rest of the file is the plan as reviewed.\n",
				c.paint(yellow, "Note:"), d.Step.ID, file, d.How)
		}
		return fresh, true
	}
	if m := planner.CompareRederived(saved, fresh); m != nil {
		c.log.Warn("plan file refused: it differs from the plan computed again", "file", file, "step", m.Step)
		c.errorf("the plan file %s is not the plan that this configuration and state give: %v.", file, m)
		fmt.Fprintf(c.stderr, "It was changed after dialtone wrote it (its checksum proves nothing: anyone can recompute a SHA-256), or it was made by another version of dialtone. %s Nothing was changed.\n", again)
		return nil, false
	}
	fresh.Settings = settings
	return fresh, true
}
