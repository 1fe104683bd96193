package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func plan(t testing.TB, cfg *config.Config, st *state.State) *planner.Plan {
	t.Helper()
	p, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return p
}

func text(t testing.TB, p *planner.Plan, color bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.Text(&b, p, render.TextOptions{Color: color}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got ---\n%s", path, got)
	}
}

// TestTextExample renders the examples/same-server plan (20 mailboxes, as its drill
// makes) to dial_tone from scratch, and to complete from dial_tone.
func TestTextExample(t *testing.T) {
	t.Run("dial_tone", func(t *testing.T) {
		golden(t, "example-dial_tone.txt", text(t, plan(t, plantest.Config(config.StageDialTone), plantest.State(20)), false))
	})
	t.Run("complete", func(t *testing.T) {
		st := plantest.State(20)
		p := plan(t, plantest.Config(config.StageDialTone), st)
		if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, nil, nil, planner.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		golden(t, "example-complete.txt", text(t, plan(t, plantest.Config(config.StageComplete), st), false))
	})
}

func TestTextEssentials(t *testing.T) {
	p := plan(t, plantest.Config(config.StageComplete), plantest.State(25))
	out := text(t, p, false)
	for _, want := range []string{
		"dialtone will carry out 51 steps for 1 recovery; 25 mailboxes affected.\n",
		`recovery.db01-outage: same_server recovery of DB01 on EX01 (25 mailboxes): stage "(not started)" -> "complete"`,
		"  Restore service:\n", "  Restore data:\n", "  Swap:\n", "  Merge:\n", "  Clean up:\n",
		"!! OUTAGE STARTS", "** service back", "!! users down",
		"#3 ", "PS> Mount-Database -Identity 'DTDB01'",
		"... and 5 more merge steps (one per mailbox; see -json)\n",
		"Outage windows:\n",
		"25 mailboxes without service from step 1 (preserve_failed_files) to step 5 (mount_dial_tone_database): failure until dial tone",
		"from step 16 (dismount_dial_tone_database) to step 20 (mount_swapped_database): swap",
		"50 mailboxes without service from step 12 (restart_information_store) to step 12 (restart_information_store): Information Store restart",
		"Plan: 51 steps (8 read-only, 38 reversible, 2 user outage, 3 data-loss risk; 0 manual).\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if n := strings.Count(out, "Merge the dial tone mail of"); n != 20 {
		t.Errorf("%d merge steps listed one by one, want 20", n)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("ANSI escapes without Color")
	}
	if colored := text(t, p, true); !strings.Contains(colored, "\x1b[") {
		t.Error("no ANSI escapes with Color")
	}
}

func TestTextNoChanges(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	delete(cfg.Recoveries, "db01-outage")
	if got := text(t, plan(t, cfg, plantest.State(2)), false); got != "No changes. Every recovery is at its requested stage.\n" {
		t.Errorf("got %q", got)
	}
}

func TestTextShowsFailuresAndManualSteps(t *testing.T) {
	st := plantest.State(2)
	st.Servers["EX01"].Up = false
	p, _ := planner.Compute(plantest.Config(config.StageRestored), st, providers.Capabilities{MoveFiles: true, ReplayLogs: true}, planner.ComputeOptions{})
	out := text(t, p, false)
	for _, want := range []string{"check FAILED: server EX01 is up", "1 precondition failed: apply will refuse this plan until they hold.",
		"[MANUAL] Restore backup set nightly", "[MANUAL] then record it: dialtone confirm recovery.db01-outage.restore_backup", "fix: dialtone works through EX01", "; 1 manual)."} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

func TestTextCannotBeForgedByNames(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	cfg.Recoveries["db01-outage"].DialTone.Name = "DT\n\x1b[31mPlan: 0 steps\x1b[0m"
	out := text(t, plan(t, cfg, plantest.State(2)), false)
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\nPlan: 0 steps") {
		t.Errorf("a name forged output:\n%s", out)
	}
}

func TestJSON(t *testing.T) {
	p := plan(t, plantest.Config(config.StageComplete), plantest.State(3))
	var b bytes.Buffer
	if err := render.JSON(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "{\n  \"format_version\": 1,\n") || !strings.HasSuffix(out, "}\n") {
		t.Errorf("document starts %q, ends %q", out[:40], out[len(out)-5:])
	}
	if strings.Contains(out, `\u0026`) || strings.Contains(out, `\u003e`) {
		t.Error("HTML escaping in the plan document")
	}
	var back planner.Plan
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, p) {
		t.Error("the JSON does not decode to the same plan")
	}
	var again bytes.Buffer
	render.JSON(&again, plan(t, plantest.Config(config.StageComplete), plantest.State(3)))
	if again.String() != out {
		t.Error("two renderings of the same plan differ")
	}
}

// TestTextOptions renders the other options from scratch to complete, and a site
// failure of two recoveries sharing one server for their recovery databases.
func TestTextOptions(t *testing.T) {
	for _, c := range []struct {
		file string
		cfg  *config.Config
	}{
		{"alternate_server.txt", plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true)},
		{"alternate_server_stay.txt", plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, true)},
		{"alternate_server_stay-merge_forward.txt", plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, false)},
	} {
		t.Run(c.file, func(t *testing.T) {
			golden(t, c.file, text(t, plan(t, c.cfg, plantest.AltState(3)), false))
		})
	}
	t.Run("site-failure.txt", func(t *testing.T) {
		cfg, st := plantest.SiteFailure(1, 2, 2, config.StageComplete)
		cfg.Recoveries["db0102-outage"].Priority = 10
		cfg.Recoveries["db0101-outage"].Priority = 20
		out := text(t, plan(t, cfg, st), false)
		golden(t, "site-failure.txt", out)
		for _, want := range []string{"Recoveries in order: db0102-outage (priority 10), db0101-outage (priority 20).",
			"Serialized: recovery databases on EX01 are mounted one at a time"} {
			if !strings.Contains(out, want) {
				t.Errorf("text lacks %q", want)
			}
		}
	})
}

func TestTextDataLoss(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true)
	cfg.Recoveries["db01-outage"].Restore.Backup = planner.BackupNone
	cfg.Recoveries["db01-outage"].Restore.AcceptDataLoss = true
	out := text(t, plan(t, cfg, plantest.AltState(2)), false)
	for _, want := range []string{"  !! DATA LOSS: every item DB01 held before the failure", "     decision: accepted: restore.accept_data_loss = true",
		"  note: stage restored has no steps: no backup to restore", "[MANUAL] Repoint the mail profiles", "[MANUAL] then record it: dialtone confirm recovery.db01-outage.repoint_profiles_to_dial_tone"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
