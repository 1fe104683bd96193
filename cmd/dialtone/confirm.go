package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// cmdConfirm records that a person carried out a manual step: it takes the lock, reads
// the state, plans as apply does (refresh included), has the planner check the step
// (in the plan, manual, not done, its dependencies done), journals the record and
// writes the state. A later apply goes on past the step and never asks again.
func cmdConfirm(c *cli, args []string) int {
	fs := newFlagSet(c, "confirm", "confirm STEP_ID [-who=NAME] [-force] [-lock-timeout=DURATION] [-var 'NAME=VALUE'] [-var-file=FILE]")
	addLockTimeoutFlag(c, fs)
	addInputFlag(c, fs)
	who := fs.String("who", "", "who carried out the step (default USER@HOST)")
	force := fs.Bool("force", false, "record the step although the organization, read again, shows it not done")
	vars := addVarFlags(fs)
	id, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 || id == "" {
		return c.errorf("confirm takes one argument, the ID of the manual step (as \"dialtone plan\" and apply print it), e.g. dialtone confirm recovery.db01-outage.recover_server")
	}
	if *who == "" {
		*who = defaultWho(c)
	}

	cfg, ok := loadConfigVars(c, vars)
	if !ok {
		return exitError
	}
	s, err := openSession(c, cfg, "confirm")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer s.close(c)
	b, path, st, prov := s.b, s.path, s.st, s.prov
	if err := refreshFrom(c, prov, st); err != nil {
		return c.errorf("%v", err)
	}
	p, ok := makePlan(c, cfg, st, prov.Capabilities())
	if !ok {
		return exitError
	}
	now := time.Now().UTC()
	v := views.NewConfirm(c.streams())
	if stepOf(p, id) == nil {
		// A restore the plan no longer needs (the failed database's own files came back
		// intact) is not confirmed: recording it would claim a restore that never ran.
		if why, ok := planner.NoRestoreNeeded(cfg, st, id); ok {
			v.NotPlanned(id, why)
			return exitOK
		}
		// The step's own instructions say "run dialtone refresh" once it is done: the
		// state then already shows it (a rebuilt server up), so the plan lost it.
		if seen, ok := planner.FoundDone(cfg, st, id); ok {
			v.FoundDone(id, seen)
			return exitOK
		}
		// Done outside dialtone and already visible (a rebuilt server is up again): the
		// refreshed plan no longer needs the step, so there is nothing to confirm.
		if st0, err := b.Read(c.ctx); err == nil {
			if p0, d := planner.Compute(cfg, st0, prov.Capabilities(), planner.ComputeOptions{}); !d.HasErrors() {
				if s := stepOf(p0, id); s != nil && s.Manual {
					v.FoundDone(id, s.Summary)
					return exitOK
				}
			}
		}
	}
	// Check what can be seen of the step's effect before recording it: a confirmation
	// is a claim about the organization, and the organization was just read.
	if step := stepOf(p, id); step != nil && step.Manual {
		if seen, ok := planner.ConfirmSeen(step, st); !ok {
			if !*force {
				return c.errorf("confirm %s: the organization, read just now, does not show the step done: %s. Finish the step (%s) and run \"dialtone confirm %s\" again; "+
					"if it is done and dialtone cannot see it, \"dialtone confirm -force %s\" records it anyway. Nothing was changed.", id, seen, step.Summary, id, id)
			}
			v.Forced(id, seen)
			c.log.Warn("manual step confirmed with -force against what the organization shows", "step", id, "seen", seen)
		}
	}
	stage, err := confirmStep(c.ctx, b, st, p, id, *who, now)
	if err != nil {
		return c.errorf("confirm %s: %v. Nothing was changed.", id, err)
	}
	if err := b.Write(c.ctx, st); err != nil {
		return c.errorf("writing state %s: %v (the journal beside it holds the confirmation; the next command replays it)", path, err)
	}
	v.Confirmed(id, *who, now, strings.Split(strings.TrimPrefix(id, "recovery."), ".")[0], stage)
	return exitOK
}

// confirmStep is the one code path of a confirmation (the confirm command and the
// drill): planner.Confirm checks the step and makes the record, which is journaled,
// then applied to st. It returns the stage reached when the step was the last of it.
func confirmStep(ctx context.Context, j planner.Journal, st *state.State, p *planner.Plan, id, who string, now time.Time) (string, error) {
	changes, err := planner.Confirm(p, st, id, who, now)
	if err != nil {
		return "", err
	}
	if err := j.AppendJournal(ctx, changes); err != nil {
		return "", fmt.Errorf("recording the confirmation: %w", err)
	}
	stage := ""
	for _, ch := range changes {
		st.ApplyChange(ch)
		if ch.Stage != nil {
			stage = ch.Stage.Stage
		}
	}
	return stage, nil
}

// defaultWho is USER@HOST, the way the state lock names its holder.
func defaultWho(c *cli) string {
	return state.NewLockInfo("confirm", "", c.user).Who
}

// stepOf finds a step of p by ID.
func stepOf(p *planner.Plan, id string) *planner.Step {
	if p == nil {
		return nil
	}
	for _, s := range p.Steps {
		if s != nil && s.ID == id {
			return s
		}
	}
	return nil
}
