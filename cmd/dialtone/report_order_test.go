package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
)

// Three applies within one second (issue 15): "report" without an ID is the last by
// start time, and "report -list" lists them by start, whatever their IDs' random
// suffixes (which share the second) say. The suffixes here sort against the starts.
func TestReportOrderWithinOneSecond(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("server \"EX01\" {\n  edition = \"standard\"\n  version = \"15.2.1544.4\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := runreport.Local{Dir: filepath.Join(dir, reportsDir)}
	t0 := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	runs := []struct {
		id      string
		started time.Duration
	}{
		{"20261205T010000Z-apply-ffff", 100 * time.Millisecond}, // first
		{"20261205T010000Z-apply-0000", 900 * time.Millisecond}, // last
		{"20261205T010000Z-apply-8888", 500 * time.Millisecond}, // second
	}
	for _, r := range runs {
		rep := &runreport.Report{ID: r.id, Command: "apply", Result: "complete", Started: t0.Add(r.started)}
		if err := runreport.Save(context.Background(), store, rep, func(b []byte) []byte { return b }); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := store.ReportIDs(context.Background())
	if err != nil || len(ids) != 3 {
		t.Fatalf("ids %v, %v", ids, err)
	}
	if got := runreport.Latest(context.Background(), store, ids); got != "20261205T010000Z-apply-0000" {
		t.Errorf("latest = %s, want the run that started last (…-0000)", got)
	}

	var out, errOut bytes.Buffer
	if code := run([]string{"-chdir=" + dir, "report", "-list"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("report -list: exit %d: %s", code, errOut.String())
	}
	var order []string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "2026") {
			order = append(order, f[0])
		}
	}
	want := []string{"20261205T010000Z-apply-ffff", "20261205T010000Z-apply-8888", "20261205T010000Z-apply-0000"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("report -list order %v, want by start %v", order, want)
	}
	out.Reset()
	if code := run([]string{"-chdir=" + dir, "report", "-format=json"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), `"id": "20261205T010000Z-apply-0000"`) {
		t.Errorf("report without an ID printed:\n%s", out.String())
	}
}
