package views

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/state"
)

// writeInterrupted is what an admin who pressed Ctrl-C needs next, in place of "context
// canceled ... fix the cause": which recoveries are inside an outage window now and how
// many users are without service, and what the next apply does first. It is read from
// the state as written after the stop (st), against the plan that was running (p).
func writeInterrupted(s Streams, p *planner.Plan, st *state.State, path string, done int) {
	w := s.Err
	fmt.Fprintf(w, "%s %s finished, recorded in %s.\n",
		s.paint(yellow, "Apply interrupted."), render.Count(done, "step", "steps"), path)

	open, users := openOutages(p, st)
	if len(open) == 0 {
		fmt.Fprintln(w, "No recovery of this plan is inside an outage window: its users have service.")
	} else {
		fmt.Fprintf(w, "%s\n", s.paint(red, fmt.Sprintf("Users without service now: %s, in %s.", render.Count(users, "mailbox", "mailboxes"), render.Count(len(open), "recovery", "recoveries"))))
		for _, o := range open {
			fmt.Fprintf(w, "  recovery.%s: %s without service (%s); service comes back at step %s.\n",
				o.Recovery, render.Count(o.Mailboxes, "mailbox", "mailboxes"), o.Reason, o.ToStep)
		}
	}
	if next, resumed := nextStep(p, st); next != nil {
		how := ""
		if resumed {
			how = ", resumed: it had started, so its checks are not run again"
		}
		fmt.Fprintf(w, "The next \"dialtone apply\" plans again from the recorded state and starts with %s (%s)%s.\n", next.ID, next.Summary, how)
	} else {
		fmt.Fprintln(w, "Every step of this plan had finished: the next \"dialtone apply\" plans again from the recorded state.")
	}
	if len(open) > 0 {
		fmt.Fprintln(w, "Run it as soon as you can: users are waiting for it.")
	}
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

// writeManualPause says exactly what a person has to do at a manual step (the
// instructions, the command lines, the mailboxes whose profiles need repointing) and
// how to go on.
func writeManualPause(o Streams, s *planner.Step, done int) {
	w := o.Out
	fmt.Fprintf(w, "\n%s %d steps done before it.\n", o.paint(yellow, "Apply paused at a manual step: "+s.ID+"."), done)
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
func writePreconditionStop(o Streams, e *planner.PreconditionError) {
	fmt.Fprintf(o.Err, "%s step %s\n  check: %s\n  found: %v\n", o.paint(red, "Precondition failed at apply:"), e.Step.ID, e.Precondition.Description, e.Err)
	if e.Precondition.Fix != "" {
		fmt.Fprintf(o.Err, "  fix:   %s\n", e.Precondition.Fix)
	}
	fmt.Fprintln(o.Err, "  Nothing of this step was changed.")
}
