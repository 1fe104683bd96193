package exchange_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// TestArchiveRequestResumedThroughExchange: an archive on the failed database comes back
// through a restore request of its own (Get-Mailbox's ArchiveGuid as
// -SourceStoreMailbox, -TargetIsArchive); when that request fails on bad items, the next
// plan resumes it with the limit the configuration now sets, never creating a second
// one, as for the mailboxes' own requests (issue 12 §4).
func TestArchiveRequestResumedThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/alternate-server-stay", 3)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	rec.Merge.BadItemLimit = 0
	const victim = "db01-user0002@contoso.com"
	if err := l.EnableArchive(victim, "DB01"); err != nil {
		t.Fatal(err)
	}
	sc.deliver("before the backup", "DB01", 6)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	sc.stage(config.StageDialTone)
	// Read through the provider, the archive has its GUID: the plan merges it.
	obs, err := sc.r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	labObs, _ := l.Read(context.Background())
	if m := obs.Mailboxes[victim]; m == nil || m.ArchiveGuid == "" || m.ArchiveGuid != labObs.Mailboxes[victim].ArchiveGuid || m.ArchiveDatabase != rec.DialTone.Name {
		t.Fatalf("Get-Mailbox read %+v; want the archive's GUID %s on %s", m, labObs.Mailboxes[victim].ArchiveGuid, rec.DialTone.Name)
	}
	archiveGuid := obs.Mailboxes[victim].ArchiveGuid
	// Mail reaches the archive during dial tone; both items go bad (they are the only
	// items of the dial tone database).
	acc, err := l.DeliverArchive(victim, 2)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, a := range acc {
		bad = append(bad, a.MessageID)
	}
	sort.Strings(bad)
	if err := l.FailItems(rec.DialTone.Name, 2); err != nil {
		t.Fatal(err)
	}
	sc.stage(config.StageRestored)
	sc.stage(config.StageSwapped)

	for _, r := range sc.cfg.Recoveries {
		r.Stage = config.StageMerged
	}
	if err := sc.applyPlan(sc.plan()); err == nil || !strings.Contains(err.Error(), "Failed") || !strings.Contains(err.Error(), victim) {
		t.Fatalf("the archive merge with bad items did not fail naming %s: %v", victim, err)
	}
	rec.Merge.BadItemLimit = 5
	p := sc.plan()
	var resume *planner.Step
	for _, s := range p.Steps {
		if s.Operation.Kind == providers.OpResumeRestoreRequest && s.Operation.Mailbox == victim {
			resume = s
		}
		if s.Operation.Kind == providers.OpMergeMailbox && s.Operation.Mailbox == victim && s.Operation.TargetIsArchive {
			t.Errorf("the plan creates a second request into the archive of %s: %s", victim, s.ID)
		}
	}
	if resume == nil || resume.Operation.RequestName != "dialtone-db01-outage-archive" || resume.Operation.BadItemLimit != 5 {
		t.Fatalf("no resume of the archive's request: %+v", resume)
	}
	if err := sc.applyPlan(p); err != nil {
		t.Fatalf("resuming: %v", err)
	}
	var created, set, resumed int
	for _, c := range sc.r.calls(t) {
		switch strings.ToLower(c.Cmd) {
		case "new-mailboxrestorerequest":
			if strings.EqualFold(fmt.Sprint(c.Args["targetmailbox"]), victim) && c.Args["targetisarchive"] != nil {
				created++
				if g := fmt.Sprint(c.Args["sourcestoremailbox"]); !strings.EqualFold(g, archiveGuid) {
					t.Errorf("the archive's request reads -SourceStoreMailbox %s, want the ArchiveGuid %s", g, archiveGuid)
				}
			}
		case "set-mailboxrestorerequest":
			if fmt.Sprint(c.Args["baditemlimit"]) == "5" {
				set++
			}
		case "resume-mailboxrestorerequest":
			resumed++
		}
	}
	if created != 1 || set != 1 || resumed != 1 {
		t.Errorf("the archive of %s: %d requests created, limit raised %d times, resumed %d times; want 1, 1, 1", victim, created, set, resumed)
	}
	sc.stage(config.StageComplete)
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OKExceptLost() || strings.Join(rep.Lost, " ") != strings.Join(bad, " ") {
		t.Fatalf("verification: %+v; want only the bad archive items %v lost", rep, bad)
	}
}
