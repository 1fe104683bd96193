package planner

import (
	"fmt"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// A dial tone database lost before the swap (exchange-recovery.md 4.7) leaves its users
// without service again, and its mail at risk. When it was backed up, the way back is
// the one of any lost database: its own backup restored into its own paths, its surviving
// logs (newer than the backup) replayed with its own log prefix, and a mount. Service
// comes back with every dial tone message, and the recovery then goes on as if nothing
// had happened: nothing of the dial tone mail is lost.

// repairKeys are the steps of that repair, in order.
var repairKeys = []string{
	"keep_lost_dial_tone_logs", "allow_file_restore_for_dial_tone", "restore_dial_tone_backup_in_place",
	"copy_dial_tone_surviving_logs", "replay_dial_tone_logs_in_place", "mount_restored_dial_tone_database",
	"disallow_file_restore_for_dial_tone",
}

// repairUnderway says whether an earlier run started the repair and did not finish it:
// the dial tone database is then no longer "lost" by its files (the restore put them
// back), but the repair must still run to its mount.
func (rc *recCtx) repairUnderway() bool {
	if rc.done[rc.id("mount_restored_dial_tone_database")] != nil {
		return false
	}
	for _, k := range repairKeys {
		if rc.done[rc.id(k)] != nil {
			return true
		}
	}
	return false
}

// resolveDialToneRepair decides whether the lost dial tone database is restored in place
// (its backup exists and the swap has not been reached), and declares what its logs can
// no longer give back: generations destroyed after the backup, or every log gone.
func (rc *recCtx) resolveDialToneRepair(st *state.State) bool {
	if rc.dtBackup == nil || rc.from >= stSwapped {
		return false
	}
	for _, key := range lostPathSteps {
		if rc.done[rc.id(key)] != nil {
			return false // an earlier plan took the lost path already
		}
	}
	rc.dtRepair = true
	b := rc.dtBackup
	db := st.Databases[rc.dt.Name]
	if db == nil || db.Logs == nil {
		return true
	}
	l := db.Logs
	taken := b.Taken.UTC().Format("2006-01-02 15:04:05Z")
	if l.First == 0 && l.Last == 0 {
		rc.dataLoss = append(rc.dataLoss, DataLoss{
			What:     "mail received in " + rc.dt.Name + " after its backup set " + b.Set + " (taken " + taken + ")",
			Why:      rc.dt.Name + "'s .edb and every log of it are gone: the restore of " + b.Set + " ends at the backup",
			Decision: "unavoidable: the files are gone",
		})
		return true
	}
	switch {
	case l.First > b.Generation+1:
		rc.dtGap = b.Generation + 1
	default:
		for _, m := range l.Missing {
			if m > b.Generation {
				rc.dtGap = m
				break
			}
		}
	}
	if rc.dtGap > 0 {
		decision := decisionNotAccepted
		if rc.acceptLoss {
			decision = decisionAccepted
		}
		rc.dataLoss = append(rc.dataLoss, DataLoss{
			What: fmt.Sprintf("mail received in %s after its backup set %s (taken %s) that only log generations %d (0x%X) to %d (0x%X) held",
				rc.dt.Name, b.Set, taken, rc.dtGap, rc.dtGap, l.Last, l.Last),
			Why: fmt.Sprintf("%s's log generation %d is missing: replay stops at the gap (eseutil /r %s /a); the backup ends at generation %d",
				rc.dt.Name, rc.dtGap, rc.dtPrefix, b.Generation),
			Decision: decision,
		})
	}
	return true
}

// repairDialTone restores the lost dial tone database in place (see the top of this
// file). Its users are without service from the first step to the mount.
func (rc *recCtx) repairDialTone(stage int, caps providers.Capabilities) []*Step {
	dt := rc.dt
	set := rc.dtBackup.Set
	const num = 4 // the dial tone database is mounted again (2.1 step 4, 2.3 step 2)
	// Before the restore writes into its folders: a damaged .edb left there (corrupt,
	// not gone) may still hold mail, and backup software would overwrite it.
	keep := rc.keepFiles("keep_lost_dial_tone_logs", stage, num, dt, rc.dtPreserve, "the lost ", caps)
	keep.Phase = PhaseRestoreService
	if keep.Operation.Kind == providers.OpCopyFiles {
		keep.Summary = "Copy every surviving file of the lost " + dt.Name + " (its logs) to " + rc.dtPreserve + " before the restore writes into its folders; delete nothing"
	}
	allow := rc.newStep("allow_file_restore_for_dial_tone", stage, num, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: true},
		"Let the restore put "+dt.Name+"'s backup in place (AllowFileRestore $true)",
		cmdAllowFileRestore(dt.Name, true),
	)
	restore := rc.newStep("restore_dial_tone_backup_in_place", stage, num, PhaseRestoreService, RiskReadOnly,
		providers.Operation{Kind: providers.OpRestoreBackup, Database: dt.Name, Server: dt.Server,
			Source: dt.Name, Backup: set, EdbFilePath: dt.Edb, LogFolderPath: dt.Logs},
		"Restore backup set "+set+" of the lost "+dt.Name+" into its own paths on "+dt.Server+", keeping file names",
		psComment("Restore backup set "+set+" of "+dt.Name+" into "+winDir(dt.Edb)+" (database) and "+dt.Logs+" (logs); do not mount it."),
		cmdHeader(dt.Edb),
	)
	manual(restore, caps.RestoreBackup, "Restore backup set "+set+" of "+dt.Name+" with your backup software into its own paths on "+dt.Server+
		" ("+dt.Edb+" and "+dt.Logs+"), keeping file names; do not mount it; then check the header with eseutil /mh.")
	pattern := rc.dtPrefix + "*.log"
	copyLogs := rc.newStep("copy_dial_tone_surviving_logs", stage, num, PhaseRestoreService, RiskReadOnly,
		providers.Operation{Kind: providers.OpCopyLogs, Database: dt.Name, Server: dt.Server,
			Source: dt.Name, SourceFolder: rc.dtPreserve, LogFolderPath: dt.Logs},
		"Copy "+dt.Name+"'s surviving logs (newer than backup set "+set+") back into its log folder before the mount",
		ems.RobocopyNewer(rc.dtPreserve, dt.Logs, pattern).String(),
		ems.CheckLogs(winJoin(dt.Logs, rc.dtPrefix)).String(),
	)
	manual(copyLogs, caps.MoveFiles, "Copy the "+pattern+" files from "+rc.dtPreserve+" into "+dt.Logs+" on "+dt.Server+
		" (keep the newer ones), then check with eseutil /ml that the sequence has no gap.")
	replay := rc.replay("replay_dial_tone_logs_in_place", stage, num, dt, rc.dtPrefix, "the restored "+dt.Name, rc.dtGap, caps)
	replay.Phase = PhaseRestoreService
	mount := rc.newStep("mount_restored_dial_tone_database", stage, num, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount the restored "+dt.Name+" on "+dt.Server+": users get service back, with their dial tone mail; mail queued meanwhile is delivered",
		cmdHeader(dt.Edb), cmdMount(dt.Name),
	)
	disallow := rc.newStep("disallow_file_restore_for_dial_tone", stage, num, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: false},
		"Set AllowFileRestore on "+dt.Name+" back to $false",
		cmdAllowFileRestore(dt.Name, false),
	)
	steps := []*Step{keep, allow, restore, copyLogs, replay, mount, disallow}
	for _, s := range steps {
		s.Mailboxes = len(rc.mailboxes)
		s.Outage = OutageContinues
	}
	mount.Outage, disallow.Outage = OutageEnds, OutageNone
	return steps
}

// withRepair puts the repair of a lost dial tone database first in the first stage the
// plan moves the recovery through: service comes back before anything else is done.
// A lost dial tone database that cannot be repaired keeps its users without service
// until the swap: every step before it says so, for the outage windows.
func (rc *recCtx) withRepair(all [stageCount][]*Step, caps providers.Capabilities) [stageCount][]*Step {
	if rc.dtLost {
		for i := max(rc.from+1, stDialTone); i < stSwapped; i++ {
			for _, s := range all[i] {
				if s.Outage == OutageNone {
					s.Outage, s.Mailboxes = OutageContinues, len(rc.mailboxes)
				}
			}
		}
	}
	if !rc.dtRepair {
		return all
	}
	first := max(rc.from+1, stDialTone)
	if first >= stageCount {
		return all
	}
	all[first] = append(rc.repairDialTone(first, caps), all[first]...)
	return all
}
