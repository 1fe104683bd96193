package main

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"io"
	"strings"

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
		fmt.Fprintf(c.stdout, "Resuming: %d finished steps replayed from the journal of an interrupted apply.\n\n", n)
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
		estimatePlan(c, cfg, p, st)
		if !a.json {
			if err := render.Text(c.stdout, p, render.TextOptions{Color: c.color}); err != nil {
				return c.errorf("rendering the plan: %v", err)
			}
		}
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		for _, f := range failed {
			c.errorf("precondition failed: %s", f)
		}
		return c.errorf("the plan cannot be applied until the failed preconditions above hold; nothing was changed")
	}
	if !p.HasChanges() {
		if err := b.Write(st); err != nil {
			return c.errorf("writing state %s: %v", path, err)
		}
		if a.json {
			newEventWriter(c.stdout).send(event{Type: evApplyComplete, Result: "no_changes"})
			return exitOK
		}
		if a.planFile != "" {
			// A fresh plan was rendered above, and it already says so.
			fmt.Fprintln(c.stdout, "\nNo changes. Every recovery is at its requested stage.")
		}
		return exitOK
	}
	if a.planFile == "" && !a.autoApprove {
		if !confirm(c) {
			fmt.Fprintln(c.stdout, "\nApply cancelled. Nothing was changed.")
			return exitError
		}
	}
	view := newApplyView(c, p, c.getenv("DIALTONE_LOG") != "")
	if a.json {
		view.events = newEventWriter(c.stdout)
	} else {
		fmt.Fprintln(c.stdout)
		view.live = liveFor(c)
	}
	applyErr := applyPlan(c, b, path, prov, st, p, a.parallelism, view)
	var manual *planner.ManualStepError
	var pre *planner.PreconditionError
	switch {
	case applyErr == nil:
		rep := writeRunReport(c, cfg, "apply", "complete", nil)
		view.report = rep
		view.complete(st)
		return exitOK
	case errors.As(applyErr, &manual) && !isWriteError(applyErr):
		// A pause, not an error: the finished steps are in the state.
		c.record.Waiting(append([]*planner.Step{manual.Step}, manual.More...))
		rep := writeRunReport(c, cfg, "apply", "paused", nil)
		if a.json {
			// One event per step waiting for a person: the walk pauses only what depends
			// on each, so several can wait at once.
			for _, s := range append([]*planner.Step{manual.Step}, manual.More...) {
				view.events.send(event{Type: evManualWaiting, Step: s.ID, Summary: s.Summary, Instructions: s.Operation.Instructions,
					Commands: s.Commands, Confirm: "dialtone confirm " + s.ID, Report: rep})
			}
			return exitOK
		}
		writeManualPause(c, manual.Step, view)
		for _, m := range manual.More {
			fmt.Fprintf(c.stdout, "\nAlso waiting for a person: %s (%s); \"dialtone confirm %s\" once it is done.\n", m.ID, m.Summary, m.ID)
		}
		return exitOK
	case interrupted(c, applyErr) && !isWriteError(applyErr):
		// Before the precondition case: a check cut short by Ctrl-C reports
		// "context canceled", which is no finding about the organization.
		rep := writeRunReport(c, cfg, "apply", "interrupted", applyErr)
		view.events.send(event{Type: evError, Message: "apply interrupted: " + c.secrets.ScrubString(applyErr.Error()), Report: rep})
		return writeInterrupted(c, p, st, path, view.doneCount())
	case errors.As(applyErr, &pre):
		rep := writeRunReport(c, cfg, "apply", "failed", applyErr)
		view.events.send(event{Type: evError, Step: pre.Step.ID, Message: c.secrets.ScrubString(applyErr.Error()), Report: rep})
		writePreconditionStop(c, pre)
		return c.errorf("apply stopped before step %s: a precondition does not hold. The finished steps are recorded in %s; fix it and run \"dialtone apply\" again.", pre.Step.ID, path)
	default:
		rep := writeRunReport(c, cfg, "apply", "failed", applyErr)
		view.events.send(event{Type: evError, Message: c.secrets.ScrubString(applyErr.Error()), Report: rep})
		return c.errorf("apply stopped: %v\nThe finished steps are recorded in %s; fix the cause and run \"dialtone apply\" again to continue.", applyErr, path)
	}
}

// liveFor picks the live progress of a text apply: a bar on stderr when both streams
// are a terminal, heartbeat lines on stdout otherwise.
func liveFor(c *cli) liveProgress {
	if isTerminal(c.stdout) && isTerminal(c.stderr) {
		return newTerminalBar(c.stderr)
	}
	every := heartbeatEvery
	if testHooks.heartbeat != nil {
		if d := testHooks.heartbeat(c); d > 0 {
			every = d
		}
	}
	return newHeartbeat(c.stdout, every)
}

// writeRunReport writes the report of this run (internal/runreport) and returns its ID
// ("" when nothing ran or it could not be written: a warning, never a failed apply).
func writeRunReport(c *cli, cfg *config.Config, command, result string, runErr error) string {
	if c.record.Empty() {
		return ""
	}
	rep := c.record.Report(command, result, runErr)
	if err := runreport.Save(reportStore(c, cfg), rep, c.secrets.Scrub); err != nil {
		fmt.Fprintf(c.stderr, "%s the run report could not be written: %v\n", c.paint(yellow, "Warning:"), err)
		return ""
	}
	c.log.Info("run report written", "id", rep.ID)
	return rep.ID
}

// writeManualPause says exactly what a person has to do at a manual step (the
// instructions, the command lines, the mailboxes whose profiles need repointing) and
// how to go on.
func writeManualPause(c *cli, s *planner.Step, view *applyView) {
	w := c.stdout
	fmt.Fprintf(w, "\n%s %d steps done before it.\n", c.paint(yellow, "Apply paused at a manual step: "+s.ID+"."), view.doneCount())
	fmt.Fprintf(w, "\n  %s\n", s.Summary)
	what := s.Operation.Instructions
	if what == "" {
		what = s.Summary
	}
	fmt.Fprintf(w, "\n  Do this by hand:\n    %s\n", what)
	if len(s.Commands) > 0 {
		fmt.Fprintln(w, "\n  Command lines:")
		for _, l := range s.Commands {
			fmt.Fprintf(w, "    PS> %s\n", l)
		}
	}
	if len(s.Operation.Mailboxes) > 0 {
		fmt.Fprintf(w, "\n  Mailboxes whose mail profiles need repointing at %s (%d; their clients do not use Autodiscover):\n", s.Operation.Server, len(s.Operation.Mailboxes))
		for _, m := range s.Operation.Mailboxes {
			fmt.Fprintf(w, "    %s\n", m)
		}
	}
	fmt.Fprintf(w, "\nRun \"dialtone confirm %s\" once it is done, then \"dialtone apply\" again.\n", s.ID)
}

// writePreconditionStop names the step, the check that failed and what to change.
func writePreconditionStop(c *cli, e *planner.PreconditionError) {
	fmt.Fprintf(c.stderr, "%s step %s\n  check: %s\n  found: %v\n", c.paint(red, "Precondition failed at apply:"), e.Step.ID, e.Precondition.Description, e.Err)
	if e.Precondition.Fix != "" {
		fmt.Fprintf(c.stderr, "  fix:   %s\n", e.Precondition.Fix)
	}
	fmt.Fprintln(c.stderr, "  Nothing of this step was changed.")
}

// confirm asks for "yes" on stdin.
func confirm(c *cli) bool {
	fmt.Fprint(c.stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

// applyPlan walks p through prov with the backend as the journal, then refreshes and
// writes the state, folding the journal. It writes the state also when the walk
// fails, so that every finished step is recorded.
func applyPlan(c *cli, b state.Backend, path string, prov providers.Provider, st *state.State,
	p *planner.Plan, parallelism int, view *applyView) error {
	j := newDrillKillJournal(c, b)
	if testHooks.journal != nil {
		j = testHooks.journal(c, j, b, st)
	}
	view.noteState(p, st)
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
	applyErr := planner.Apply(c.ctx, p, prov, st, j, view, opts)
	view.stop()
	if err := refreshFrom(c, prov, st); err != nil {
		c.log.Warn("refresh after apply failed; writing the state without it", "error", err)
		if applyErr == nil {
			applyErr = err
		}
	}
	if err := b.Write(st); err != nil {
		werr := &stateWriteError{fmt.Errorf("writing state %s: %w (the journal beside it still holds the finished steps; the next command replays it)", path, err)}
		if applyErr != nil {
			return errors.Join(applyErr, werr)
		}
		c.record.Applied(p, view.rows, st)
		return werr
	}
	c.record.Applied(p, view.rows, st)
	return applyErr
}

// stateWriteError is a failure to write the state after apply: never a mere pause.
type stateWriteError struct{ error }

func (e *stateWriteError) Unwrap() error { return e.error }

func isWriteError(err error) bool {
	var w *stateWriteError
	return errors.As(err, &w)
}
