package planner

import (
	"github.com/dialtone/dialtone/providers"
)

// Stage indexes (config.Stages).
const (
	stDialTone = iota
	stRestored
	stSwapped
	stMerged
	stComplete
	stageCount
)

// lastKey is the key of the last step of each same_server stage, which the first step
// of the next stage depends on. The merge stage ends in per-mailbox steps; the clean-up
// step after it depends on all of them (see sameServer).
var lastKey = [stageCount]string{
	stDialTone: "mount_dial_tone_database",
	stRestored: "dismount_recovery_database",
	stSwapped:  "disallow_file_restore",
	stMerged:   "mount_recovery_database_for_merge",
}

// sameServer builds the steps of exchange-recovery.md 2.1 for every stage the plan moves
// the recovery through, indexed by stage. Steps keep Microsoft's order; each depends on
// the step before it in the full list (done or not), so IDs and edges do not depend on
// how far an earlier run got.
func sameServer(rc *recCtx, caps providers.Capabilities) [stageCount][]*Step {
	var out [stageCount][]*Step
	if rc.stageWanted(stDialTone) {
		out[stDialTone] = rc.restoreService(caps)
	}
	if rc.stageWanted(stRestored) {
		out[stRestored] = rc.restoreData(caps)
	}
	if rc.stageWanted(stSwapped) {
		out[stSwapped] = rc.swap(caps)
	}
	if rc.stageWanted(stMerged) {
		out[stMerged] = rc.merge()
	}
	if rc.stageWanted(stComplete) {
		out[stComplete] = rc.cleanUp(caps, out[stMerged])
	}
	for i := range out {
		prev := ""
		if i > 0 {
			prev = rc.id(lastKey[i-1])
		}
		for _, s := range out[i] {
			if s.DependsOn == nil && prev != "" {
				s.DependsOn = []string{prev}
			}
			if !s.Parallel {
				prev = s.ID
			}
		}
	}
	return out
}

// usersDown is the outage of the steps before dial tone: users lost service when the
// database failed. A mounted failed database (refused by a precondition) would lose
// them service at the re-home instead.
func (rc *recCtx) usersDown(key string) Outage {
	if !rc.failedMounted {
		return OutageContinues
	}
	if key == "rehome_to_dial_tone" {
		return OutageStarts
	}
	return OutageNone
}

func (rc *recCtx) restoreService(caps providers.Capabilities) []*Step {
	f, dt := rc.failed, rc.dt
	n := len(rc.mailboxes)

	preserve := rc.newStep("preserve_failed_files", stDialTone, 1, PhaseRestoreService, RiskReadOnly,
		providers.Operation{Kind: providers.OpCopyFiles, Database: f.Name, Server: f.Server,
			EdbFilePath: f.Edb, LogFolderPath: f.Logs, DestFolder: rc.preserve},
		"Copy every surviving file of "+f.Name+" (database, logs, checkpoint) to "+rc.preserve+"; delete nothing",
		psComment("Keep every surviving file of "+f.Name+": copy it away, delete nothing."),
		"robocopy "+psQuote(winDir(f.Edb))+" "+psQuote(rc.preserve)+" "+psQuote(winBase(f.Edb))+" /COPY:DAT /R:1 /W:1",
		"robocopy "+psQuote(f.Logs)+" "+psQuote(rc.preserve)+" /COPY:DAT /R:1 /W:1",
	)
	manual(preserve, caps.MoveFiles, "Copy "+f.Edb+" and every file in "+f.Logs+" into "+rc.preserve+" on "+f.Server+", keeping names; delete nothing.")

	create := rc.newStep("create_dial_tone_database", stDialTone, 2, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpCreateDatabase, Database: dt.Name, Server: dt.Server,
			EdbFilePath: dt.Edb, LogFolderPath: dt.Logs},
		"Create the empty dial tone database "+dt.Name+" on "+dt.Server,
		cmdNewDatabase(dt.Name, dt.Server, dt.Edb, dt.Logs, false),
	)

	rehome := rc.newStep("rehome_to_dial_tone", stDialTone, 3, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpRehomeMailboxes, Database: f.Name, Target: dt.Name},
		"Point the "+plural(n, "mailbox", "mailboxes")+" of "+f.Name+" (with system mailboxes and archives) at "+dt.Name,
		cmdRehome(f.Name, dt.Name, rc.auditSwitches)...,
	)

	mount := rc.newStep("mount_dial_tone_database", stDialTone, 4, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount "+dt.Name+": users get service back, with empty mailboxes",
		cmdMount(dt.Name),
	)
	mount.Outage = OutageEnds

	preserve.Outage = rc.usersDown("preserve_failed_files")
	create.Outage = rc.usersDown("create_dial_tone_database")
	rehome.Outage = rc.usersDown("rehome_to_dial_tone")

	steps := []*Step{preserve, create, rehome, mount}
	for _, s := range steps {
		s.Mailboxes = n
	}
	return steps
}

func (rc *recCtx) restoreData(caps providers.Capabilities) []*Step {
	f, rdb := rc.failed, rc.rdb
	rdbDir := winDir(rdb.Edb)

	create := rc.newStep("create_recovery_database", stRestored, 5, PhaseRestoreData, RiskReversible,
		providers.Operation{Kind: providers.OpCreateDatabase, Database: rdb.Name, Server: rdb.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs, Recovery: true},
		"Create the recovery database "+rdb.Name+" on "+rdb.Server+", pointed at "+winBase(rdb.Edb),
		cmdNewDatabase(rdb.Name, rdb.Server, rdb.Edb, rdb.Logs, true),
	)

	backup := rc.rec.Restore.Backup
	restore := rc.newStep("restore_backup", stRestored, 5, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpRestoreBackup, Database: rdb.Name, Server: rdb.Server,
			Source: f.Name, Backup: backup, EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs},
		"Restore backup set "+backup+" of "+f.Name+" into "+rdb.Name+"'s folders, keeping file names",
		psComment("Restore backup set "+backup+" of "+f.Name+" into "+rdbDir+" (database) and "+rdb.Logs+" (logs), keeping file names."),
		"eseutil /mh "+psQuote(rdb.Edb),
	)
	manual(restore, caps.RestoreBackup, "Restore backup set "+backup+" of "+f.Name+" with your backup software into "+
		rdbDir+" (database) and "+rdb.Logs+" (logs) on "+rdb.Server+", keeping file names ("+winBase(rdb.Edb)+"); then check the header with eseutil /mh.")
	steps := []*Step{create, restore}

	if rc.rec.Restore.ReplayLogs {
		pattern := rc.prefix + "*.log"
		copyLogs := rc.newStep("copy_surviving_logs", stRestored, 6, PhaseRestoreData, RiskReadOnly,
			providers.Operation{Kind: providers.OpCopyLogs, Database: rdb.Name, Server: rdb.Server,
				Source: f.Name, SourceFolder: rc.preserve, LogFolderPath: rdb.Logs},
			"Copy "+f.Name+"'s surviving logs (newer than the backup) into "+rdb.Name+"'s log folder before the first mount",
			"robocopy "+psQuote(rc.preserve)+" "+psQuote(rdb.Logs)+" "+psQuote(pattern)+" /COPY:DAT /R:1 /W:1",
			"eseutil /ml "+psQuote(winJoin(rdb.Logs, rc.prefix)),
		)
		manual(copyLogs, caps.MoveFiles, "Copy the "+pattern+" files from "+rc.preserve+" into "+rdb.Logs+", then check with eseutil /ml that the sequence has no gap.")
		steps = append(steps, copyLogs)
	}

	replay := rc.newStep("replay_logs", stRestored, 7, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpReplayLogs, Database: rdb.Name, Server: rdb.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs},
		"Replay the logs into the restored "+f.Name+" until it is clean (eseutil /r)",
		"eseutil /r "+psQuote(rc.prefix)+" /l "+psQuote(rdb.Logs)+" /d "+psQuote(rdbDir),
	)
	manual(replay, caps.ReplayLogs, "On "+rdb.Server+", run eseutil /r "+rc.prefix+" /l "+rdb.Logs+" /d "+rdbDir+" until eseutil /mh shows Clean Shutdown.")

	mount := rc.newStep("mount_recovery_database", stRestored, 7, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpMountDatabase, Database: rdb.Name, Server: rdb.Server},
		"Mount "+rdb.Name+" and check that it lists the expected mailboxes",
		cmdMount(rdb.Name), cmdStatistics(rdb.Name),
	)
	dismount := rc.newStep("dismount_recovery_database", stRestored, 7, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpDismountDatabase, Database: rdb.Name, Server: rdb.Server},
		"Dismount "+rdb.Name+" (leaves the recovered database clean)",
		cmdDismount(rdb.Name),
	)
	return append(steps, replay, mount, dismount)
}

func (rc *recCtx) swap(caps providers.Capabilities) []*Step {
	f, dt, rdb := rc.failed, rc.dt, rc.rdb
	n := len(rc.mailboxes)

	hold := rc.newStep("hold_recovered_files", stSwapped, 8, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpMoveFiles, Database: rdb.Name, Server: rdb.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs, DestEdbFilePath: rc.holdEdb, DestLogFolderPath: rc.holdLogs},
		"Move the recovered "+f.Name+" files out of "+rdb.Name+"'s folders to "+winDir(rc.holdEdb),
		cmdMoveFileSet(rdb.Edb, rdb.Logs, rc.holdEdb, rc.holdLogs)...,
	)
	manual(hold, caps.MoveFiles, "Move "+rdb.Edb+" to "+rc.holdEdb+" and the files of "+rdb.Logs+" into "+rc.holdLogs+" on "+rdb.Server+".")

	dismount := rc.newStep("dismount_dial_tone_database", stSwapped, 9, PhaseSwap, RiskOutage,
		providers.Operation{Kind: providers.OpDismountDatabase, Database: dt.Name, Server: dt.Server},
		"Dismount "+dt.Name+": users lose service until the swap is done",
		cmdDismount(dt.Name),
	)
	dismount.Outage = OutageStarts

	moveDT := rc.newStep("move_dial_tone_files_to_recovery_database", stSwapped, 10, PhaseSwap, RiskDataLoss,
		providers.Operation{Kind: providers.OpMoveFiles, Database: dt.Name, Server: dt.Server,
			EdbFilePath: dt.Edb, LogFolderPath: dt.Logs, DestEdbFilePath: rdb.Edb, DestLogFolderPath: rdb.Logs},
		"Move "+dt.Name+"'s files (the dial tone mail) into "+rdb.Name+"'s folders, the .edb renamed "+winBase(rdb.Edb),
		cmdMoveFileSet(dt.Edb, dt.Logs, rdb.Edb, rdb.Logs)...,
	)
	moveDT.Outage = OutageContinues
	manual(moveDT, caps.MoveFiles, "Move "+dt.Edb+" to "+rdb.Edb+" and the files of "+dt.Logs+" into "+rdb.Logs+"; copy, verify, then delete.")

	// AllowFileRestore lets DTDB01's AD object mount a file of another database identity;
	// it is on only around that mount.
	allow := rc.newStep("allow_file_restore", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: true},
		"Let "+dt.Name+" mount the recovered file (AllowFileRestore $true)",
		cmdAllowFileRestore(dt.Name, true),
	)
	allow.Outage = OutageContinues

	moveIn := rc.newStep("move_recovered_files_into_dial_tone_database", stSwapped, 11, PhaseSwap, RiskDataLoss,
		providers.Operation{Kind: providers.OpMoveFiles, Database: rdb.Name, Server: dt.Server,
			EdbFilePath: rc.holdEdb, LogFolderPath: rc.holdLogs, DestEdbFilePath: dt.Edb, DestLogFolderPath: dt.Logs},
		"Move the recovered "+f.Name+" files into "+dt.Name+"'s folders, the .edb renamed "+winBase(dt.Edb),
		cmdMoveFileSet(rc.holdEdb, rc.holdLogs, dt.Edb, dt.Logs)...,
	)
	moveIn.Outage = OutageContinues
	manual(moveIn, caps.MoveFiles, "Move "+rc.holdEdb+" to "+dt.Edb+" and the files of "+rc.holdLogs+" into "+dt.Logs+"; copy, verify, then delete.")

	// Never -Force: it would mount an empty database if the recovered file were missing.
	mount := rc.newStep("mount_swapped_database", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount "+dt.Name+" on the recovered data: service back with all old mail",
		"eseutil /mh "+psQuote(dt.Edb), cmdMount(dt.Name),
	)
	mount.Outage = OutageEnds

	disallow := rc.newStep("disallow_file_restore", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: false},
		"Set AllowFileRestore on "+dt.Name+" back to $false",
		cmdAllowFileRestore(dt.Name, false),
	)

	steps := []*Step{hold, dismount, moveDT, allow, moveIn, mount, disallow}
	for _, s := range steps[1:] {
		s.Mailboxes = n
	}
	return steps
}

func (rc *recCtx) merge() []*Step {
	rdb := rc.rdb
	mount := rc.newStep("mount_recovery_database_for_merge", stMerged, 12, PhaseMerge, RiskReadOnly,
		providers.Operation{Kind: providers.OpMountDatabase, Database: rdb.Name, Server: rdb.Server},
		"Mount "+rdb.Name+" (it now holds the dial tone mail) and list its mailboxes",
		cmdMount(rdb.Name), cmdStatistics(rdb.Name),
	)
	steps := make([]*Step, 0, len(rc.mailboxes)+1)
	steps = append(steps, mount)
	for _, mb := range rc.mailboxes {
		s := &Step{
			ID:       rc.mergeID(mb.Address),
			Recovery: rc.name,
			Stage:    mount.Stage,
			Phase:    PhaseMerge,
			Number:   13,
			Summary:  "Merge the dial tone mail of " + mb.Address + " back into the mailbox",
			Operation: providers.Operation{Kind: providers.OpMergeMailbox, Source: rdb.Name, Mailbox: mb.Address,
				ExchangeGuid: mb.ExchangeGuid, RequestName: rc.requestName,
				ConflictResolution: rc.conflict, BadItemLimit: rc.badItems},
			DependsOn: []string{mount.ID},
			Risk:      RiskReversible,
			Mailboxes: 1,
			Async:     true,
			Parallel:  true,
			Preconditions: []Precondition{{
				Description: "source mailbox present in " + rdb.Name + " (Get-MailboxStatistics); skipped if absent",
				Result:      ResultAtApply,
			}},
			Commands: []string{cmdMerge(rc.requestName, rdb.Name, mb.ExchangeGuid, mb.Address, rc.conflict, rc.badItems)},
		}
		steps = append(steps, s)
	}
	return steps
}

func (rc *recCtx) cleanUp(caps providers.Capabilities, merges []*Step) []*Step {
	rdb := rc.rdb
	remove := rc.newStep("remove_restore_requests", stComplete, 14, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpRemoveRestoreRequests, Source: rdb.Name},
		"Remove the finished restore requests that read from "+rdb.Name,
		"Get-MailboxRestoreRequest -SourceDatabase "+psQuote(rdb.Name)+" -Status Completed | Remove-MailboxRestoreRequest -Confirm:$false",
		"Get-MailboxRestoreRequest -SourceDatabase "+psQuote(rdb.Name)+" -Status CompletedWithWarning | Remove-MailboxRestoreRequest -Confirm:$false",
	)
	// Clean-up waits for every merge; when they were done by an earlier run, the mount
	// before them stands in.
	if len(merges) > 1 {
		remove.DependsOn = make([]string, 0, len(merges)-1)
		for _, m := range merges[1:] {
			remove.DependsOn = append(remove.DependsOn, m.ID)
		}
	}
	dismount := rc.newStep("dismount_recovery_database_after_merge", stComplete, 14, PhaseCleanUp, RiskReadOnly,
		providers.Operation{Kind: providers.OpDismountDatabase, Database: rdb.Name, Server: rdb.Server},
		"Dismount "+rdb.Name,
		cmdDismount(rdb.Name),
	)
	removeDB := rc.newStep("remove_recovery_database", stComplete, 14, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpRemoveDatabase, Database: rdb.Name},
		"Remove the recovery database "+rdb.Name+" (AD object only; its files stay)",
		"Remove-MailboxDatabase -Identity "+psQuote(rdb.Name)+" -Confirm:$false",
	)
	// Deleting files cannot be undone; by now they hold only dial tone mail already merged.
	del := rc.newStep("delete_recovery_database_files", stComplete, 14, PhaseCleanUp, RiskDataLoss,
		providers.Operation{Kind: providers.OpDeleteFiles, Database: rdb.Name, Server: rdb.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs},
		"Delete "+rdb.Name+"'s leftover files on "+rdb.Server,
		"Remove-Item -LiteralPath "+psQuote(rdb.Edb)+" -Confirm:$false",
		"Remove-Item -LiteralPath "+psQuote(rdb.Logs)+" -Recurse -Confirm:$false",
	)
	manual(del, caps.DeleteFiles, "On "+rdb.Server+", delete "+rdb.Edb+" and the folder "+rdb.Logs+".")
	return []*Step{remove, dismount, removeDB, del}
}
