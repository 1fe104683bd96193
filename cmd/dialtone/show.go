package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
)

// verifiedPlanFile is the plan of a plan file for showing it: loaded in the working
// directory (configuration, state, provider), refreshed unless refresh is false, and
// computed again (savedPlan). It changes nothing.
func verifiedPlanFile(c *cli, cfg *config.Config, ok bool, file string, refresh bool) (*planner.Plan, bool) {
	if !ok {
		c.errorf("a plan file is shown as it would be applied: computed again from the configuration and state of the working directory it was made in (use -chdir=DIR)")
		return nil, false
	}
	s, err := openSession(c, cfg, "")
	if err != nil {
		c.errorf("%v", err)
		return nil, false
	}
	defer s.close(c)
	var drift []planner.Drift
	if refresh {
		if drift, err = refreshDrift(c, s.prov, s.st); err != nil {
			c.errorf("%v", err)
			return nil, false
		}
	}
	p, ok := savedPlan(c, file, cfg, s.st, s.prov.Capabilities(), s.settings)
	if !ok {
		return nil, false
	}
	p.Drift = drift
	estimatePlan(c, cfg, p, s.st, 0, s.prov)
	return p, true
}

// cmdShow renders a saved plan (PLANFILE) or, without one, the current state. A saved
// plan is shown as apply would run it: computed again from the configuration and the
// (refreshed) state and refused unless the file is exactly that plan (savedPlan), so
// that nothing shown comes from text stored in the file.
func cmdShow(c *cli, args []string) int {
	fs := newFlagSet(c, "show", "show [-json | -format=FORMAT] [-refresh=false] [-var 'NAME=VALUE'] [-var-file=FILE] [PLANFILE]")
	asJSON := fs.Bool("json", false, "print JSON: the plan document or the state document (same as -format=json)")
	formatName := fs.String("format", "", "how to show a plan: "+views.PlanFormats+" (a state: text or json)")
	refresh := fs.Bool("refresh", true, "a plan file: read the organization through the provider first, as apply does")
	vars := addVarFlags(fs) // a plan file is computed again with the variables it was made with
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	format, err := formatFlag(*asJSON, *formatName)
	if err != nil {
		return c.errorf("%v", err)
	}
	view, err := views.NewPlan(c.streams(), format)
	if err != nil {
		return c.errorf("%v", err)
	}
	if fs.NArg() > 1 {
		return c.errorf("show takes at most one argument, a plan file")
	}
	if fs.NArg() == 1 {
		if isConfigFileName(fs.Arg(0)) {
			return configNotPlanError(c, fs.Arg(0), `"dialtone plan" shows the plan of the configuration ("dialtone show" alone shows the state)`)
		}
		cfg, ok := loadConfigVars(c, vars)
		p, ok := verifiedPlanFile(c, cfg, ok, fs.Arg(0), *refresh)
		if !ok {
			return exitError
		}
		if err := view.Show(p); err != nil {
			return c.errorf("rendering the plan: %v", err)
		}
		return exitOK
	}
	if format != "text" && format != "json" {
		return c.errorf("show -format=%s shows a plan: give a plan file (dialtone plan -out=FILE makes one)", format)
	}
	st, path, ok := recordedState(c)
	if !ok {
		return exitError
	}
	if err := views.NewState(c.streams(), format == "json").Show(path, st); err != nil {
		return c.errorf("%v", err)
	}
	return exitOK
}
