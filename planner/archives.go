package planner

import (
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// Archives. An archive is a mailbox of its own (its ArchiveGuid) in its archive
// database; the re-homes move archives on the failed database with the users
// (Set-Mailbox -ArchiveDatabase), but a restore request per ExchangeGuid copies only the
// primary mailbox. So every archive on the failed (or dial tone) database gets a request
// of its own, in every option: -SourceStoreMailbox is the ArchiveGuid and
// -TargetIsArchive writes into the archive (merge forward: the old archive content, from
// the restored database; otherwise what the archive received during dial tone). A
// request name is unique per target mailbox, so the archive's has its own.

// archiveRequestName is the name of the restore request into a mailbox's archive.
func (rc *recCtx) archiveRequestName() string { return rc.requestName + "-archive" }

// archiveMerges is one restore request per archive of rc.archives, hanging off mount
// like the mailbox merges.
func (rc *recCtx) archiveMerges(mount *Step, number int, what string) []*Step {
	rdb := rc.rdb
	name := rc.archiveRequestName()
	steps := make([]*Step, 0, len(rc.archives))
	for _, mb := range rc.archives {
		if rr := rc.failedArchiveReqs[strings.ToLower(mb.Address)]; rr != nil {
			s := rc.resumeStep(mount, number, "resume_merge_archive", name, mb.Address, rr)
			s.Summary = strings.Replace(s.Summary, "Resume the failed restore request", "Resume the failed restore request into the archive,", 1)
			steps = append(steps, s)
			continue
		}
		steps = append(steps, &Step{
			ID:       rc.id("merge_archive[" + strconv.Quote(mb.Address) + "]"),
			Recovery: rc.name,
			Stage:    mount.Stage,
			Phase:    PhaseMerge,
			Number:   number,
			Summary:  "Merge " + what + " of the archive of " + mb.Address + " into its archive (-TargetIsArchive)",
			Operation: providers.Operation{Kind: providers.OpMergeMailbox, Source: rdb.Name, Mailbox: mb.Address,
				ExchangeGuid: mb.ArchiveGuid, RequestName: name, TargetIsArchive: true,
				ConflictResolution: rc.conflict, BadItemLimit: rc.badItems},
			DependsOn: []string{mount.ID},
			Risk:      RiskReversible,
			Mailboxes: 1,
			Async:     true,
			Parallel:  true,
			Preconditions: []Precondition{{
				Description: "source archive mailbox " + mb.ArchiveGuid + " present in " + rdb.Name + " (Get-MailboxStatistics); skipped if absent",
				Result:      ResultAtApply,
			}},
			Commands: []string{ems.NewRestoreRequest(ems.RestoreRequest{Name: name, SourceDatabase: rdb.Name,
				SourceStoreMailbox: mb.ArchiveGuid, TargetMailbox: mb.Address, Conflict: rc.conflict, BadItemLimit: rc.badItems,
				TargetIsArchive: true}).String()},
		})
	}
	return steps
}
