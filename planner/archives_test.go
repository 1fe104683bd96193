package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

// TestArchivesMergedInEveryOption: an archive on the failed database (here of a DB02
// user) gets a restore request of its own in every option, merge forward included: the
// archive's GUID as -SourceStoreMailbox, and -TargetIsArchive (issue 12 §4).
func TestArchivesMergedInEveryOption(t *testing.T) {
	for _, c := range []struct {
		option string
		swap   bool
	}{{config.OptionAlternateServer, true}, {config.OptionAlternateServerStay, true}, {config.OptionAlternateServerStay, false}} {
		st := plantest.AltState(3)
		st.Mailboxes["db02-user0001@contoso.com"].ArchiveGuid = "a0000000-0000-4000-8000-000000000001"
		p := mustPlan(t, plantest.AltConfig(c.option, config.StageComplete, c.swap), st)
		_, s := findStep(p, `merge_archive["db02-user0001@contoso.com"]`)
		if s == nil {
			t.Fatalf("%s swap=%t: no archive merge: %v", c.option, c.swap, stepIDs(p))
		}
		op := s.Operation
		if !op.TargetIsArchive || op.ExchangeGuid != "a0000000-0000-4000-8000-000000000001" || op.Mailbox != "db02-user0001@contoso.com" ||
			op.RequestName != "dialtone-db01-outage-archive" {
			t.Errorf("%s: operation %+v", c.option, op)
		}
		if cmd := s.Commands[0]; !strings.Contains(cmd, "-SourceStoreMailbox 'a0000000-0000-4000-8000-000000000001'") || !strings.HasSuffix(cmd, " -TargetIsArchive") {
			t.Errorf("%s: command %s", c.option, cmd)
		}
	}
}
