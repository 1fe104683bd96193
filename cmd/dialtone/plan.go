package main

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// planArgs are the flags of plan.
type planArgs struct {
	out              string
	refresh          refreshMode
	detailedExitcode bool
	json             bool
	format           string
	parallelism      int
}

// cmdPlan prints the steps that move each recovery from its recorded stage to the
// requested one. It never changes the organization or the stored state.
func cmdPlan(c *cli, args []string) int {
	var a planArgs
	fs := newFlagSet(c, "plan", "plan [-out=FILE] [-input=false] [-refresh=false|full] [-detailed-exitcode] [-json | -format=FORMAT] [-parallelism=N] [-target=ADDR] [-exclude=ADDR] [-var 'NAME=VALUE'] [-var-file=FILE]")
	addInputFlag(c, fs)
	fs.StringVar(&a.out, "out", "", "write the plan to FILE for a later \"dialtone apply FILE\"")
	a.refresh = refreshOn
	fs.Var(&a.refresh, "refresh", "read the organization through the provider first: true (servers, databases and the mailboxes of the databases the recoveries involve), full (every mailbox) or false")
	fs.BoolVar(&a.detailedExitcode, "detailed-exitcode", false, "exit 0 no changes, 1 error, 2 changes present")
	fs.BoolVar(&a.json, "json", false, "print the plan as JSON (same as -format=json)")
	fs.StringVar(&a.format, "format", "", "how to print the plan: "+views.PlanFormats)
	fs.IntVar(&a.parallelism, "parallelism", 10, "the -parallelism apply will run with, for the estimated time to the last user's dial tone (as Terraform's plan takes it)")
	vars, targets := addVarFlags(fs), addTargetFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	format, err := formatFlag(a.json, a.format)
	if err != nil {
		return c.errorf("%v", err)
	}
	view, err := views.NewPlan(c.streams(), format)
	if err != nil {
		return c.errorf("%v", err)
	}
	if a.parallelism < 1 {
		return c.errorf("-parallelism=%d: must be at least 1", a.parallelism)
	}
	if fs.NArg() > 0 {
		return c.errorf("plan takes no arguments (got %q); flags go before arguments", fs.Arg(0))
	}
	if a.out != "" && !checkPlanOut(c, a.out) {
		return exitError
	}
	cfg, ok := loadConfigVars(c, vars)
	if !ok {
		return exitError
	}
	c.fullRefresh = a.refresh == refreshFull
	s, err := openSession(c, cfg, "")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer s.close(c)
	st, prov := s.st, s.prov
	var drift []planner.Drift
	if a.refresh != refreshOff {
		if drift, err = refreshDrift(c, prov, st); err != nil {
			return c.errorf("%v", err)
		}
	}
	p, ok := makePlanWith(c, cfg, st, prov.Capabilities(), targets.options())
	if !ok {
		return exitError
	}
	p.Drift, p.Settings = drift, s.settings
	estimatePlan(c, cfg, p, st, a.parallelism, prov)
	if err := view.Show(p); err != nil {
		return c.errorf("rendering the plan: %v", err)
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		for _, f := range failed {
			c.errorf("precondition failed: %s", f)
		}
		return c.errorf("the plan cannot be applied until the failed preconditions above hold; nothing was written")
	}
	if a.out != "" {
		if err := planner.WritePlanFile(c.path(a.out), p); err != nil {
			return c.errorf("writing the plan file %s: %v", a.out, err)
		}
		view.Saved(a.out)
	}
	if a.detailedExitcode && p.HasChanges() {
		return exitChanges
	}
	return exitOK
}

// makePlan plans and prints the planner's diagnostics; ok is false on errors.
func makePlan(c *cli, cfg *config.Config, st *state.State, caps providers.Capabilities) (*planner.Plan, bool) {
	return makePlanWith(c, cfg, st, caps, planner.ComputeOptions{})
}

// makePlanWith is makePlan narrowed by -target and -exclude.
func makePlanWith(c *cli, cfg *config.Config, st *state.State, caps providers.Capabilities, opts planner.ComputeOptions) (*planner.Plan, bool) {
	p, diags := planner.Compute(cfg, st, caps, opts)
	writeDiags(c, cfg, diags)
	if diags.HasErrors() || p == nil {
		return nil, false
	}
	if p.ConfigDigest == "" {
		p.ConfigDigest = cfg.Digest()
	}
	return p, true
}

// refreshMode is plan's -refresh: a boolean flag (-refresh, -refresh=false) that also
// takes "full".
type refreshMode int

const (
	refreshOn refreshMode = iota
	refreshOff
	refreshFull
)

func (m *refreshMode) String() string {
	switch *m {
	case refreshOff:
		return "false"
	case refreshFull:
		return "full"
	}
	return "true"
}

func (m *refreshMode) Set(v string) error {
	switch strings.ToLower(v) {
	case "true", "1", "t":
		*m = refreshOn
	case "false", "0", "f":
		*m = refreshOff
	case "full":
		*m = refreshFull
	default:
		return fmt.Errorf("%q is not true, false or full", v)
	}
	return nil
}

// IsBoolFlag lets -refresh stand alone for -refresh=true.
func (m *refreshMode) IsBoolFlag() bool { return true }
