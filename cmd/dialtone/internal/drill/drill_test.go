package drill

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

const examples = "../../../../examples/"

func load(t *testing.T, dir string) (*config.Config, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := config.Load(examples+dir, config.LoadOptions{})
	if cfg == nil {
		t.Fatalf("%s: no configuration: %v", dir, diags)
	}
	return cfg, diags
}

func TestPick(t *testing.T) {
	cfg, diags := load(t, "same-server")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	d, recs, err := Pick(cfg, "")
	if err != nil || d.Name != "db01-lost" || len(recs) != 1 || recs[0].Name != "db01-outage" {
		t.Fatalf("the only drill: %v, %v, %v", d, recs, err)
	}
	if _, _, err := Pick(cfg, "nope"); err == nil || !strings.Contains(err.Error(), `no drill "nope"`) || !strings.Contains(err.Error(), "db01-lost") {
		t.Fatalf("an unknown drill: %v", err)
	}
	cfg.Drills["second"] = cfg.Drills["db01-lost"]
	if _, _, err := Pick(cfg, ""); err == nil || !strings.Contains(err.Error(), "db01-lost, second") {
		t.Fatalf("two drills and no name: %v", err)
	}
	delete(cfg.Drills, "second")
	delete(cfg.Drills, "db01-lost")
	if _, _, err := Pick(cfg, ""); err == nil || !strings.Contains(err.Error(), "no drill block") {
		t.Fatalf("no drill: %v", err)
	}
}

func TestEveryModeHasALine(t *testing.T) {
	for _, m := range []string{config.DrillModeLost, config.DrillModeCorrupt, config.DrillModeServerDown, config.DrillModeLogsMissing,
		config.DrillModeNoBackup, config.DrillModeBadItems, config.DrillModeOutOfRoom, config.DrillModeNoMountSlot,
		config.DrillModeDialToneLost, config.DrillModeCrashDuringSwap, config.DrillModeCopySurvives} {
		if ModeLine(m) == m {
			t.Errorf("mode %s has no line", m)
		}
	}
}

// no_mount_slot is refused as the configuration loads: that refusal is the drill's
// pass, and nothing is built.
func TestRefusedAtLoadPassesOnTheLimitsDiagnostic(t *testing.T) {
	cfg, diags := load(t, "drills/no-mount-slot")
	if !diags.HasErrors() {
		t.Fatal("the no-mount-slot example loads without error")
	}
	var out bytes.Buffer
	if !RefusedAtLoad(&out, false, cfg, "", func() hcl.Diagnostics { return diags }) {
		t.Fatalf("not passed:\n%s", out.String())
	}
	for _, want := range []string{"mode no_mount_slot", "Drill passed:", "Too many databases on server", "Nothing was changed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Another error beside it: a failure like any other, nothing printed.
	out.Reset()
	other := append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument"})
	if RefusedAtLoad(&out, false, cfg, "", func() hcl.Diagnostics { return other }) || out.Len() > 0 {
		t.Fatalf("passed with another error:\n%s", out.String())
	}
	// A mode that is not refused at load never passes there.
	cfg2, _ := load(t, "same-server")
	if RefusedAtLoad(&out, false, cfg2, "", func() hcl.Diagnostics { return diags }) {
		t.Fatal("a lost drill passed at load")
	}
	if RefusedAtLoad(&out, false, nil, "", func() hcl.Diagnostics { return diags }) {
		t.Fatal("no configuration passed at load")
	}
}

func TestRewriteForChild(t *testing.T) {
	src := []byte(`dialtone {
  backend "local" { path = "x.json" }
}
provider "lab" { path = "elsewhere" }
recovery "a" {
  stage = "dial_tone"
}
recovery "b" {
  stage = "dial_tone"
}
`)
	out, err := rewriteForChild("main.hcl", src, map[string]bool{"a": true}, "swapped")
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	if strings.Contains(got, "dialtone {") || strings.Contains(got, "provider") {
		t.Errorf("the child's configuration keeps the backend or provider:\n%s", got)
	}
	if !strings.Contains(got, "recovery \"a\" {\n  stage = \"swapped\"") || !strings.Contains(got, "recovery \"b\" {\n  stage = \"dial_tone\"") {
		t.Errorf("only recovery a moves to swapped:\n%s", got)
	}
	if _, err := rewriteForChild("bad.hcl", []byte("recovery {"), nil, "x"); err == nil {
		t.Error("a configuration that does not parse gives no error")
	}
}

// The step table shows the first five merges of a recovery's stage, then one line for
// the rest with their time and failures.
func TestStepTableSummarisesMerges(t *testing.T) {
	rows := []runreport.Row{{ID: "recovery.r.create", Stage: "dial_tone", Duration: 2 * time.Millisecond, Result: "done"}}
	for i := 0; i < 8; i++ {
		r := runreport.Row{ID: "recovery.r.merge[\"u" + string(rune('0'+i)) + "\"]", Stage: "merged", Duration: time.Millisecond, Result: "done"}
		if i == 7 {
			r.Result = "failed"
		}
		rows = append(rows, r)
	}
	var out bytes.Buffer
	writeStepTable(&out, rows)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 1+1+5+1 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "... and 3 more merges") || !strings.Contains(last, "3.0ms") || !strings.Contains(last, "1 failed") {
		t.Errorf("summary line %q", last)
	}
}

func TestSettingsLine(t *testing.T) {
	if got := settingsLine(nil); got != "Exchange's defaults" {
		t.Errorf("no settings: %q", got)
	}
	m := map[string]string{"Zeta": "1", state.SettingProhibitSendReceiveQuota: "10737418240"}
	got := settingsLine(m)
	if !strings.HasPrefix(got, state.SettingProhibitSendReceiveQuota+" = 10737418240") || !strings.HasSuffix(got, ", Zeta = 1") {
		t.Errorf("settings line %q: the state's settings first, then others by name", got)
	}
}

func TestDeclaredLossesAreKeptOnce(t *testing.T) {
	a := planner.DataLoss{What: "mail after the backup", Why: "no logs", Decision: "accepted"}
	if hasLoss(nil, a) || !hasLoss([]planner.DataLoss{a}, a) {
		t.Fatal("hasLoss")
	}
	u := unionKeys(map[string]int{"x": 1}, map[string]int{"y": 2})
	if len(u) != 2 || u["x"] != 0 || u["y"] != 0 {
		t.Fatalf("unionKeys = %v", u)
	}
}
