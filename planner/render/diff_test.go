package render_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name, before, after, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line", "database: DB01\n", "database: DTDB01\n", "- database: DB01\n+ database: DTDB01\n"},
		{"context kept", "server: EX01\ndatabase: DB01\n", "server: EX01\ndatabase: DTDB01\n",
			"  server: EX01\n- database: DB01\n+ database: DTDB01\n"},
		{"added", "", "x\n", "+ x\n"},
		{"removed", "x\ny\n", "x\n", "  x\n- y\n"},
		{"no newline at end", "a\nb", "a\nb\n", "  a\n- b\n\\ No newline at end of file\n+ b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render.Diff(tc.before, tc.after); got != tc.want {
				t.Errorf("Diff:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestDiffWithContext(t *testing.T) {
	var before, after strings.Builder
	for i := 1; i <= 20; i++ {
		line := "line " + string(rune('a'+i-1)) + "\n"
		before.WriteString(line)
		if i == 3 || i == 15 {
			line = "LINE " + string(rune('a'+i-1)) + "\n"
		}
		after.WriteString(line)
	}
	got := render.DiffWith(before.String(), after.String(), render.DiffOptions{Context: 1})
	want := "@@ -2,3 +2,3 @@\n  line b\n- line c\n+ LINE c\n  line d\n" +
		"@@ -14,3 +14,3 @@\n  line n\n- line o\n+ LINE o\n  line p\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if colored := render.DiffWith("a\n", "b\n", render.DiffOptions{Color: true}); !strings.Contains(colored, "\x1b[31m- a") || !strings.Contains(colored, "\x1b[32m+ b") {
		t.Errorf("no colour: %q", colored)
	}
	if strings.Contains(got, "\x1b") {
		t.Error("colour without Color")
	}
}

func TestSettingChanges(t *testing.T) {
	p := plan(t, plantest.Config(config.StageComplete), plantest.State(3))
	got := map[string]string{}
	for _, s := range p.Steps {
		for _, c := range render.SettingChanges(s) {
			got[s.ID] = c.Subject + "\n" + render.Diff(c.Before, c.After)
		}
	}
	for id, want := range map[string]string{
		"recovery.db01-outage.rehome_to_dial_tone":                  "the user mailboxes of DB01\n- database: DB01\n+ database: DTDB01\n",
		"recovery.db01-outage.rehome_system_mailboxes_to_dial_tone": "system mailboxes and archives of DB01\n- database: DB01\n+ database: DTDB01\n",
		"recovery.db01-outage.move_dial_tone_files_to_recovery_database": "files of DTDB01\n" +
			"- edb_file_path: D:\\DialTone\\DTDB01\\DTDB01.edb\n- log_folder_path: D:\\DialTone\\DTDB01\\Logs\n" +
			"+ edb_file_path: E:\\Recovery\\RDB01\\DB01.edb\n+ log_folder_path: E:\\Recovery\\RDB01\\Logs\n",
		"recovery.db01-outage.hold_failed_database": "settings of DB01\n" +
			"- MountAtStartup: True\n- IsExcludedFromProvisioning: False\n- IsExcludedFromProvisioningReason: (none)\n" +
			"+ MountAtStartup: False\n+ IsExcludedFromProvisioning: True\n" +
			"+ IsExcludedFromProvisioningReason: Failed; held by dialtone recovery.db01-outage while its users are on the dial tone database\n",
	} {
		if got[id] != want {
			t.Errorf("%s:\n%s\nwant:\n%s", id, got[id], want)
		}
	}
	if len(got) != 6 {
		t.Errorf("%d steps with setting changes, want 6 (two re-homes, three file moves, the failed database held): %v", len(got), got)
	}
}
