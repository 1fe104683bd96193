package views

import (
	"fmt"
	"time"
)

// Confirm is the view of "dialtone confirm": what was recorded, or why nothing was.
type Confirm struct{ s Streams }

// NewConfirm returns the confirm view (human only: confirm has no -json).
func NewConfirm(s Streams) Confirm { return Confirm{s} }

// NotPlanned says the plan no longer holds the step (why); nothing is recorded.
func (v Confirm) NotPlanned(id, why string) {
	fmt.Fprintf(v.s.Out, "Step %s is no longer planned: %s. Nothing to confirm; run \"dialtone plan\" to review the plan, then \"dialtone apply\".\n", id, why)
}

// FoundDone says the organization, read again, shows the step done (seen); nothing is
// recorded.
func (v Confirm) FoundDone(id, seen string) {
	fmt.Fprintf(v.s.Out, "Step %s is no longer needed: the organization, read again, shows it done (%s). Nothing to confirm; run \"dialtone apply\" to go on.\n", id, seen)
}

// Forced warns that -force records the step although the organization shows seen.
func (v Confirm) Forced(id, seen string) {
	fmt.Fprintf(v.s.Err, "%s recording %s with -force although %s.\n", v.s.paint(yellow, "Warning:"), id, seen)
}

// Confirmed says the step is recorded as carried out by who at at; when stage is set,
// it was the last step of its stage and recovery is at that stage now.
func (v Confirm) Confirmed(id, who string, at time.Time, recovery, stage string) {
	fmt.Fprintf(v.s.Out, "%s step %s was carried out by %s at %s.\n", v.s.paint(green, "Confirmed:"), id, who, at.Format(time.RFC3339))
	if stage != "" {
		fmt.Fprintf(v.s.Out, "It was the last step of its stage: recovery.%s is at stage %q.\n", recovery, stage)
	}
	fmt.Fprintln(v.s.Out, "Run \"dialtone apply\" to go on; it will not ask for this step again.")
}
