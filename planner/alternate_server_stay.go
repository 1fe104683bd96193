package planner

import (
	"strconv"

	"github.com/dialtone/dialtone/providers"
)

// alternateServerStay builds exchange-recovery.md 2.4: 2.3 steps 1 to 4 with a
// permanent dial tone database, then 2.1 steps 5 to 14 on the dial tone server, and
// finally the failed database's object removed. With swap = false (merge forward) the
// old mail is merged into the dial tone mailboxes instead: no swap, no second outage,
// but every old item goes through MRS.
func alternateServerStay(rc *recCtx, caps providers.Capabilities) [stageCount][]*Step {
	var all [stageCount][]*Step
	all[stDialTone] = rc.remoteDialTone(false)
	if rc.noBackup {
		all[stComplete] = append([]*Step{rc.removeFailedDatabase()}, rc.finishSettings(14, true)...)
		rc.emptyStages(all, "no backup to restore ("+rc.dt.Name+" stays the users' database)")
		return rc.chain(rc.withRepair(all, caps))
	}
	all[stRestored] = rc.restoreData(caps)
	if rc.doSwap {
		all[stSwapped] = rc.swap(caps)
	}
	all[stMerged] = rc.merge()
	all[stComplete] = append(append(rc.cleanUp(caps, all[stMerged]), rc.removeFailedDatabase()), rc.finishSettings(14, true)...)
	if !rc.doSwap {
		rc.emptyStages(all, "merge forward (swap = false): the old mail is merged into the dial tone mailboxes instead")
		if rc.stageWanted(stMerged) {
			size := "its size is checked at apply"
			if rc.backup != nil && rc.backup.SizeBytes > 0 {
				size = "about " + formatBytes(rc.backup.SizeBytes) + " (backup set " + rc.backup.Set + ")"
			}
			rc.notes = append(rc.notes, "merge forward copies every old item of "+rc.failed.Name+" through MRS: "+
				strconv.Itoa(len(rc.mailboxes))+" restore requests (one per mailbox), "+size+
				"; far slower than merging the dial tone mail back, and it meets far more bad items")
		}
	} else {
		rc.emptyStages(all, "the dial tone mail is lost, nothing to merge")
	}
	return rc.chain(rc.withRepair(all, caps))
}

// formatBytes writes a size in binary units ("1.5 GiB").
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTPE"[exp]) + "iB"
}
