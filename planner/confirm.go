package planner

import (
	"fmt"
	"time"

	"github.com/dialtone/dialtone/state"
)

// RecordConfirmed is the result of a manual step a person confirmed.
const RecordConfirmed = "confirmed"

// Confirm records that a person (who, e.g. user@host) carried out the manual step
// stepID of p at now. The step must be in the plan, manual, not done yet, and the steps
// it depends on must be done. It returns the changes to journal and apply to st: the
// StepDone record (Result "confirmed", ConfirmedBy who), plus the stage mark when the
// step was the last one left of its stage. st is only read. A confirmed step counts as
// done: Apply goes on past it and never asks again.
func Confirm(p *Plan, st *state.State, stepID, who string, now time.Time) ([]state.Change, error) {
	if p == nil || st == nil {
		return nil, fmt.Errorf("confirm: no plan or no state")
	}
	done := func(id, rec string) bool {
		r := st.Recoveries[rec]
		return r != nil && r.Steps[id] != nil
	}
	var step *Step
	for _, s := range p.Steps {
		if s != nil && s.ID == stepID {
			step = s
			break
		}
	}
	switch {
	case step == nil:
		return nil, fmt.Errorf("step %s is not in the plan; \"dialtone plan\" lists the steps left, each with its ID", stepID)
	case !step.Manual:
		return nil, fmt.Errorf("step %s is not manual: \"dialtone apply\" carries it out; only manual steps are confirmed", stepID)
	case done(step.ID, step.Recovery):
		r := st.Recoveries[step.Recovery].Steps[step.ID]
		by := ""
		if r.ConfirmedBy != "" {
			by = " by " + r.ConfirmedBy
		}
		return nil, fmt.Errorf("step %s is already done (%s%s at %s)", stepID, r.Result, by, r.Finished.UTC().Format(time.RFC3339))
	}
	inPlan := make(map[string]bool, len(p.Steps))
	for _, s := range p.Steps {
		if s != nil {
			inPlan[s.ID] = true
		}
	}
	for _, d := range step.DependsOn {
		if inPlan[d] && !done(d, step.Recovery) {
			return nil, fmt.Errorf("step %s depends on %s, which is not done yet: run \"dialtone apply\" first", stepID, d)
		}
	}
	changes := append(copyServersChange(step), state.Change{StepDone: &state.StepDone{Recovery: step.Recovery, Record: state.StepRecord{
		ID: step.ID, Started: now, Finished: now, Result: RecordConfirmed, ConfirmedBy: who,
	}}})
	last := true
	for _, s := range p.Steps {
		if s != nil && s != step && s.Recovery == step.Recovery && s.Stage == step.Stage && !done(s.ID, s.Recovery) {
			last = false
			break
		}
	}
	if last {
		var ids []string
		for _, s := range p.Steps {
			if s != nil && s.Recovery == step.Recovery && s.Stage == step.Stage {
				ids = append(ids, s.ID)
			}
		}
		changes = append(changes, state.Change{Stage: &state.StageMark{Recovery: step.Recovery, Stage: step.Stage, Steps: ids}})
	}
	return changes, nil
}
