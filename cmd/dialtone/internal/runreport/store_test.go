package runreport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func localStore(t *testing.T) Local {
	return Local{Dir: filepath.Join(t.TempDir(), Dir)}
}

func TestLocalSavesJSONAndMarkdownPrivately(t *testing.T) {
	s := localStore(t)
	rep := &Report{FormatVersion: FormatVersion, ID: "20260102T150405Z-apply-1a2b", Command: "apply", Result: "failed", Error: "password hunter2 refused",
		Started: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)}
	scrub := func(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), "hunter2", "(sensitive)")) }
	if err := Save(context.Background(), s, rep, scrub); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{rep.ID + ".json", rep.ID + ".md"} {
		b, err := os.ReadFile(filepath.Join(s.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), "(sensitive)") {
			t.Errorf("%s is not scrubbed:\n%s", name, b)
		}
		if fi, _ := os.Stat(filepath.Join(s.Dir, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(s.Dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("reports folder mode %v, want 0700", fi.Mode().Perm())
	}
	got, err := Load(context.Background(), s, rep.ID)
	if err != nil || got.ID != rep.ID || got.Result != "failed" || !got.Started.Equal(rep.Started) {
		t.Fatalf("Load = %+v, %v", got, err)
	}
}

func TestLocalRefusesNamesOutsideItsFolder(t *testing.T) {
	s := localStore(t)
	for _, id := range []string{"", "../state", `..\state`, ".hidden", "a/b"} {
		if _, err := s.GetReport(context.Background(), id); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("GetReport(%q) = %v, want not found", id, err)
		}
	}
	if ids, err := s.ReportIDs(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("a store without a folder lists %v, %v", ids, err)
	}
}

func TestLoadAllSkipsDamagedReports(t *testing.T) {
	s := localStore(t)
	id := func(n string) string { return "20260102T150405Z-apply-" + n }
	for _, n := range []string{"0001", "0003"} {
		if err := Save(context.Background(), s, &Report{ID: id(n), Command: "apply"}, func(b []byte) []byte { return b }); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Dir, id("0002")+".json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	reps := LoadAll(context.Background(), s, hclog.NewNullLogger())
	if len(reps) != 2 || reps[0].ID != id("0001") || reps[1].ID != id("0003") {
		t.Fatalf("LoadAll = %d reports: %+v", len(reps), reps)
	}
	if got := LoadAll(context.Background(), Failed{Err: errors.New("backend down")}, hclog.NewNullLogger()); got != nil {
		t.Fatalf("LoadAll of a failed store = %v", got)
	}
}

// Runs started within one second: Latest is the last by start, whatever the random
// suffixes of their IDs say.
func TestLatestWithinOneSecond(t *testing.T) {
	s := localStore(t)
	t0 := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	for id, off := range map[string]time.Duration{"20261205T010000Z-apply-ffff": 100, "20261205T010000Z-apply-0000": 900, "20261205T010000Z-apply-8888": 500} {
		if err := Save(context.Background(), s, &Report{ID: id, Started: t0.Add(off * time.Millisecond)}, func(b []byte) []byte { return b }); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := s.ReportIDs(context.Background())
	if got := Latest(context.Background(), s, ids); got != "20261205T010000Z-apply-0000" {
		t.Fatalf("Latest = %s", got)
	}
}
