package runreport

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render/mdcheck"
)

var update = flag.Bool("update", false, "rewrite the Markdown goldens")

// syntheticReport is the report of an apply of n recoveries (same_server, to
// complete, 20 mailboxes each) with fixed times, one after the other: every kind of
// row a report has (done, skipped with its reason, retried, failed merge, confirmed
// by a person before the run), and paused at a manual step when paused.
func syntheticReport(n int, paused bool) *Report {
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	at := t0
	rep := &Report{FormatVersion: FormatVersion, ID: fmt.Sprintf("20260314T090000Z-apply-%04d", n), Command: "apply",
		Started: t0, Result: "complete", Lineage: "5f0c2d1e-0000-4000-8000-000000000001", Serial: 7}
	step := func(rec, id, phase, result string, d time.Duration) *Step {
		rep.Steps = append(rep.Steps, Step{ID: "recovery." + rec + "." + id, Recovery: rec, Phase: phase, Result: result,
			Started: at, Finished: at.Add(d), DurationMS: d.Milliseconds()})
		at = at.Add(d)
		return &rep.Steps[len(rep.Steps)-1]
	}
	for i := 1; i <= n; i++ {
		rec := fmt.Sprintf("db%04d-outage", i)
		rep.Recoveries = append(rep.Recoveries, Recovery{Name: rec, Option: "same_server", Database: fmt.Sprintf("DB%04d", i),
			Server: "EX01", Mailboxes: 21, To: "complete", Reached: "complete"})
		if i == 1 {
			// Confirmed by a person between runs: a row with who and when.
			rep.Steps = append(rep.Steps, Step{ID: "recovery." + rec + ".repoint_profiles_to_dial_tone", Recovery: rec,
				Started: t0.Add(-time.Hour), Finished: t0.Add(-time.Hour), Result: "confirmed", ConfirmedBy: "alice@ws1", Detail: "confirmed before this run"})
		}
		first := at
		step(rec, "create_dial_tone_database", "restore_service", "done", 40*time.Second).Detail = "created database DT" + rec
		back := step(rec, "mount_dial_tone_database", "restore_service", "done", 25*time.Second)
		rep.Outages = append(rep.Outages, Outage{Recovery: rec, Reason: planner.ReasonFailure, FromStep: rep.Steps[len(rep.Steps)-2].ID,
			ToStep: back.ID, Mailboxes: 21, Started: first, Ended: back.Finished, DurationMS: back.Finished.Sub(first).Milliseconds()})
		step(rec, "restore_backup", "restore_data", "done", 9*time.Minute).Retries = 2
		down := step(rec, "dismount_dial_tone_database", "swap", "done", 10*time.Second)
		up := step(rec, "mount_swapped_database", "swap", "done", 30*time.Second)
		rep.Outages = append(rep.Outages, Outage{Recovery: rec, Reason: planner.ReasonSwap, FromStep: down.ID, ToStep: up.ID, Mailboxes: 21,
			Started: down.Started, Ended: up.Finished, DurationMS: up.Finished.Sub(down.Started).Milliseconds()})
		step(rec, `merge["user0001@contoso.com"]`, "merge", "done", 2*time.Minute)
		step(rec, `merge["user0002@contoso.com"]`, "merge", "skipped", time.Second).Detail = "nothing to merge: the mailbox was empty before the failure | kept"
		step(rec, `merge["user0003@contoso.com"]`, "merge", "failed", 3*time.Second).Error = "MapiExceptionNotFound: `x` *not* found"
		step(rec, "remove_recovery_database", "clean_up", "done", 5*time.Second)
	}
	if paused {
		rep.Result = "paused"
		last := rep.Recoveries[n-1].Name
		rep.Recoveries[n-1].Reached = ""
		rep.Outages[len(rep.Outages)-1].Ended, rep.Outages[len(rep.Outages)-1].Open = time.Time{}, true
		rep.Waiting = []Waiting{{Step: "recovery." + last + ".recover_server", Summary: "Rebuild EX01 under its own name (Setup.exe /Mode:RecoverServer)",
			Instructions: "Rebuild EX01: (1) reset its computer account; (2) run Setup.exe /Mode:RecoverServer.", Confirm: "dialtone confirm recovery." + last + ".recover_server"}}
	}
	rep.Finished = at
	rep.DurationMS = at.Sub(t0).Milliseconds()
	return rep
}

// TestReportMarkdownGoldens renders run reports of 3, 20 and 50 recoveries, and a
// paused one, to goldens (go test -run TestReportMarkdownGoldens -update).
func TestReportMarkdownGoldens(t *testing.T) {
	for _, c := range []struct {
		n      int
		paused bool
	}{{3, false}, {3, true}, {20, false}, {50, false}} {
		name := fmt.Sprintf("report-%d.md", c.n)
		if c.paused {
			name = fmt.Sprintf("report-%d-paused.md", c.n)
		}
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			WriteMarkdown(&b, syntheticReport(c.n, c.paused))
			path := filepath.Join("testdata", "reports", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run TestReportMarkdownGoldens -update writes it)", err)
			}
			if string(want) != b.String() {
				t.Errorf("%s differs from its golden:\n%s", path, b.String())
			}
		})
	}
}

// TestReportMarkdownEssentials: the steps table fits (six columns, times without
// dates), details from the JSON are there, a paused run says where and what next, the
// measured windows have their real durations.
func TestReportMarkdownEssentials(t *testing.T) {
	var b bytes.Buffer
	WriteMarkdown(&b, syntheticReport(3, true))
	out := b.String()
	for _, want := range []string{
		"| # | step | start | took | result | details |\n",
		"| 1 | `db0001-outage.repoint_profiles_to_dial_tone` | 08:00:00 | 0.0ms | confirmed | confirmed by alice@ws1; confirmed before this run |\n",
		"| 4 | `db0001-outage.restore_backup` | 09:01:05 | 9m00s | done | 2 retries |\n",
		"| skipped | nothing to merge: the mailbox was empty before the failure \\| kept |\n",
		"error: MapiExceptionNotFound: \\`x\\` \\*not\\* found |\n",
		"> **Paused** at `recovery.db0003-outage.recover_server`: Rebuild EX01 under its own name (Setup.exe /Mode:RecoverServer).\n",
		"> Next: once it is done, run `dialtone confirm recovery.db0003-outage.recover_server`, then `dialtone apply` again.\n",
		"| `recovery.db0001-outage` | 21 | since the failure until 09:01:05 (`mount_dial_tone_database`) | this run's part: 1m05s |\n",
		"still without service when the run ended",
		"| `recovery.db0003-outage` | same_server | DB0003 | EX01 | 21 | `(not started)` → `complete` | - |\n",
		"```mermaid\ngantt\n  title Measured, in seconds from the start of the run\n",
		"  section db0001-outage\n  since the failure :crit, 0, 65\n  swap :crit, 605, 645\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestReportMarkdownRendersAsWritten renders every run report golden with cmark-gfm
// (as GitHub does) and checks the HTML, the measured timeline included.
func TestReportMarkdownRendersAsWritten(t *testing.T) {
	mdcheck.Require(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "reports", "report-*.md"))
	if len(files) < 4 {
		t.Fatalf("run report goldens: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		html, err := mdcheck.Render(string(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range mdcheck.Problems(string(b), html) {
			t.Errorf("%s: %s", f, p)
		}
		if blocks := mdcheck.MermaidBlocks(html); len(blocks) != 1 || !strings.HasPrefix(blocks[0], "gantt\n") {
			t.Errorf("%s: no measured timeline", f)
		}
	}
}
