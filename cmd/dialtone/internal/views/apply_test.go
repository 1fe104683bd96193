package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// mergePlan is one recovery: a creation, a mount, then n merges.
func mergePlan(n int) *planner.Plan {
	p := &planner.Plan{Recoveries: []planner.RecoveryChange{{Name: "r1", To: "merged"}}}
	p.Steps = append(p.Steps,
		&planner.Step{ID: "recovery.r1.create", Recovery: "r1", Summary: "Create DTDB01", Operation: providers.Operation{Kind: providers.OpCreateDatabase}},
		&planner.Step{ID: "recovery.r1.mount", Recovery: "r1", Summary: "Mount DTDB01", Operation: providers.Operation{Kind: providers.OpMountDatabase}})
	for i := 1; i <= n; i++ {
		p.Steps = append(p.Steps, &planner.Step{ID: fmt.Sprintf("recovery.r1.merge[%d]", i), Recovery: "r1", Summary: "Merge",
			Operation: providers.Operation{Kind: providers.OpMergeMailbox}})
	}
	return p
}

// walk drives v through p: every step done, the first merge skipped, the mount
// reporting progress and already in place.
func walk(v Apply, p *planner.Plan) {
	for i, s := range p.Steps {
		v.PreStep(s)
		res := providers.Result{}
		switch {
		case s.ID == "recovery.r1.mount":
			v.Progress(s, 5, 10)
			v.Progress(s, 10, 10)
			res.AlreadyDone = true
		case i == 2:
			res.Skipped = true
		}
		v.PostStep(s, res, 100*time.Millisecond, nil)
	}
}

func streams() (Streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errw bytes.Buffer
	return Streams{Out: &out, Err: &errw}, &out, &errw
}

func done(name, stage string) *state.State {
	st := state.New("l")
	st.Recoveries[name] = &state.Recovery{Name: name, Stage: stage}
	return st
}

func TestApplyHumanSummarisesMerges(t *testing.T) {
	s, out, _ := streams()
	p := mergePlan(25)
	v := NewApply(s, p, ApplyOptions{})
	v.Start()
	walk(v, p)
	v.Complete(done("r1", "merged"), "RUN1")
	got := out.String()
	for _, want := range []string{
		"\nrecovery.r1.create: Create DTDB01...\nrecovery.r1.create: done (0.1s)\n",
		"recovery.r1.mount: done (0.1s, already in place)\n",
		"recovery.r1: merging 25 mailboxes from the recovery database...\n",
		"recovery.r1: merges 10/25 finished (1 skipped: not in the recovery database)\n",
		"recovery.r1: merges 20/25 finished (1 skipped",
		"recovery.r1: merges 25/25 finished (1 skipped",
		"Apply complete! 26 steps done, 1 skipped. recovery.r1 is at stage \"merged\".\nRun report: dialtone report RUN1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "merge[3]") || strings.Count(got, "merges ") != 3 {
		t.Errorf("merges are not summarised:\n%s", got)
	}
	if v.DoneCount() != 27 {
		t.Errorf("DoneCount = %d, want 27", v.DoneCount())
	}
}

func TestApplyHumanVerboseShowsEveryMerge(t *testing.T) {
	s, out, _ := streams()
	p := mergePlan(3)
	v := NewApply(s, p, ApplyOptions{Verbose: true})
	walk(v, p)
	if got := out.String(); !strings.Contains(got, "recovery.r1.merge[3]: done (0.1s)") || strings.Contains(got, "merging 3 mailboxes") {
		t.Errorf("verbose output:\n%s", got)
	}
}

func events(t *testing.T, b *bytes.Buffer) []Event {
	t.Helper()
	var out []Event
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		var ev Event
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("not one event: %v\n%s", err, line)
		}
		out = append(out, ev)
	}
	return out
}

func TestApplyJSONEvents(t *testing.T) {
	s, out, errw := streams()
	p := mergePlan(12)
	v := NewApply(s, p, ApplyOptions{JSON: true, PlanText: func(*planner.Plan) error { t.Fatal("a JSON apply prints the plan as text"); return nil }})
	if err := v.Plan(p); err != nil {
		t.Fatal(err)
	}
	v.Start()
	walk(v, p)
	v.Complete(done("r1", "merged"), "RUN1")
	evs := events(t, out)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type+":"+e.Step)
	}
	want := []string{
		"step_started:recovery.r1.create", "step_finished:recovery.r1.create",
		"step_started:recovery.r1.mount", "progress:recovery.r1.mount", "progress:recovery.r1.mount", "step_finished:recovery.r1.mount",
		"step_started:recovery.r1.merges", "progress:recovery.r1.merges", "progress:recovery.r1.merges", "step_finished:recovery.r1.merges",
		"apply_complete:",
	}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(types, "\n"), strings.Join(want, "\n"))
	}
	if e := evs[5]; e.Result != "already_done" {
		t.Errorf("mount finished %+v", e)
	}
	if e := evs[6]; e.Total != 12 || e.Summary != "Merge 12 mailboxes" {
		t.Errorf("merges started %+v", e)
	}
	if e := evs[len(evs)-1]; e.Result != "complete" || e.Done != 13 || e.Skipped != 1 || e.Stages["r1"] != "merged" || e.Report != "RUN1" {
		t.Errorf("apply_complete %+v", e)
	}
	if errw.Len() > 0 {
		t.Errorf("stderr: %s", errw.String())
	}
}

func TestApplyFailedStep(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		s, out, _ := streams()
		p := mergePlan(0)
		v := NewApply(s, p, ApplyOptions{JSON: asJSON})
		v.PreStep(p.Steps[0])
		v.PostStep(p.Steps[0], providers.Result{}, time.Second, errors.New("disk full"))
		v.Failed("apply stopped: disk full", "RUN2")
		got := out.String()
		if asJSON {
			evs := events(t, out)
			if len(evs) != 3 || evs[1].Result != "failed" || evs[1].Error != "disk full" || evs[2].Type != EvError || evs[2].Report != "RUN2" {
				t.Errorf("events %+v", evs)
			}
			continue
		}
		if !strings.Contains(got, "recovery.r1.create: failed after 1.0s: disk full\n") {
			t.Errorf("output:\n%s", got)
		}
	}
}

func TestApplyPausedAtManualSteps(t *testing.T) {
	manual := &planner.Step{ID: "recovery.r1.repoint", Summary: "Repoint profiles", Commands: []string{"Set-Mailbox x"},
		Operation: providers.Operation{Kind: providers.OpRepointProfiles, Server: "EX02", Mailboxes: []string{"a@contoso.com"}, Instructions: "Repoint the profiles."}}
	other := &planner.Step{ID: "recovery.r2.rebuild", Summary: "Rebuild EX01"}
	s, out, _ := streams()
	NewApply(s, mergePlan(0), ApplyOptions{}).Paused([]*planner.Step{manual, other}, "RUN3")
	got := out.String()
	for _, want := range []string{
		"Apply paused at a manual step: recovery.r1.repoint. 0 steps done before it.",
		"  Do this by hand:\n    Repoint the profiles.\n",
		"    PS> Set-Mailbox x\n",
		"repointing at EX02 (1; their clients do not use Autodiscover):\n    a@contoso.com\n",
		"Run \"dialtone confirm recovery.r1.repoint\" once it is done",
		"Also waiting for a person: recovery.r2.rebuild (Rebuild EX01)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	s, out, _ = streams()
	NewApply(s, mergePlan(0), ApplyOptions{JSON: true}).Paused([]*planner.Step{manual, other}, "RUN3")
	evs := events(t, out)
	if len(evs) != 2 || evs[0].Confirm != "dialtone confirm recovery.r1.repoint" || evs[0].Commands[0] != "Set-Mailbox x" || evs[1].Report != "RUN3" {
		t.Errorf("events %+v", evs)
	}
}

// Ctrl-C inside an outage window says who is without service and what runs next.
func TestApplyInterrupted(t *testing.T) {
	p := &planner.Plan{
		Steps: []*planner.Step{
			{ID: "recovery.r1.dismount", Recovery: "r1", Summary: "Dismount DTDB01"},
			{ID: "recovery.r1.mount", Recovery: "r1", Summary: "Mount DB01"},
		},
		Outages: []planner.OutageWindow{{Recovery: "r1", FromStep: "recovery.r1.dismount", ToStep: "recovery.r1.mount", Mailboxes: 21, Reason: planner.ReasonSwap}},
	}
	st := state.New("l")
	st.Recoveries["r1"] = &state.Recovery{Name: "r1", Steps: map[string]*state.StepRecord{"recovery.r1.dismount": {ID: "recovery.r1.dismount"}},
		Started: map[string]time.Time{"recovery.r1.mount": time.Now()}}
	s, out, errw := streams()
	NewApply(s, p, ApplyOptions{JSON: true}).Interrupted(p, st, "dialtone.state.json", "context canceled", "RUN4")
	if evs := events(t, out); len(evs) != 1 || evs[0].Message != "apply interrupted: context canceled" || evs[0].Report != "RUN4" {
		t.Errorf("events %+v", evs)
	}
	got := errw.String()
	for _, want := range []string{
		"Apply interrupted. 0 steps finished, recorded in dialtone.state.json.",
		"Users without service now: 21 mailboxes, in 1 recovery.",
		"recovery.r1: 21 mailboxes without service (swap); service comes back at step recovery.r1.mount.",
		"starts with recovery.r1.mount (Mount DB01), resumed: it had started",
		"Run it as soon as you can",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
}

func TestApplyPreconditionFailed(t *testing.T) {
	s, _, errw := streams()
	e := &planner.PreconditionError{Step: &planner.Step{ID: "recovery.r1.mount"}, Precondition: planner.Precondition{Description: "DB01 is dismounted", Fix: "dismount it"}, Err: errors.New("mounted")}
	NewApply(s, mergePlan(0), ApplyOptions{}).PreconditionFailed(e, "x", "")
	if got := errw.String(); !strings.Contains(got, "Precondition failed at apply: step recovery.r1.mount\n  check: DB01 is dismounted\n  found: mounted\n  fix:   dismount it\n") {
		t.Errorf("stderr:\n%s", got)
	}
}
