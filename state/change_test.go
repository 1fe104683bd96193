package state

import (
	"reflect"
	"testing"
	"time"
)

func TestApplyChangeEachKind(t *testing.T) {
	s := &State{Lineage: "l"} // nil maps: ApplyChange must create them

	s.ApplyChange(Change{PutDatabase: &Database{Name: "DTDB01", Server: "EX01"}})
	if d := s.Databases["DTDB01"]; d == nil || d.Server != "EX01" {
		t.Fatalf("PutDatabase: got %+v", s.Databases)
	}
	d := &Database{Name: "DTDB01", Server: "EX02", Mounted: true}
	s.ApplyChange(Change{PutDatabase: d})
	d.Server = "changed after" // the state must hold a copy
	if got := s.Databases["DTDB01"]; got.Server != "EX02" || !got.Mounted || len(s.Databases) != 1 {
		t.Fatalf("PutDatabase replace: got %+v", got)
	}

	s.Mailboxes["a@x"] = &Mailbox{Address: "a@x", Database: "DB01"}
	s.Mailboxes["b@x"] = &Mailbox{Address: "b@x", Database: "DB01"}
	s.Mailboxes["c@x"] = &Mailbox{Address: "c@x", Database: "DB02"}
	s.ApplyChange(Change{Rehome: &Rehome{From: "DB01", To: "DTDB01"}})
	if got := s.CountMailboxesOn(); !reflect.DeepEqual(got, map[string]int{"DTDB01": 2, "DB02": 1}) {
		t.Fatalf("Rehome: counts %v", got)
	}

	s.ApplyChange(Change{Stage: &StageMark{Recovery: "r1", Stage: "dial_tone"}})
	if r := s.Recoveries["r1"]; r == nil || r.Stage != "dial_tone" || r.Name != "r1" || r.Steps == nil {
		t.Fatalf("Stage: got %+v", r)
	}

	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.ApplyChange(Change{StepDone: &StepDone{Recovery: "r2", Record: StepRecord{ID: "recovery.r2.mount", Finished: at, Result: "done"}}})
	if r := s.Recoveries["r2"]; r == nil || r.Steps["recovery.r2.mount"] == nil || !r.Steps["recovery.r2.mount"].Finished.Equal(at) {
		t.Fatalf("StepDone on a missing recovery: got %+v", r)
	}
	s.ApplyChange(Change{StepDone: &StepDone{Recovery: "r1", Record: StepRecord{ID: "recovery.r1.x", Result: "confirmed"}}})
	if r := s.Recoveries["r1"]; r.Stage != "dial_tone" || r.Steps["recovery.r1.x"].Result != "confirmed" {
		t.Fatalf("StepDone on an existing recovery: got %+v", r)
	}

	s.ApplyChange(Change{PutRestoreRequest: &RestoreRequest{Name: "m1", Status: "Queued"}})
	s.ApplyChange(Change{PutRestoreRequest: &RestoreRequest{Name: "m1", Status: "Completed"}})
	if rr := s.RestoreRequests["m1"]; rr == nil || rr.Status != "Completed" {
		t.Fatalf("PutRestoreRequest: got %+v", rr)
	}
	s.ApplyChange(Change{DeleteRestoreRequest: "m1"})
	if len(s.RestoreRequests) != 0 {
		t.Fatalf("DeleteRestoreRequest: left %v", s.RestoreRequests)
	}

	s.ApplyChange(Change{DeleteDatabase: "DTDB01"})
	if _, ok := s.Databases["DTDB01"]; ok {
		t.Fatal("DeleteDatabase: still there")
	}

	before, _ := Encode(s)
	s.ApplyChange(Change{})
	s.ApplyChange(Change{DeleteDatabase: "nope", DeleteRestoreRequest: "nope"})
	s.ApplyChange(Change{Rehome: &Rehome{From: "none", To: "DB09"}})
	if after, _ := Encode(s); string(after) != string(before) {
		t.Fatal("a change with nothing to do changed the state")
	}
}

func TestRefreshKeepsRecordedProgress(t *testing.T) {
	s := sampleState()
	s.Refresh(&Observed{Servers: map[string]*Server{"EX09": {Name: "EX09"}}})
	if len(s.Servers) != 1 || s.Servers["EX09"] == nil {
		t.Fatalf("servers not replaced: %v", s.Servers)
	}
	if s.Databases == nil || len(s.Databases) != 0 || s.Mailboxes == nil || len(s.Mailboxes) != 0 {
		t.Fatalf("unobserved kinds must become empty maps: %v %v", s.Databases, s.Mailboxes)
	}
	if s.Recoveries["db01-outage"] == nil || s.RestoreRequests["merge-ceo"] == nil || s.Serial != 7 || s.Lineage == "" {
		t.Fatal("Refresh lost recorded progress, lineage or serial")
	}
	s.Refresh(nil)
	if s.Servers == nil || len(s.Servers) != 0 {
		t.Fatal("Refresh(nil) must leave empty maps")
	}
}

func TestMailboxesOnSortedByAddress(t *testing.T) {
	s := sampleState()
	s.Mailboxes["zed@contoso.com"] = &Mailbox{Address: "zed@contoso.com", Database: "DB02"}
	var got []string
	for _, m := range s.MailboxesOn("DB01") {
		got = append(got, m.Address)
	}
	if want := []string{"amy@contoso.com", "ceo@contoso.com"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("MailboxesOn(DB01) = %v, want %v", got, want)
	}
	if s.MailboxesOn("DB99") != nil {
		t.Fatal("MailboxesOn of an empty database must be nil")
	}
	if got := s.CountMailboxesOn(); !reflect.DeepEqual(got, map[string]int{"DB01": 2, "DB02": 1}) {
		t.Fatalf("CountMailboxesOn = %v", got)
	}
}

// BenchmarkRehome100k re-homes 100,000 mailboxes (design.md: under 2 s in the lab; the
// state's part is one pass).
func BenchmarkRehome100k(b *testing.B) {
	s := bigState(100_000)
	from, to := "DB0001", "DTDB"
	for b.Loop() {
		s.ApplyChange(Change{Rehome: &Rehome{From: from, To: to}})
		from, to = to, from
	}
}

// A provider that reports restore requests and backups is the truth about them: a
// request that Failed on bad items must reach the planner, which resumes it.
func TestRefreshAdoptsReportedRequestsAndBackups(t *testing.T) {
	s := sampleState()
	failed := &RestoreRequest{Name: `amy@contoso.com\dialtone-db01-outage`, SourceDatabase: "RDB01", TargetMailbox: "amy@contoso.com", Status: "Failed", BadItems: 7}
	backup := &Backup{Set: "nightly", Database: "DB01", Generation: 42}
	s.Refresh(&Observed{
		RestoreRequests: map[string]*RestoreRequest{failed.Name: failed},
		Backups:         map[string]*Backup{"DB01/nightly": backup},
	})
	if got := s.RestoreRequests[failed.Name]; got == nil || got.Status != "Failed" || len(s.RestoreRequests) != 1 {
		t.Fatalf("restore requests not adopted: %v", s.RestoreRequests)
	}
	if s.Backups["DB01/nightly"] == nil {
		t.Fatalf("backups not adopted: %v", s.Backups)
	}
	// A provider that cannot tell (nil) leaves what was recorded.
	s.Refresh(&Observed{})
	if s.RestoreRequests[failed.Name] == nil || s.Backups["DB01/nightly"] == nil {
		t.Fatal("a provider that reports nothing erased the recorded requests and backups")
	}
}

func TestFinishedStepsCountsOnlyStepDone(t *testing.T) {
	changes := []Change{
		{StepStarted: &StepStarted{Recovery: "r", ID: "a"}},
		{StepDone: &StepDone{Recovery: "r", Record: StepRecord{ID: "a"}}},
		{Stage: &StageMark{Recovery: "r", Stage: "dial_tone"}},
	}
	if n := FinishedSteps(changes); n != 1 {
		t.Fatalf("FinishedSteps = %d, want 1", n)
	}
}

// TestCopyServersAccumulate: the copy servers of a recovery are recorded once each
// (case-insensitively), in the order first recorded; a replay of the same record
// changes nothing, and a refresh (which drops what it no longer sees of the failed
// database) keeps them.
func TestCopyServersAccumulate(t *testing.T) {
	s := New("l")
	s.ApplyChange(Change{CopyServers: &CopyServers{Recovery: "r1", Servers: []string{"EX02", "EX03"}}})
	s.ApplyChange(Change{CopyServers: &CopyServers{Recovery: "r1", Servers: []string{"ex03", "EX04", ""}}})
	s.ApplyChange(Change{CopyServers: &CopyServers{Recovery: "r1", Servers: []string{"EX02", "EX03"}}})
	if got := s.Recoveries["r1"].CopyServers; !reflect.DeepEqual(got, []string{"EX02", "EX03", "EX04"}) {
		t.Fatalf("copy servers %v", got)
	}
	s.Refresh(&Observed{})
	if got := s.Recoveries["r1"].CopyServers; len(got) != 3 {
		t.Fatalf("a refresh dropped the recorded copy servers: %v", got)
	}
}
