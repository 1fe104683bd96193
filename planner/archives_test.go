package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
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

// TestFailedArchiveRequestResumed: an archive restore request that failed (bad items) is
// resumed by the next plan with the limit the configuration now sets, as the mailboxes'
// are; a second request into the archive is never created (issue 12 §4).
func TestFailedArchiveRequestResumed(t *testing.T) {
	st := plantest.AltState(3)
	const addr = "db02-user0001@contoso.com"
	st.Mailboxes[addr].ArchiveGuid = "a0000000-0000-4000-8000-000000000001"
	st.RestoreRequests[addr+`\dialtone-db01-outage-archive`] = &state.RestoreRequest{Name: addr + `\dialtone-db01-outage-archive`,
		SourceDatabase: "RDB01", TargetMailbox: addr, Status: "Failed", BadItems: 2}
	cfg := plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true)
	cfg.Recoveries["db01-outage"].Merge.BadItemLimit = 5
	p := mustPlan(t, cfg, st)
	if _, s := findStep(p, `merge_archive["`+addr+`"]`); s != nil {
		t.Errorf("a second request into the archive is planned: %s", s.ID)
	}
	_, s := findStep(p, `resume_merge_archive["`+addr+`"]`)
	if s == nil {
		t.Fatalf("no resume of the failed archive request: %v", stepIDs(p))
	}
	if op := s.Operation; op.Kind != providers.OpResumeRestoreRequest || op.RequestName != "dialtone-db01-outage-archive" || op.BadItemLimit != 5 || op.Mailbox != addr {
		t.Errorf("operation %+v", op)
	}
	want := []string{
		"Get-MailboxRestoreRequest -TargetMailbox '" + addr + "' -Name 'dialtone-db01-outage-archive' | Set-MailboxRestoreRequest -BadItemLimit 5",
		"Get-MailboxRestoreRequest -TargetMailbox '" + addr + "' -Name 'dialtone-db01-outage-archive' | Resume-MailboxRestoreRequest",
	}
	for i, w := range want {
		if i >= len(s.Commands) || !strings.HasPrefix(s.Commands[i], w) {
			t.Errorf("command %d: %q, want it to start with %q", i, s.Commands, w)
		}
	}
}
