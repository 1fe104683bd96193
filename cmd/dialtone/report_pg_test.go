package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// With the pg backend the run reports live in its reports table, not in local files:
// apply writes one there, report -list and report ID read it back, and another working
// directory on the same schema (a colleague's machine) sees it too.
func TestReportsInPG(t *testing.T) {
	cs := pgtest.ConnStr(t)
	be := testBackend{name: "pg", connStr: cs, schema: pgtest.Schema(t, cs)}
	env := be.env()
	dir := workdir(t)
	mustDialtone(t, dir, env, "init")
	mustDialtone(t, dir, env, "lab", "init", "-mailboxes=3")
	mustDialtone(t, dir, env, "lab", "backup", "DB01", "-name=nightly")
	mustDialtone(t, dir, env, "lab", "fail", "database", "DB01")
	if r := dialtone(t, dir, env, "report"); r.code == 0 || !strings.Contains(r.stderr, "no run reports yet") || !strings.Contains(r.stderr, "the state backend") {
		t.Fatalf("report before any run: exit %d\n%s", r.code, r.stderr)
	}
	r := mustDialtone(t, dir, env, "apply", "-auto-approve")
	m := regexp.MustCompile(`\d{8}T\d{6}Z-apply-[0-9a-f]+`).FindString(r.stdout + r.stderr)
	list := mustDialtone(t, dir, env, "report", "-list").stdout
	ids := regexp.MustCompile(`(?m)^(\d{8}T\d{6}Z-apply-[0-9a-f]+)\s.*\bapply\s+complete\b`).FindStringSubmatch(list)
	if ids == nil {
		t.Fatalf("report -list does not list the apply:\n%s", list)
	}
	id := ids[1]
	if m != "" && m != id {
		t.Errorf("apply named report %s, report -list %s", m, id)
	}
	if md := mustDialtone(t, dir, env, "report", id).stdout; !strings.Contains(md, "What happened to users") {
		t.Errorf("report %s (Markdown):\n%s", id, md)
	}
	if js := mustDialtone(t, dir, env, "report", "-format=json", id).stdout; !strings.Contains(js, `"id": "`+id+`"`) || !strings.Contains(js, `"result": "complete"`) {
		t.Errorf("report -format=json %s:\n%s", id, js)
	}
	if _, err := os.Stat(filepath.Join(dir, reportsDir)); !os.IsNotExist(err) {
		t.Errorf("with the pg backend, %s exists in the working directory (%v): reports belong in the backend", reportsDir, err)
	}
	if n := pgtest.QueryInt(t, cs, `SELECT count(*) FROM "`+be.schema+`".reports WHERE id = $1 AND command = 'apply' AND result = 'complete' AND markdown LIKE '%What happened to users%'`, id); n != 1 {
		t.Errorf("reports rows for %s: %d, want 1", id, n)
	}
	// A colleague's working directory on the same schema reads the same reports.
	other := workdir(t)
	if got := mustDialtone(t, other, env, "report", "-list").stdout; !strings.Contains(got, id) {
		t.Errorf("report -list from another directory on the same schema:\n%s", got)
	}
}
