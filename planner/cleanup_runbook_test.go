package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// TestCleanupRunbookDeletesOnlyRecorded: the runbook's clean-up lines name each file
// dialtone recorded writing and nothing else: no wildcard or pattern over a log folder
// (another database's Enn files there must survive a hand-run runbook), and before any
// record a manual check instead of a delete (issue 12 §1).
func TestCleanupRunbookDeletesOnlyRecorded(t *testing.T) {
	st := stateAt(t, config.StageMerged, 2)
	cfg := plantest.Config(config.StageComplete)
	step := func(p *planner.Plan) *planner.Step {
		for _, s := range p.Steps {
			if s.Operation.Kind == providers.OpDeleteFiles {
				return s
			}
		}
		t.Fatal("no clean-up step at complete")
		return nil
	}
	check := func(s *planner.Step, want, wantNot []string) {
		t.Helper()
		all := strings.Join(s.Commands, "\n")
		for _, bad := range append([]string{"Where-Object", "-match", "*", "-Recurse", "Get-ChildItem"}, wantNot...) {
			if strings.Contains(all, bad) {
				t.Errorf("clean-up commands hold %q:\n%s", bad, all)
			}
		}
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("clean-up commands lack %q:\n%s", w, all)
			}
		}
	}
	s := step(mustPlan(t, cfg, st))
	op := s.Operation
	// Nothing of these paths recorded: a manual check, no delete at all.
	st.Written = map[string]*state.Written{}
	check(step(mustPlan(t, cfg, st)), []string{"No file of " + op.Database + " was recorded"}, []string{"Remove-Item", "Directory]::Delete"})
	// Recorded: the .edb, one log file and the log folder; those by name, nothing else.
	log := op.LogFolderPath + `\E0100000001.log`
	for _, w := range []state.Written{
		{Server: op.Server, Path: op.EdbFilePath, Kind: state.WrittenFile},
		{Server: op.Server, Path: log, Kind: state.WrittenFile},
		{Server: op.Server, Path: op.LogFolderPath, Kind: state.WrittenFolder},
	} {
		w := w
		st.Written[w.Key()] = &w
	}
	check(step(mustPlan(t, cfg, st)), []string{
		"Remove-Item -LiteralPath '" + op.EdbFilePath + "' -Confirm:$false",
		"Remove-Item -LiteralPath '" + log + "' -Confirm:$false",
		"[System.IO.Directory]::Delete('" + op.LogFolderPath + "')",
	}, []string{"No file of"})
}
