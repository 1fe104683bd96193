package planner_test

import (
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// TestTimeToDialToneFlat: nothing whose time grows with the failed .edb stands between
// the failure and the dial tone mount (issue 12 §5). A provider that renames in place
// keeps the files first, by a rename; one that can only copy copies after the mount.
func TestTimeToDialToneFlat(t *testing.T) {
	cases := []struct {
		name   string
		caps   providers.Capabilities
		kind   providers.OpKind
		before bool // preserve_failed_files comes before mount_dial_tone_database
	}{
		{"rename", plantest.NewFake().Caps, providers.OpKeepFiles, true},
		{"copy", providers.Capabilities{RestoreBackup: true, MoveFiles: true, DeleteFiles: true, ReplayLogs: true}, providers.OpCopyFiles, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, diags := planner.Compute(plantest.Config(config.StageDialTone), stateAt(t, "", 3), c.caps, planner.ComputeOptions{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			i, keep := findStep(p, "preserve_failed_files")
			m, _ := findStep(p, "mount_dial_tone_database")
			if keep == nil || keep.Operation.Kind != c.kind || (i < m) != c.before {
				t.Fatalf("steps %v; preserve %+v", stepIDs(p), keep)
			}
			if keep.Operation.Kind == providers.OpCopyFiles && keep.Outage != planner.OutageNone {
				t.Errorf("the copy after the mount is marked %q", keep.Outage)
			}
			for _, s := range p.Steps[:m] {
				if s.Operation.Kind == providers.OpCopyFiles || s.Operation.Kind == providers.OpMoveFiles {
					t.Errorf("%s copies files before dial tone", s.ID)
				}
			}
		})
	}
}
