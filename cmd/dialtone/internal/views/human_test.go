package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/state"
)

// The human-only views (confirm, init, the lab's changes by hand): what goes to which
// stream, and the sentences that vary with their arguments. The goldens of the command
// scripts hold the rest, byte for byte.
func TestHumanOnlyViews(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name     string
		show     func(Streams)
		out, err string
	}{
		{"confirmed at a stage's end", func(s Streams) {
			NewConfirm(s).Confirmed("recovery.r1.repoint", "alice@ws1", at, "r1", "dial_tone")
		}, "Confirmed: step recovery.r1.repoint was carried out by alice@ws1 at 2026-01-02T03:04:05Z.\n" +
			"It was the last step of its stage: recovery.r1 is at stage \"dial_tone\".\n" +
			"Run \"dialtone apply\" to go on; it will not ask for this step again.\n", ""},
		{"confirmed mid-stage", func(s Streams) { NewConfirm(s).Confirmed("recovery.r1.x", "bob", at, "r1", "") },
			"Confirmed: step recovery.r1.x was carried out by bob at 2026-01-02T03:04:05Z.\n" +
				"Run \"dialtone apply\" to go on; it will not ask for this step again.\n", ""},
		{"forced goes to stderr", func(s Streams) { NewConfirm(s).Forced("recovery.r1.x", "EX01 is down") },
			"", "Warning: recording recovery.r1.x with -force although EX01 is down.\n"},
		{"init created", func(s Streams) { v := NewInit(s); v.StateCreated("local", "s.json", "lin"); v.Initialized() },
			"Backend \"local\": created an empty state at s.json (lineage lin).\ndialtone has been successfully initialized!\n", ""},
		{"init exists", func(s Streams) { NewInit(s).StateExists("pg", "public.state", "lin", 7) },
			"Backend \"pg\": state public.state exists (lineage lin, serial 7); nothing to do.\n", ""},
		{"a copy failed", func(s Streams) {
			NewLabAdmin(s).Failed(LabFailure{What: "database", Name: "DB01", Mode: "lost", OnServer: "EX02"}, 0)
		}, "Database DB01's copy on EX02 is now lost.\n", ""},
		{"logs lost from a generation, with lost mail", func(s Streams) {
			NewLabAdmin(s).Failed(LabFailure{What: "logs", Name: "DB01", From: 26}, 3)
		}, "Database DB01 is lost with its log generations 26 (0x1A) and newer.\n" +
			"The lab's ledger now counts 3 accepted messages as lost (no copy left anywhere); \"dialtone lab verify\" lists them.\n", ""},
		{"every log lost", func(s Streams) { NewLabAdmin(s).Failed(LabFailure{What: "logs", Name: "DB01"}, 0) },
			"The transaction logs of DB01 are lost.\n", ""},
		{"already mounted", func(s Streams) { NewLabAdmin(s).Mounted("DB02", "mount", true) }, "DB02 is already mounted.\n", ""},
		{"generated", func(s Streams) {
			NewLabAdmin(s).Generated(2, 4, 40, "g/lab", 1234567*time.Microsecond, "g/main.hcl", []string{"EX01", "EX02"})
		}, "Generated 2 servers, 4 databases, 40 mailboxes in g/lab (1.235s); configuration in g/main.hcl.\n" +
			"Recoveries for every database of EX01, EX02; \"dialtone lab fail server NAME\" for each makes it a site failure.\n", ""},
		{"version", func(s Streams) { Version(s, "v1", "linux", "amd64") }, "dialtone v1\non linux_amd64\n", ""},
		{"replayed with stages", func(s Streams) {
			NewStateNotes(s).Replayed("s.json", state.Replay{Records: 3, Steps: 2}, []string{"recovery.r1 -> dial_tone"})
		}, "", "Note: replayed 3 journal records onto the state in s.json (2 finished steps; stages raised: recovery.r1 -> dial_tone): " +
			"an apply ended before writing the state. The next write folds them in.\n"},
		{"fmt diff", func(s Streams) { NewFmt(s).Diff("a.hcl", []byte("x=1\n"), []byte("x = 1\n")) },
			"--- a.hcl\n+++ a.hcl (formatted)\n", ""},
		{"drill report not written", func(s Streams) { DrillReport(s, "", errors.New("disk full")) },
			"", "Warning: the drill's run report could not be written: disk full\n"},
		{"drill kept after a failure", func(s Streams) { DrillKept(s, "w", true) },
			"\nThe drill's lab and state are kept in w for inspection.\n", ""},
	} {
		s, out, errw := streams()
		c.show(s)
		if c.name == "fmt diff" { // the diff itself is render.DiffWith's (tested there)
			if !strings.HasPrefix(out.String(), c.out) || !strings.Contains(out.String(), "x = 1") {
				t.Errorf("%s: %q", c.name, out)
			}
			continue
		}
		if out.String() != c.out || errw.String() != c.err {
			t.Errorf("%s:\nstdout %q\nwant   %q\nstderr %q\nwant   %q", c.name, out, c.out, errw, c.err)
		}
	}
}
