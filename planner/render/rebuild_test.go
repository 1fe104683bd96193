package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

// EX01 lost with DB01 and DB02: the plan rebuilds it once (recovery.db01-outage, the
// first by priority) and every render says so in recovery.db02-outage, where its own
// rebuild used to be repeated: "done by step N", N the rebuild's number in that render.
func TestRebuildShownOnce(t *testing.T) {
	cfg, st := plantest.AltPair(config.StageRestored, 3)
	p := plan(t, cfg, st)
	const id = "recovery.db01-outage.recover_server"

	out := text(t, p, false)
	m := regexp.MustCompile(`(?m)^ +(\d+)\. #5 .* ` + regexp.QuoteMeta(id) + `$`).FindStringSubmatch(out)
	steps := regexp.MustCompile(`(?m)^ +\d+\. #5 .*\.recover_server$`).FindAllString(out, -1)
	if m == nil || len(steps) != 1 || strings.Count(out, "[MANUAL] Rebuild EX01") != 1 {
		t.Fatalf("text: the rebuild is not one step:\n%s", out)
	}
	done := "Rebuild EX01 under its own name (Setup.exe /Mode:RecoverServer): done by step " + m[1] + " (" + id + ")"
	sec := strings.Index(out, "recovery.db02-outage: ")
	if i := strings.Index(out, done); i < 0 || i < sec || i > strings.Index(out, "recovery.db02-outage.preserve_failed_files") {
		t.Errorf("text: recovery.db02-outage does not say %q before its first step on EX01", done)
	}
	if !strings.Contains(out, "; 2 manual).") { // the rebuild and db01's profiles
		t.Errorf("text: manual count: %s", out[strings.LastIndex(out, "Plan: "):])
	}

	rb := runbook(t, p)
	if n := strings.Count(rb, "MANUAL STEP recovery.db01-outage.recover_server: Rebuild EX01"); n != 1 || strings.Contains(rb, "db02-outage.recover_server") {
		t.Errorf("runbook: the rebuild is not one step (%d of recovery.db01-outage)", n)
	}
	if !regexp.MustCompile(`# After: Rebuild EX01 under its own name \(Setup.exe /Mode:RecoverServer\), done by step \d+ \(` + regexp.QuoteMeta(id) + `\)`).MatchString(rb) {
		t.Error("runbook: recovery.db02-outage's step does not say the rebuild is done before it")
	}
}
