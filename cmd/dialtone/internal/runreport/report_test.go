package runreport

import (
	"errors"
	"testing"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// outagePlan is a same_server plan cut down to what a report reads: two outage windows
// (since the failure until the dial tone mount; the swap) and a manual step.
func outagePlan() *planner.Plan {
	step := func(id string, manual bool) *planner.Step {
		return &planner.Step{ID: "recovery.r1." + id, Recovery: "r1", Stage: "dial_tone", Manual: manual,
			Operation: providers.Operation{Kind: providers.OpMountDatabase, Instructions: "do " + id}, Summary: "Step " + id}
	}
	return &planner.Plan{
		Recoveries: []planner.RecoveryChange{{Name: "r1", Option: "same_server", Database: "DB01", Server: "EX01", From: "", To: "swapped", Mailboxes: 21}},
		Steps:      []*planner.Step{step("create", false), step("mount_dt", false), step("repoint", true), step("dismount_dt", false), step("mount_swapped", false)},
		Outages: []planner.OutageWindow{
			{Recovery: "r1", FromStep: "recovery.r1.create", ToStep: "recovery.r1.mount_dt", Mailboxes: 21, Reason: planner.ReasonFailure},
			{Recovery: "r1", FromStep: "recovery.r1.dismount_dt", ToStep: "recovery.r1.mount_swapped", Mailboxes: 21, Reason: planner.ReasonSwap},
		},
	}
}

func row(id string, start time.Time, d time.Duration, result string) Row {
	return Row{ID: "recovery.r1." + id, Recovery: "r1", Stage: "dial_tone", Result: result, Started: start, Finished: start.Add(d), Duration: d}
}

func TestReportMeasuresOutageWindows(t *testing.T) {
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	st := state.New("lineage-1")
	st.Serial = 4
	st.Recoveries["r1"] = &state.Recovery{Name: "r1", Stage: "dial_tone", Steps: map[string]*state.StepRecord{
		// Confirmed by a person in this run's plan; and one confirmed before the run that no plan lists.
		"recovery.r1.repoint":     {ID: "recovery.r1.repoint", Started: t0.Add(3 * time.Second), Finished: t0.Add(4 * time.Second), Result: "confirmed", ConfirmedBy: "alice@ws1"},
		"recovery.r1.earlier":     {ID: "recovery.r1.earlier", Started: t0.Add(-2 * time.Hour), Finished: t0.Add(-2 * time.Hour), Result: "confirmed", ConfirmedBy: "bob@ws2"},
		"recovery.r1.create":      {ID: "recovery.r1.create", Started: t0, Finished: t0.Add(time.Second), Result: "done"},
		"recovery.r1.mount_dt":    {ID: "recovery.r1.mount_dt", Started: t0.Add(time.Second), Finished: t0.Add(3 * time.Second), Result: "done"},
		"recovery.r1.lost_record": nil, // a damaged record is passed over
	}}
	r := NewRecorder()
	r.started = t0
	p := outagePlan()
	r.Applied(p, []Row{
		row("create", t0, time.Second, "done"),
		row("mount_dt", t0.Add(time.Second), 2*time.Second, "done"),
		row("dismount_dt", t0.Add(5*time.Second), time.Second, "done"),
		row("mount_swapped", t0.Add(6*time.Second), time.Second, "failed"),
	}, st)
	r.Waiting([]*planner.Step{p.Steps[4]})
	r.Verified(&lab.VerifyReport{Accepted: 10, Delivered: 9, Lost: []string{"m1"}})
	rep := r.Report("apply", "paused", errors.New("boom"))

	if rep.FormatVersion != FormatVersion || rep.Command != "apply" || rep.Result != "paused" || rep.Error != "boom" || rep.Lineage != "lineage-1" || rep.Serial != 4 {
		t.Errorf("header: %+v", rep)
	}
	if len(rep.Recoveries) != 1 || rep.Recoveries[0].Reached != "dial_tone" || rep.Recoveries[0].To != "swapped" {
		t.Errorf("recoveries: %+v", rep.Recoveries)
	}
	// Steps by start: the earlier confirmation first, then the run's rows and the manual step of its plan.
	var ids []string
	for _, s := range rep.Steps {
		ids = append(ids, s.ID+"="+s.Result)
	}
	want := []string{"recovery.r1.earlier=confirmed", "recovery.r1.create=done", "recovery.r1.mount_dt=done", "recovery.r1.repoint=confirmed",
		"recovery.r1.dismount_dt=done", "recovery.r1.mount_swapped=failed"}
	if len(ids) != len(want) {
		t.Fatalf("steps %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("steps %v, want %v", ids, want)
		}
	}
	if rep.Steps[0].Detail != "confirmed before this run" || rep.Steps[0].ConfirmedBy != "bob@ws2" || rep.Steps[3].ConfirmedBy != "alice@ws1" {
		t.Errorf("confirmations: %+v / %+v", rep.Steps[0], rep.Steps[3])
	}
	// The first window closed when the dial tone database mounted; the swap is still open:
	// its closing step failed, so it is measured to the end of the run.
	if len(rep.Outages) != 2 {
		t.Fatalf("outages: %+v", rep.Outages)
	}
	if o := rep.Outages[0]; o.Open || o.DurationMS != 3000 || !o.Started.Equal(t0) || !o.Ended.Equal(t0.Add(3*time.Second)) {
		t.Errorf("failure window: %+v", o)
	}
	if o := rep.Outages[1]; !o.Open || !o.Ended.IsZero() || o.DurationMS < (time.Hour-5*time.Second).Milliseconds() {
		t.Errorf("swap window: %+v, want open since %s", o, t0.Add(5*time.Second))
	}
	if len(rep.Waiting) != 1 || rep.Waiting[0].Confirm != "dialtone confirm recovery.r1.mount_swapped" || rep.Waiting[0].Instructions != "do mount_swapped" {
		t.Errorf("waiting: %+v", rep.Waiting)
	}
	if v := rep.Verification; v == nil || v.Delivered != 10 || v.Recovered != 9 || v.Lost != 1 || !v.OK {
		t.Errorf("verification: %+v", v)
	}
}

// A window whose first step ran in an earlier run is not this run's: it is left out.
func TestReportLeavesOutWindowsStartedEarlier(t *testing.T) {
	t0 := time.Now().UTC()
	r := NewRecorder()
	p := outagePlan()
	r.Applied(p, []Row{row("dismount_dt", t0, time.Second, "done"), row("mount_swapped", t0.Add(time.Second), time.Second, "done")}, state.New("l"))
	rep := r.Report("apply", "complete", nil)
	if len(rep.Outages) != 1 || rep.Outages[0].Reason != planner.ReasonSwap || rep.Outages[0].DurationMS != 2000 || rep.Outages[0].Open {
		t.Fatalf("outages: %+v", rep.Outages)
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var r *Recorder
	r.Applied(outagePlan(), nil, nil)
	r.Verified(nil)
	r.Waiting(nil)
	if !r.Empty() {
		t.Fatal("a nil recorder is not empty")
	}
	if NewRecorder().Empty() != true {
		t.Fatal("a new recorder is not empty")
	}
}

func TestNewRunIDSortsByTime(t *testing.T) {
	a := NewRunID("apply", time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC))
	b := NewRunID("drill", time.Date(2026, 1, 2, 15, 4, 6, 0, time.UTC))
	if len(a) != len("20260102T150405Z-apply-1a2b") || a[:23] != "20260102T150405Z-apply-" || !(a < b) {
		t.Fatalf("run IDs %q, %q", a, b)
	}
}
