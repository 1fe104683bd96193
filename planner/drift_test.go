package planner_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

func TestDetectDrift(t *testing.T) {
	before := plantest.State(4)
	before.Databases["DB02"].Mounted = true
	before.Databases["DB02"].FilesOK = true
	after := plantest.State(4)
	after.Databases["DB02"].Mounted = false
	after.Databases["DB02"].FilesOK = false
	after.Servers["EX01"].Up = false
	after.Databases["DB03"] = &state.Database{Name: "DB03", Server: "EX01", Mounted: true}
	var moved []string
	for addr, m := range after.Mailboxes {
		if m.Database == "DB01" && len(moved) < 4 {
			m.Database = "DB02"
			moved = append(moved, addr)
		}
	}
	got := planner.DetectDrift(before, after, planner.DriftOptions{})
	var kinds []planner.DriftKind
	for _, d := range got {
		kinds = append(kinds, d.Kind)
	}
	want := []planner.DriftKind{planner.DriftServerDown, planner.DriftDatabaseFilesLost, planner.DriftDatabaseDismounted,
		planner.DriftDatabaseAdded, planner.DriftMailboxesMoved}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds %v, want %v\n%+v", kinds, want, got)
	}
	mv := got[len(got)-1]
	if mv.From != "DB01" || mv.To != "DB02" || mv.Count != len(moved) || len(mv.Examples) != min(len(moved), planner.DriftExamples) {
		t.Errorf("moved: %+v (moved %d)", mv, len(moved))
	}
	if got := planner.DetectDrift(state.New("x"), after, planner.DriftOptions{}); got != nil {
		t.Errorf("a never refreshed state has drift: %+v", got)
	}
	if got := planner.DetectDrift(plantest.State(4), plantest.State(4), planner.DriftOptions{}); len(got) != 0 {
		t.Errorf("no change, drift %+v", got)
	}
}

func TestEstimate(t *testing.T) {
	p := &planner.Plan{
		Steps: []*planner.Step{
			{ID: "recovery.r.a", Recovery: "r", Phase: planner.PhaseRestoreService, Mailboxes: 100, Operation: providers.Operation{Kind: providers.OpRehomeMailboxes}},
			{ID: "recovery.r.b", Recovery: "r", Phase: planner.PhaseRestoreService, Operation: providers.Operation{Kind: providers.OpMountDatabase}},
			{ID: "recovery.r.c", Recovery: "r", Phase: planner.PhaseRestoreData, Operation: providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB"}},
			{ID: "recovery.r.d", Recovery: "r", Phase: planner.PhaseCleanUp, Operation: providers.Operation{Kind: providers.OpDeleteFiles}},
		},
		Outages: []planner.OutageWindow{{Recovery: "r", FromStep: "recovery.r.a", ToStep: "recovery.r.b"}},
	}
	planner.Estimate(p, planner.History{}, nil)
	if p.Estimates == nil || !p.Estimates.NoHistory {
		t.Fatalf("no history: %+v", p.Estimates)
	}
	t0 := time.Unix(0, 0)
	h := planner.History{Runs: []planner.HistoryRun{
		{ID: "1", Steps: []planner.MeasuredStep{
			{Kind: providers.OpRehomeMailboxes, Mailboxes: 10, Started: t0, Duration: 10 * time.Second},
			{Kind: providers.OpMountDatabase, Started: t0, Duration: 4 * time.Second},
			{Kind: providers.OpReplayLogs, SizeBytes: 2 << 30, Started: t0, Duration: 60 * time.Second},
		}},
		{ID: "2", Steps: []planner.MeasuredStep{
			{Kind: providers.OpRehomeMailboxes, Mailboxes: 10, Started: t0, Duration: 30 * time.Second},
			{Kind: providers.OpMountDatabase, Started: t0, Duration: 6 * time.Second},
		}},
	}}
	planner.Estimate(p, h, map[string]int64{"RDB": 4 << 30})
	e := p.Estimates
	if e.NoHistory || e.Runs != 2 || len(e.Phases) != 3 {
		t.Fatalf("estimates %+v", e)
	}
	// Re-home: median of 1 s and 3 s per mailbox = 2 s x 100; mount: median 5 s.
	if ph := e.Phases[0]; ph.Seconds != 205 || ph.Partial {
		t.Errorf("restore_service %+v", ph)
	}
	// Replay: 30 s/GiB x 4 GiB.
	if ph := e.Phases[1]; ph.Seconds != 120 || ph.Partial {
		t.Errorf("restore_data %+v", ph)
	}
	if ph := e.Phases[2]; !ph.Partial || ph.Seconds != 0 {
		t.Errorf("clean_up (never measured) %+v", ph)
	}
	if o := e.Outages[0]; o.Seconds != 205 || o.Partial {
		t.Errorf("outage %+v", o)
	}
}
