package runreport

import (
	"errors"
	"testing"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// The walk records each step as it returned: its result, its retries (a step an
// interrupted run had started counts one more), the size of its database, and when.
func TestWalkRecordsTheSteps(t *testing.T) {
	steps := []*planner.Step{
		{ID: "recovery.r1.restore", Recovery: "r1", Stage: "restored", Phase: planner.PhaseRestoreData, Mailboxes: 21,
			Operation: providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}},
		{ID: "recovery.r1.merge", Recovery: "r1", Operation: providers.Operation{Kind: providers.OpMergeMailbox}},
		{ID: "recovery.r1.mount", Recovery: "r1", Operation: providers.Operation{Kind: providers.OpMountDatabase}},
	}
	st := state.New("l")
	st.Databases["DB01"] = &state.Database{Name: "DB01", SizeBytes: 1 << 30}
	st.Recoveries["r1"] = &state.Recovery{Name: "r1", Started: map[string]time.Time{"recovery.r1.restore": time.Now()}}
	w := NewWalk(&planner.Plan{Steps: steps}, st)

	before := time.Now()
	w.PreStep(steps[0])
	w.PostStep(steps[0], providers.Result{}, time.Second, errors.New("busy")) // first attempt fails
	w.PreStep(steps[0])
	w.PostStep(steps[0], providers.Result{Detail: "restored"}, 2*time.Second, nil)
	w.PreStep(steps[1])
	w.PostStep(steps[1], providers.Result{Skipped: true}, time.Millisecond, nil)
	w.PostStep(steps[2], providers.Result{AlreadyDone: true}, time.Second, nil) // no PreStep: started d before
	rows := w.Rows()
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Result != "failed" || r.Error != "busy" || r.Retries != 1 || r.SizeBytes != 1<<30 || r.Phase != "restore_data" || r.Mailboxes != 21 || r.Kind != "mount_database" {
		t.Errorf("failed attempt %+v", r)
	}
	if r := rows[1]; r.Result != "done" || r.Retries != 2 || r.Detail != "restored" || r.Duration != 2*time.Second || r.Started.Before(before) || r.Finished.Before(r.Started) {
		t.Errorf("second attempt %+v", r)
	}
	if r := rows[2]; r.Result != "skipped" || r.Retries != 0 || r.SizeBytes != 0 {
		t.Errorf("skipped %+v", r)
	}
	if r := rows[3]; r.Result != "already_done" || r.Finished.Sub(r.Started) != time.Second {
		t.Errorf("already done %+v", r)
	}
	rows[0].ID = "changed"
	if w.Rows()[0].ID == "changed" {
		t.Error("Rows shares its slice")
	}
}
