package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// DiffOptions tunes DiffWith.
type DiffOptions struct {
	// Context is how many unchanged lines are kept around each change; the others are
	// replaced by "@@ -a,b +c,d @@" hunk headers as in a unified diff. Negative keeps
	// every line (what Diff does).
	Context int
	// Color paints removed lines red and added lines green (terminals only).
	Color bool
}

// Diff returns a line diff of before and after, every line kept: unchanged lines
// start with "  ", removed ones with "- ", added ones with "+ ", each ends with a
// newline. A last line without a newline is followed by "\ No newline at end of file".
// Equal inputs give "". No colour:
//
//	  server: EX01
//	- database: DB01
//	+ database: DTDB01
func Diff(before, after string) string {
	return DiffWith(before, after, DiffOptions{Context: -1})
}

// DiffWith is Diff with options. It is deterministic: go-diff's time limit is off, so
// the same inputs always give the same (minimal line) diff.
func DiffWith(before, after string, o DiffOptions) string {
	if before == after {
		return ""
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	// One entry per line: its op and text (without the newline), and whether it had one.
	type line struct {
		op     diffmatchpatch.Operation
		text   string
		noEOL  bool
		oldNum int // 1-based line number in before (the next one, for inserts)
		newNum int
	}
	var all []line
	oldN, newN := 1, 1
	for _, d := range diffs {
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l == "" {
				continue
			}
			ln := line{op: d.Type, text: strings.TrimSuffix(l, "\n"), noEOL: !strings.HasSuffix(l, "\n"), oldNum: oldN, newNum: newN}
			all = append(all, ln)
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				oldN++
				newN++
			case diffmatchpatch.DiffDelete:
				oldN++
			case diffmatchpatch.DiffInsert:
				newN++
			}
		}
	}

	keep := make([]bool, len(all))
	for i, l := range all {
		if o.Context < 0 || l.op != diffmatchpatch.DiffEqual {
			keep[i] = true
			continue
		}
		for j := max(0, i-o.Context); j <= min(len(all)-1, i+o.Context); j++ {
			if all[j].op != diffmatchpatch.DiffEqual {
				keep[i] = true
				break
			}
		}
	}

	var sb strings.Builder
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	for i := 0; i < len(all); {
		if !keep[i] {
			i++
			continue
		}
		end := i
		for end < len(all) && keep[end] {
			end++
		}
		if o.Context >= 0 {
			oldCount, newCount := 0, 0
			for _, l := range all[i:end] {
				if l.op != diffmatchpatch.DiffInsert {
					oldCount++
				}
				if l.op != diffmatchpatch.DiffDelete {
					newCount++
				}
			}
			sb.WriteString(paint(ansiBold, fmt.Sprintf("@@ -%d,%d +%d,%d @@", all[i].oldNum, oldCount, all[i].newNum, newCount)))
			sb.WriteByte('\n')
		}
		for _, l := range all[i:end] {
			switch l.op {
			case diffmatchpatch.DiffEqual:
				sb.WriteString("  " + l.text)
			case diffmatchpatch.DiffDelete:
				sb.WriteString(paint(ansiRed, "- "+l.text))
			case diffmatchpatch.DiffInsert:
				sb.WriteString(paint(ansiGreen, "+ "+l.text))
			}
			sb.WriteByte('\n')
			if l.noEOL {
				sb.WriteString("\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return sb.String()
}

// SettingChange is a setting a step changes, before and after, as "name: value" lines.
type SettingChange struct {
	Subject string // what the setting belongs to: "DTDB01's files", "20 mailboxes of DB01"
	Before  string
	After   string
}

// SettingChanges returns the settings step changes, derived from its Operation: the
// plan records no before/after values, but these operations name both sides.
//
//   - move_files: the database's files, edb_file_path and log_folder_path, from
//     EdbFilePath/LogFolderPath to DestEdbFilePath/DestLogFolderPath;
//   - rehome_mailboxes and rehome_system_mailboxes: the mailboxes' database, from
//     Database to Target.
//   - set_database_settings (and create_database with settings): each setting, from
//     the step's SettingsBefore (Exchange's defaults for a database the plan creates)
//     to Operation.Settings;
//   - rename_database: the name, from Database to Target.
//
// Other operations give nil. Values are cleaned of control characters.
func SettingChanges(s *planner.Step) []SettingChange {
	if s == nil {
		return nil
	}
	op := s.Operation
	switch op.Kind {
	case providers.OpMoveFiles:
		if op.DestEdbFilePath == "" && op.DestLogFolderPath == "" {
			return nil
		}
		var before, after strings.Builder
		if op.DestEdbFilePath != "" {
			fmt.Fprintf(&before, "edb_file_path: %s\n", clean(op.EdbFilePath))
			fmt.Fprintf(&after, "edb_file_path: %s\n", clean(op.DestEdbFilePath))
		}
		if op.DestLogFolderPath != "" {
			fmt.Fprintf(&before, "log_folder_path: %s\n", clean(op.LogFolderPath))
			fmt.Fprintf(&after, "log_folder_path: %s\n", clean(op.DestLogFolderPath))
		}
		return []SettingChange{{Subject: "files of " + clean(op.Database), Before: before.String(), After: after.String()}}
	case providers.OpSetDatabaseSettings, providers.OpCreateDatabase:
		if len(op.Settings) == 0 {
			return nil
		}
		var before, after strings.Builder
		for _, name := range settingOrder(op.Settings) {
			fmt.Fprintf(&before, "%s: %s\n", name, clean(planner.SettingDisplay(name, s.SettingsBefore[name])))
			fmt.Fprintf(&after, "%s: %s\n", name, clean(planner.SettingDisplay(name, op.Settings[name])))
		}
		return []SettingChange{{Subject: "settings of " + clean(op.Database), Before: before.String(), After: after.String()}}
	case providers.OpRenameDatabase:
		if op.Target == "" {
			return nil
		}
		return []SettingChange{{Subject: "database " + clean(op.Database), Before: "name: " + clean(op.Database) + "\n", After: "name: " + clean(op.Target) + "\n"}}
	case providers.OpRehomeMailboxes, providers.OpRehomeSystemMailboxes:
		if op.Target == "" {
			return nil
		}
		// The summary counts the user mailboxes; s.Mailboxes counts system ones too,
		// so a second count here would contradict it.
		what := "the user mailboxes of " + clean(op.Database)
		if op.Kind == providers.OpRehomeSystemMailboxes {
			what = "system mailboxes and archives of " + clean(op.Database)
		}
		return []SettingChange{{Subject: what,
			Before: "database: " + clean(op.Database) + "\n", After: "database: " + clean(op.Target) + "\n"}}
	}
	return nil
}

// settingOrder lists the names of settings in the order plans show them (state's),
// then any other name, sorted.
func settingOrder(m map[string]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range state.SettingNames {
		if _, ok := m[n]; ok {
			out = append(out, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range m {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
