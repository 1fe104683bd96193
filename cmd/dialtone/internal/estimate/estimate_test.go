package estimate

import (
	"testing"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/state"
)

func TestHistoryKeepsOnlyFinishedSteps(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	reps := []*runreport.Report{
		{ID: "a", Steps: []runreport.Step{
			{Kind: "mount_database", Result: "done", Mailboxes: 3, SizeBytes: 1 << 30, Started: t0, DurationMS: 1500},
			{Kind: "merge_mailbox", Result: "already_done", Started: t0, DurationMS: 10},
			{Kind: "merge_mailbox", Result: "failed", DurationMS: 99},
			{Kind: "merge_mailbox", Result: "skipped", DurationMS: 99},
			{Kind: "manual", Result: "confirmed", DurationMS: 99},
		}},
		{ID: "b", Steps: []runreport.Step{{Kind: "mount_database", Result: "failed"}}}, // nothing finished: no run
	}
	h := History(reps)
	if len(h.Runs) != 1 || h.Runs[0].ID != "a" || len(h.Runs[0].Steps) != 2 {
		t.Fatalf("history: %+v", h)
	}
	s := h.Runs[0].Steps[0]
	if s.Kind != "mount_database" || s.Mailboxes != 3 || s.SizeBytes != 1<<30 || !s.Started.Equal(t0) || s.Duration != 1500*time.Millisecond {
		t.Fatalf("measured step: %+v", s)
	}
}

func TestSizes(t *testing.T) {
	if Sizes(nil) != nil {
		t.Fatal("sizes of no state")
	}
	st := state.New("l")
	st.Databases["DB01"] = &state.Database{Name: "DB01", SizeBytes: 42}
	st.Databases["DB02"] = &state.Database{Name: "DB02"}
	st.Databases["DB03"] = nil
	got := Sizes(st)
	if len(got) != 1 || got["DB01"] != 42 {
		t.Fatalf("Sizes = %v, want only the known size of DB01", got)
	}
}
