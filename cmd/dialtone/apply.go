package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/logging"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// applyArgs are the flags and argument of apply.
type applyArgs struct {
	autoApprove bool
	parallelism int
	planFile    string
	json        bool
}

// cmdApply carries out a plan: a saved one (PLANFILE, refused when stale) or a fresh
// one, confirmed at a prompt unless -auto-approve.
func cmdApply(c *cli, args []string) int {
	var a applyArgs
	fs := newFlagSet(c, "apply", "apply [-auto-approve] [-input=false] [-lock-timeout=DURATION] [-json] [-parallelism=N] [-target=ADDR] [-exclude=ADDR] [-var 'NAME=VALUE'] [-var-file=FILE] [PLANFILE]")
	addLockTimeoutFlag(c, fs)
	addInputFlag(c, fs)
	fs.BoolVar(&a.autoApprove, "auto-approve", false, "skip the interactive approval")
	fs.BoolVar(&a.json, "json", false, "stream one JSON event per line on stdout instead of text (needs -auto-approve or a plan file)")
	fs.IntVar(&a.parallelism, "parallelism", 10, "how many steps run at once (each starts once the steps it depends on are done; Terraform's default, 10)")
	vars, targets := addVarFlags(fs), addTargetFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	switch fs.NArg() {
	case 0:
	case 1:
		a.planFile = fs.Arg(0)
	default:
		return c.errorf("apply takes at most one argument, the plan file (got %q)", strings.Join(fs.Args(), " "))
	}
	if a.planFile != "" && isConfigFileName(a.planFile) {
		return configNotPlanError(c, a.planFile, `"dialtone apply" alone plans the configuration and applies it after you approve`)
	}
	if !c.input && a.planFile == "" && !a.autoApprove {
		// Said before anything runs: the question would come only after the lock, the
		// refresh and the plan.
		return c.errorf("apply asks for approval before it changes anything, and -input=false forbids asking: add -auto-approve to apply without asking, or apply a saved plan (dialtone plan -out=FILE, then dialtone apply FILE). Nothing was changed.")
	}
	if a.json && a.planFile == "" && !a.autoApprove {
		return c.errorf("apply -json cannot ask for approval: add -auto-approve, or apply a saved plan file")
	}
	if a.parallelism < 1 {
		return c.errorf("-parallelism=%d: must be at least 1", a.parallelism)
	}

	if a.planFile != "" && (len(targets.targets) > 0 || len(targets.excludes) > 0) {
		return c.errorf("-target and -exclude narrow a plan being made; a saved plan keeps the targets it was made with (plan -target=... -out=FILE)")
	}
	cfg, ok := loadConfigVars(c, vars)
	if !ok {
		return exitError
	}
	s, err := openSession(c, cfg, "apply")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer s.close(c)
	b, path, st, prov := s.b, s.path, s.st, s.prov
	if n := journalPending(b); n > 0 {
		views.ApplyResuming(c.streams(), n)
	}
	drift, err := refreshDrift(c, prov, st)
	if err != nil {
		return c.errorf("%v", err)
	}

	var p *planner.Plan
	if a.planFile != "" {
		// The plan that runs is the one computed again, checked equal to the file.
		if p, ok = savedPlan(c, a.planFile, cfg, st, prov.Capabilities(), s.settings); !ok {
			return exitError
		}
		p.Drift = drift
	} else {
		p, ok = makePlanWith(c, cfg, st, prov.Capabilities(), targets.options())
		if !ok {
			return exitError
		}
		p.Drift, p.Settings = drift, s.settings
		estimatePlan(c, cfg, p, st, a.parallelism, prov)
	}
	view := newApplyView(c, p, a.json)
	if a.planFile == "" {
		if err := view.Plan(p); err != nil {
			return c.errorf("rendering the plan: %v", err)
		}
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		for _, f := range failed {
			c.errorf("precondition failed: %s", f)
		}
		return c.errorf("the plan cannot be applied until the failed preconditions above hold; nothing was changed")
	}
	if !p.HasChanges() {
		if err := b.Write(c.ctx, st); err != nil {
			return c.errorf("writing state %s: %v", path, err)
		}
		view.NoChanges(a.planFile != "")
		return exitOK
	}
	if a.planFile == "" && !a.autoApprove {
		if !confirm(c) {
			views.ApplyCancelled(c.streams())
			return exitError
		}
	}
	view.Start()
	_, applyErr := applyPlan(c, b, path, prov, st, p, a.parallelism, view)
	var manual *planner.ManualStepError
	var pre *planner.PreconditionError
	switch {
	case applyErr == nil:
		view.Complete(st, writeRunReport(c, cfg, "apply", "complete", nil))
		return exitOK
	case errors.As(applyErr, &manual) && !isWriteError(applyErr):
		// A pause, not an error: the finished steps are in the state.
		waiting := append([]*planner.Step{manual.Step}, manual.More...)
		c.record.Waiting(waiting)
		view.Paused(waiting, writeRunReport(c, cfg, "apply", "paused", nil))
		return exitOK
	case interrupted(c, applyErr) && !isWriteError(applyErr):
		// Before the precondition case: a check cut short by Ctrl-C reports
		// "context canceled", which is no finding about the organization.
		rep := writeRunReport(c, cfg, "apply", "interrupted", applyErr)
		view.Interrupted(p, st, path, c.secrets.ScrubString(applyErr.Error()), rep)
		return exitError
	case errors.As(applyErr, &pre):
		rep := writeRunReport(c, cfg, "apply", "failed", applyErr)
		view.PreconditionFailed(pre, c.secrets.ScrubString(applyErr.Error()), rep)
		return c.errorf("apply stopped before step %s: a precondition does not hold. The finished steps are recorded in %s; fix it and run \"dialtone apply\" again.", pre.Step.ID, path)
	default:
		rep := writeRunReport(c, cfg, "apply", "failed", applyErr)
		view.Failed(c.secrets.ScrubString(applyErr.Error()), rep)
		return c.errorf("apply stopped: %v\nThe finished steps are recorded in %s; fix the cause and run \"dialtone apply\" again to continue.", applyErr, path)
	}
}

// newApplyView is apply's view (internal/views): JSON events, or lines with live
// progress on top once Start is called (the drill never does: lines only).
func newApplyView(c *cli, p *planner.Plan, asJSON bool) views.Apply {
	return views.NewApply(c.streams(), p, views.ApplyOptions{JSON: asJSON, Verbose: c.getenv("DIALTONE_LOG") != "",
		PlanText: func(p *planner.Plan) error { return render.Text(c.stdout, p, render.TextOptions{Color: c.color}) },
		Live:     func() views.LiveProgress { return liveFor(c) }})
}

// interrupted says whether apply stopped because the admin pressed Ctrl-C (or the
// process got SIGTERM), rather than on a failure to fix.
func interrupted(c *cli, applyErr error) bool {
	return errors.Is(applyErr, context.Canceled) || (c.ctx != nil && c.ctx.Err() != nil)
}

// liveFor picks the live progress of a text apply: a bar on stderr when both streams
// are a terminal, heartbeat lines on stdout otherwise.
func liveFor(c *cli) views.LiveProgress {
	var every time.Duration
	if testHooks.heartbeat != nil {
		every = testHooks.heartbeat(c)
	}
	return views.NewLive(c.stdout, c.stderr, isTerminal(c.stdout) && isTerminal(c.stderr), every)
}

// writeRunReport writes the report of this run (internal/runreport) and returns its ID
// ("" when nothing ran or it could not be written: a warning, never a failed apply).
func writeRunReport(c *cli, cfg *config.Config, command, result string, runErr error) string {
	if c.record.Empty() {
		return ""
	}
	rep := c.record.Report(command, result, runErr)
	if err := runreport.Save(c.ctx, reportStore(c, cfg), rep, c.secrets.Scrub); err != nil {
		views.RunReportNotWritten(c.streams(), err)
		return ""
	}
	c.log.Info("run report written", "id", rep.ID)
	return rep.ID
}

// confirm asks for "yes" on stdin.
func confirm(c *cli) bool {
	views.ApprovalPrompt(c.streams())
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

// applyPlan walks p through prov with the backend as the journal, then refreshes and
// writes the state, folding the journal. It writes the state also when the walk
// fails, so that every finished step is recorded. The run keeps its own record of the
// walk (runreport.Walk, for the run report and the drill's table), beside the view.
func applyPlan(c *cli, b state.Backend, path string, prov providers.Provider, st *state.State,
	p *planner.Plan, parallelism int, view views.Apply) ([]runreport.Row, error) {
	j := newDrillKillJournal(c, b)
	if testHooks.journal != nil {
		j = testHooks.journal(c, j, b, st)
	}
	walk := runreport.NewWalk(p, st)
	opts := planner.ApplyOptions{Parallelism: parallelism, Logger: c.log.Named("planner")}
	if clk, ok := prov.(providers.Clock); ok {
		opts.Now = clk.Now // the lab's modelled time: step records show Exchange's durations
	}
	if par, ok := prov.(providers.Parallel); ok {
		par.SetParallelism(parallelism) // a PowerShell session per step that runs at once
	}
	if testHooks.provider != nil {
		prov = testHooks.provider(c, prov)
	}
	applyErr := planner.Apply(c.ctx, p, prov, st, j, hooks{walk, logging.StepHooks{Log: c.log}, view}, opts)
	view.Stop()
	if err := refreshFrom(c, prov, st); err != nil {
		c.log.Warn("refresh after apply failed; writing the state without it", "error", err)
		if applyErr == nil {
			applyErr = err
		}
	}
	rows := walk.Rows()
	if err := b.Write(c.ctx, st); err != nil {
		werr := &stateWriteError{fmt.Errorf("writing state %s: %w (the journal beside it still holds the finished steps; the next command replays it)", path, err)}
		if applyErr != nil {
			return rows, errors.Join(applyErr, werr)
		}
		c.record.Applied(p, rows, st)
		return rows, werr
	}
	c.record.Applied(p, rows, st)
	return rows, applyErr
}

// hooks calls each of its hooks in turn.
type hooks []planner.Hooks

func (h hooks) PreStep(s *planner.Step) {
	for _, x := range h {
		x.PreStep(s)
	}
}

func (h hooks) Progress(s *planner.Step, done, total int64) {
	for _, x := range h {
		x.Progress(s, done, total)
	}
}

func (h hooks) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	for _, x := range h {
		x.PostStep(s, res, d, err)
	}
}

// stateWriteError is a failure to write the state after apply: never a mere pause.
type stateWriteError struct{ error }

func (e *stateWriteError) Unwrap() error { return e.error }

func isWriteError(err error) bool {
	var w *stateWriteError
	return errors.As(err, &w)
}
