package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmall runs the whole bench at -scale=small with the dialtone of this module and
// checks the table's shape: every operation at both sizes, with a ratio on the full
// size's rows. No timing is checked.
func TestSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dialtone and runs it end to end")
	}
	dir := t.TempDir()
	bin, err := buildDialtone(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run([]string{"-scale=small", "-bin=" + bin, "-work=" + filepath.Join(dir, "work")}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\n%s", code, errs.String())
	}
	table, dialTone, _ := strings.Cut(strings.TrimSpace(out.String()), "\n\n")
	for _, want := range []string{"Time to dial tone, site failure of 2 databases", "last user's dial tone", "one step at a time",
		"Plan through the exchange double:", "plan -refresh=full:", "through the exchange provider and its double",
		"-parallelism=1 (one PowerShell session)", "sooner than one session"} {
		if !strings.Contains(dialTone, want) {
			t.Errorf("the time to dial tone lacks %q:\n%s", want, dialTone)
		}
	}
	lines := strings.Split(table, "\n")
	if !strings.HasPrefix(lines[0], "operation") || !strings.Contains(lines[0], "peak RSS") || !strings.Contains(lines[0], "x2 ratio") {
		t.Fatalf("header: %q", lines[0])
	}
	ops := []string{"lab generate", "init", "refresh", "plan (no change)", "plan -refresh=false (no change)",
		"lab fail server", "plan (site fail)", "apply dial_tone", "drill (merges)"}
	if len(lines) != 1+2*len(ops) {
		t.Fatalf("%d rows, want %d:\n%s", len(lines)-1, 2*len(ops), out.String())
	}
	for i, line := range lines[1:] {
		if !strings.HasPrefix(line, ops[i%len(ops)]+" ") {
			t.Errorf("row %d: %q, want %s", i+1, line, ops[i%len(ops)])
		}
		fields := strings.Fields(line)
		ratio := fields[len(fields)-1]
		if (i >= len(ops)) == (ratio == "-") {
			t.Errorf("row %d: ratio %q", i+1, ratio)
		}
	}
}
