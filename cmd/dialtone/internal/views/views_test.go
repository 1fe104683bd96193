package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/importhcl"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

func TestStateViews(t *testing.T) {
	st := state.New("lin")
	st.Servers["EX01"] = &state.Server{Name: "EX01", Site: "HQ", Edition: "standard", Version: "15.2", Up: true}
	st.Databases["DB01"] = &state.Database{Name: "DB01", Server: "EX01", FilesOK: true, Clean: false}
	st.Mailboxes["a@contoso.com"] = &state.Mailbox{Address: "a@contoso.com", Database: "DB01"}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st.Recoveries["r1"] = &state.Recovery{Name: "r1", Stage: "dial_tone", Steps: map[string]*state.StepRecord{
		"recovery.r1.create":          {ID: "recovery.r1.create", Result: "done", Finished: t0},
		"recovery.r1.repoint":         {ID: "recovery.r1.repoint", Result: "confirmed", ConfirmedBy: "alice@ws1", Finished: t0.Add(time.Minute)},
		"recovery.r1.merge[\"a\"]":    {ID: "recovery.r1.merge[\"a\"]", Result: "skipped", Finished: t0},
		"recovery.r1.merge[\"b\"]":    {ID: "recovery.r1.merge[\"b\"]", Result: "done", Finished: t0},
		"recovery.r1.mount_dial_tone": {ID: "recovery.r1.mount_dial_tone", Result: "done", Finished: t0},
	}}
	s, out, _ := streams()
	if err := NewState(s, false).Show("dialtone.state.json", st); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"State dialtone.state.json: lineage lin, serial 0\n",
		"  EX01       site HQ, standard, 15.2, up\n",
		"  DB01       on EX01     dismounted, dirty shutdown",
		"  recovery.r1: stage dial_tone, 5 steps finished\n    recovery.r1.create: done\n    recovery.r1.mount_dial_tone: done\n    recovery.r1.repoint: confirmed by alice@ws1 at 2026-01-02T03:05:05Z\n    2 merge steps finished (1 skipped)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("state text lacks %q:\n%s", want, got)
		}
	}
	s, out, _ = streams()
	if err := NewState(s, true).Show("x", st); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "\n") || !strings.Contains(out.String(), `"lineage": "lin"`) {
		t.Errorf("state JSON:\n%s", out.String())
	}
	s, out, _ = streams()
	StateAddresses(s, st)
	if out.String() != "database.DB01\nmailbox.a@contoso.com\nrecovery.r1\nserver.EX01\n" {
		t.Errorf("addresses:\n%s", out.String())
	}
	s, out, _ = streams()
	if err := StateObject(s, "server.EX01", st.Servers["EX01"]); err != nil || !strings.HasPrefix(out.String(), "# server.EX01\n") || !strings.Contains(out.String(), `  site    = "HQ"`) {
		t.Errorf("object: %v\n%s", err, out.String())
	}
}

func TestReportViews(t *testing.T) {
	reps := []*runreport.Report{{ID: "20260102T030405Z-drill-00aa", Command: "drill", Drill: "db01-lost", Result: "passed", DurationMS: 1500,
		Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	s, out, _ := streams()
	NewReport(s, false).List(nil)
	if !strings.Contains(out.String(), "No run reports yet") {
		t.Errorf("empty list: %s", out.String())
	}
	s, out, _ = streams()
	NewReport(s, false).List(reps)
	if !strings.Contains(out.String(), "20260102T030405Z-drill-00aa       2026-01-02 03:04:05Z  drill db01-lost   passed       1.50s") {
		t.Errorf("list:\n%s", out.String())
	}
	s, out, _ = streams()
	NewReport(s, true).List(reps)
	var entries []map[string]any
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil || len(entries) != 1 || entries[0]["time"] != "2026-01-02T03:04:05Z" || entries[0]["drill"] != "db01-lost" {
		t.Errorf("JSON list %v: %s", err, out.String())
	}
}

func TestValidateJSONSnippet(t *testing.T) {
	src := []byte("server \"EX01\" {\n  edition = \"platinum\"\n}\n")
	files := map[string]*hcl.File{"main.hcl": {Bytes: src}}
	rng := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 2, Column: 13, Byte: 28}, End: hcl.Pos{Line: 2, Column: 23, Byte: 38}}
	diags := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid edition", Subject: &rng}, {Severity: hcl.DiagWarning, Summary: "Deprecated"}}
	s, out, _ := streams()
	valid, err := NewValidate(s, true).Result(files, diags)
	if err != nil || valid {
		t.Fatalf("valid %v, %v", valid, err)
	}
	var doc validateDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ErrorCount != 1 || doc.WarningCount != 1 || doc.Diagnostics[0].Snippet == nil {
		t.Fatalf("%+v", doc)
	}
	sn := doc.Diagnostics[0].Snippet
	if sn.Code != `  edition = "platinum"` || sn.StartLine != 2 || sn.Code[sn.HighlightStartOffset:sn.HighlightEndOffset] != `"platinum"` {
		t.Errorf("snippet %+v", sn)
	}
	if snippet(src, hcl.Range{Start: hcl.Pos{Byte: 5}, End: hcl.Pos{Byte: 500}}) != nil {
		t.Error("a range outside the source has a snippet")
	}
	s, out, _ = streams()
	if valid, _ := NewValidate(s, false).Result(nil, nil); !valid || !strings.Contains(out.String(), "Success! The configuration is valid.") {
		t.Errorf("human: %v %s", valid, out.String())
	}
}

func TestLabVerified(t *testing.T) {
	r := &lab.VerifyReport{Accepted: 5, Delivered: 3, Lost: []string{"m2", "m1"}, LostReason: map[string]string{"m1": "log 7 destroyed", "m2": "log 7 destroyed"}, Queued: []string{"m5"}}
	s, out, _ := streams()
	NewLab(s, false).Verified(r, true)
	got := out.String()
	for _, want := range []string{"Verification FAILED: 5 messages accepted, 3 delivered exactly once, 0 missing, 0 duplicated, 1 still queued, 0 unexpected, 2 lost.",
		"  still queued:\n    m5\n", "    log 7 destroyed:\n      m2\n      m1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	r.Queued = nil
	s, out, _ = streams()
	NewLab(s, false).Verified(r, true)
	if !strings.HasPrefix(out.String(), "Verification passed, with accepted losses:") {
		t.Errorf("accepted losses: %s", out.String())
	}
	s, out, _ = streams()
	NewLab(s, true).Delivered(nil)
	if out.String() != "{\n  \"accepted\": []\n}\n" {
		t.Errorf("JSON delivered: %q", out.String())
	}
}

func TestImportSummaryAndRefresh(t *testing.T) {
	s, out, _ := streams()
	names := make([]string, 12)
	for i := range names {
		names[i] = "DB" + string(rune('A'+i))
	}
	ImportSummary(s.Out, &importhcl.Result{AddedServers: []string{"EX01"}, SkippedDatabases: names, Notes: []string{"n"}}, "org.hcl")
	got := out.String()
	if !strings.Contains(got, "Imported 1 server and 0 databases to org.hcl.\n") || !strings.Contains(got, "database DBJ and 2 more.\n") || !strings.Contains(got, "Note: n\n") {
		t.Errorf("summary:\n%s", got)
	}
	s, out, _ = streams()
	st := state.New("l")
	st.Serial = 3
	Refresh{S: s}.Refreshed([]planner.Drift{{Summary: "DB02 dismounted"}}, []planner.Drift{{Summary: "DTDB01 created", Step: "recovery.r1.create"}}, "x.json", st)
	got = out.String()
	if !strings.Contains(got, "  ~ DTDB01 created (recovery.r1.create)\n") || !strings.Contains(got, "Changed outside dialtone since the last recorded state:\n  ~ DB02 dismounted\n") ||
		!strings.Contains(got, "Refreshed: 0 servers, 0 databases, 0 mailboxes recorded in x.json (serial 3).") {
		t.Errorf("refresh:\n%s", got)
	}
}
