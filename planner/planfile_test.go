package planner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

func TestPlanFileRoundtrip(t *testing.T) {
	p := mustPlan(t, plantest.Config(config.StageComplete), plantest.State(4))
	path := filepath.Join(t.TempDir(), "recovery.tfplan")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := planner.ReadPlanFile(path, planner.ReadPlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Error("the plan read back differs from the one written")
	}
	// Written atomically: no temporary file is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files beside the plan: %v", entries)
	}
	// Overwriting works too.
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
}

func TestPlanFileErrors(t *testing.T) {
	p := mustPlan(t, plantest.Config(config.StageDialTone), plantest.State(2))
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := planner.WritePlanFile(good, p); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	rewrite := func(edit func(map[string]any)) string {
		var m map[string]any
		json.Unmarshal(data, &m)
		edit(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := []struct {
		name, content, want string
	}{
		{"empty", "", "not a plan file"},
		{"text", "plan: yes\n", "not a plan file"},
		{"state file", `{"format_version":1,"lineage":"x","serial":3}`, "looks like a state file"},
		{"other json", `{"hello":"world"}`, "not a plan file"},
		{"truncated", string(data[:len(data)/2]), "damaged"},
		{"newer", rewrite(func(m map[string]any) { m["format_version"] = 99 }), "format_version 99, newer than this dialtone reads (1)"},
		{"no version", rewrite(func(m map[string]any) { delete(m, "format_version") }), "damaged"},
		{"edited", strings.Replace(string(data), "DTDB01", "DTDB99", 1), "checksum does not match"},
		{"no plan", rewrite(func(m map[string]any) { delete(m, "plan") }), "damaged"},
		{"plan of wrong type", rewrite(func(m map[string]any) { m["plan"] = 12 }), "damaged"},
		{"binary", "\x00\x01\x02", "not a plan file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			os.WriteFile(path, []byte(c.content), 0o600)
			got, err := planner.ReadPlanFile(path, planner.ReadPlanOptions{})
			if err == nil || got != nil {
				t.Fatalf("read %q without error", c.name)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to say %q", err, c.want)
			}
		})
	}
	if _, err := planner.ReadPlanFile(filepath.Join(dir, "missing"), planner.ReadPlanOptions{}); err == nil {
		t.Error("missing file read")
	}
}
