package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// interrupted says whether apply stopped because the admin pressed Ctrl-C (or the
// process got SIGTERM), rather than on a failure to fix.
func interrupted(c *cli, applyErr error) bool {
	return errors.Is(applyErr, context.Canceled) || (c.ctx != nil && c.ctx.Err() != nil)
}

// writeInterrupted is what an admin who pressed Ctrl-C needs next, in place of "context
// canceled ... fix the cause": which recoveries are inside an outage window now and how
// many users are without service, and what the next apply does first. It is read from
// the state as written after the stop (st), against the plan that was running (p).
func writeInterrupted(c *cli, p *planner.Plan, st *state.State, path string, done int) int {
	w := c.stderr
	fmt.Fprintf(w, "%s %s finished, recorded in %s.\n",
		c.paint(yellow, "Apply interrupted."), countOf(done, "step", "steps"), path)

	open, users := openOutages(p, st)
	if len(open) == 0 {
		fmt.Fprintln(w, "No recovery of this plan is inside an outage window: its users have service.")
	} else {
		fmt.Fprintf(w, "%s\n", c.paint(red, fmt.Sprintf("Users without service now: %s, in %s.", countOf(users, "mailbox", "mailboxes"), countOf(len(open), "recovery", "recoveries"))))
		for _, o := range open {
			fmt.Fprintf(w, "  recovery.%s: %s without service (%s); service comes back at step %s.\n",
				o.Recovery, countOf(o.Mailboxes, "mailbox", "mailboxes"), o.Reason, o.ToStep)
		}
	}
	if s, resumed := nextStep(p, st); s != nil {
		how := ""
		if resumed {
			how = ", resumed: it had started, so its checks are not run again"
		}
		fmt.Fprintf(w, "The next \"dialtone apply\" plans again from the recorded state and starts with %s (%s)%s.\n", s.ID, s.Summary, how)
	} else {
		fmt.Fprintln(w, "Every step of this plan had finished: the next \"dialtone apply\" plans again from the recorded state.")
	}
	if len(open) > 0 {
		fmt.Fprintln(w, "Run it as soon as you can: users are waiting for it.")
	}
	return exitError
}

// openOutages returns the plan's outage windows that are open in st: the step that
// brings service back has not finished, and users are already down (the window is
// the one from the failure, its first step finished, or its first step is one during
// which users were already down). users is their mailboxes in all.
func openOutages(p *planner.Plan, st *state.State) (open []planner.OutageWindow, users int) {
	byID := make(map[string]*planner.Step, len(p.Steps))
	for _, s := range p.Steps {
		byID[s.ID] = s
	}
	for _, o := range p.Outages {
		if stepDone(st, o.Recovery, o.ToStep) {
			continue
		}
		first := byID[o.FromStep]
		down := o.Reason != planner.ReasonSwap || stepDone(st, o.Recovery, o.FromStep) ||
			(first != nil && first.Outage == planner.OutageContinues)
		if down {
			open = append(open, o)
			users += o.Mailboxes
		}
	}
	return open, users
}

// nextStep is the first step of p, in plan order, that st does not record finished;
// resumed says it had started (a rerun resumes it without checking again).
func nextStep(p *planner.Plan, st *state.State) (s *planner.Step, resumed bool) {
	for _, s := range p.Steps {
		if stepDone(st, s.Recovery, s.ID) {
			continue
		}
		r := st.Recoveries[strings.TrimPrefix(s.Recovery, "recovery.")]
		if r != nil {
			_, resumed = r.Started[s.ID]
		}
		return s, resumed
	}
	return nil, false
}

func stepDone(st *state.State, recovery, id string) bool {
	r := st.Recoveries[strings.TrimPrefix(recovery, "recovery.")]
	return r != nil && r.Steps[id] != nil
}

// countOf is "1 mailbox", "2 mailboxes".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
