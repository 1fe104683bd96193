package planner

import (
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
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

// sameServer builds the steps of exchange-recovery.md 2.1 for every stage the plan moves
// the recovery through, indexed by stage, in Microsoft's order (see chain). Without a
// backup (restore.backup = "none") only the dial tone and the clean-up remain.
func sameServer(rc *recCtx, caps providers.Capabilities) [stageCount][]*Step {
	var all [stageCount][]*Step
	all[stDialTone] = rc.restoreService(caps)
	if rc.noBackup {
		all[stComplete] = append([]*Step{rc.removeFailedDatabase()}, rc.finishSettings(14, true)...)
		rc.emptyStages(all, "no backup to restore ("+rc.dt.Name+" stays the users' database)")
		return rc.chain(rc.withRepair(all, caps))
	}
	all[stRestored] = rc.restoreData(caps)
	all[stSwapped] = rc.swap(caps)
	all[stMerged] = rc.merge()
	all[stComplete] = append(rc.cleanUp(caps, all[stMerged]), rc.finishSettings(14, false)...)
	rc.emptyStages(all, "the dial tone mail is lost, nothing to merge")
	return rc.chain(rc.withRepair(all, caps))
}

// removeFailedDatabase removes the failed database's AD object once no mailbox of any
// kind points at it (a precondition checks that).
func (rc *recCtx) removeFailedDatabase() *Step {
	return rc.removeDatabase("remove_failed_database", stComplete, 14, rc.failed,
		"Remove the failed database "+rc.failed.Name+"'s AD object (no mailbox of any kind points at it any more)")
}

// usersDown is the outage of the steps before dial tone: users lost service when the
// database failed. A mounted failed database (refused by a precondition) would lose
// them service at the re-home instead.
func (rc *recCtx) usersDown(key string) Outage {
	if !rc.failedMounted {
		return OutageContinues
	}
	switch key {
	case "rehome_to_dial_tone":
		return OutageStarts
	case "rehome_system_mailboxes_to_dial_tone":
		return OutageContinues
	}
	return OutageNone
}

func (rc *recCtx) restoreService(caps providers.Capabilities) []*Step {
	f, dt := rc.failed, rc.dt
	n := len(rc.mailboxes)

	preserve := rc.keepFailedFiles(stDialTone, 1, caps)

	create := rc.newStep("create_dial_tone_database", stDialTone, 2, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpCreateDatabase, Database: dt.Name, Server: dt.Server,
			EdbFilePath: dt.Edb, LogFolderPath: dt.Logs},
		"Create the empty dial tone database "+dt.Name+" on "+dt.Server,
		cmdNewDatabase(dt.Name, dt.Server, dt.Edb, dt.Logs, false),
	)

	// Get-Mailbox returns neither system mailboxes nor archives without its switches:
	// they are re-homed by a step of their own, right after the users (2.1 notes).
	rehome := rc.newStep("rehome_to_dial_tone", stDialTone, 3, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpRehomeMailboxes, Database: f.Name, Target: dt.Name},
		"Point the "+plural(rc.countKind(false), "user mailbox", "user mailboxes")+" of "+f.Name+" at "+dt.Name,
		ems.RehomeUsers(f.Name, dt.Name).String(),
	)
	system := rc.rehomeSystem("rehome_system_mailboxes_to_dial_tone", stDialTone, 3, f, dt)

	mount := rc.newStep("mount_dial_tone_database", stDialTone, 4, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount "+dt.Name+": users get service back, with empty mailboxes",
		cmdMount(dt.Name),
	)
	mount.Outage = OutageEnds
	// Mail queued for the failed database while it was down waits for it; resubmitting
	// sends it through categorisation again, to the users' new home.
	resubmit := rc.resubmit("resubmit_queues_to_dial_tone", stDialTone, 4, f, dt)

	create.Outage = rc.usersDown("create_dial_tone_database")
	rehome.Outage = rc.usersDown("rehome_to_dial_tone")
	system.Outage = rc.usersDown("rehome_system_mailboxes_to_dial_tone")
	settings := rc.afterCreate(create, 2)
	for _, s := range settings {
		s.Outage = create.Outage
	}

	steps := append([]*Step{create}, settings...)
	steps = append(steps, rehome, system, mount)
	if hold := rc.holdFailed(4); hold != nil {
		steps = append(steps, hold)
	}
	steps = append(steps, resubmit)
	if preserve.Operation.Kind == providers.OpKeepFiles {
		preserve.Outage = rc.usersDown("preserve_failed_files")
		steps = append([]*Step{preserve}, steps...)
	} else {
		steps = append(steps, preserve) // a copy: after service is back
		preserve.Number = 4
	}
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
		cmdHeader(rdb.Edb),
	)
	manual(restore, caps.RestoreBackup, "Restore backup set "+backup+" of "+f.Name+" with your backup software into "+
		rdbDir+" (database) and "+rdb.Logs+" (logs) on "+rdb.Server+", keeping file names ("+winBase(rdb.Edb)+"); then check the header with eseutil /mh.")
	steps := []*Step{create, restore}

	if rc.rec.Restore.ReplayLogs && !rc.logsGone {
		steps = append(steps, rc.copySurvivingLogs(caps))
	}
	replay := rc.replay("replay_logs", stRestored, 7, rdb, rc.prefix, "the restored "+f.Name, rc.logGap, caps)

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
	return append(steps, replay, rc.restartStore(stRestored, 7), mount, dismount)
}

func (rc *recCtx) swap(caps providers.Capabilities) []*Step {
	if rc.dtLost {
		return rc.swapLost(caps)
	}
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
		cmdHeader(dt.Edb), cmdMount(dt.Name),
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
	if rc.dtLost {
		return nil // the dial tone mail is lost: nothing to merge
	}
	if !rc.doSwap {
		return rc.mergeSteps(12, 13, "the old mail of "+rc.failed.Name, "the old mail", "into the dial tone mailbox (merge forward)")
	}
	return rc.mergeSteps(12, 13, "it now holds the dial tone mail", "the dial tone mail", "back into the mailbox")
}

func (rc *recCtx) cleanUp(caps providers.Capabilities, merges []*Step) []*Step {
	rdb := rc.rdb
	if len(merges) == 0 && rc.dtLost {
		// Nothing was merged and the recovery database was never mounted again.
		removeDB := rc.removeDatabase("remove_recovery_database", stComplete, 14, rdb,
			"Remove the recovery database "+rdb.Name+" (AD object only; its files stay)")
		return []*Step{removeDB, rc.deleteFiles("delete_recovery_database_files", stComplete, 14, rdb, caps)}
	}
	remove := rc.newStep("remove_restore_requests", stComplete, 14, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpRemoveRestoreRequests, Source: rdb.Name},
		"Remove the finished restore requests that read from "+rdb.Name,
		ems.RemoveRestoreRequests(rdb.Name, "Completed").String(),
		ems.RemoveRestoreRequests(rdb.Name, "CompletedWithWarning").String(),
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
		ems.RemoveDatabase(rdb.Name).String(),
	)
	// Deleting files cannot be undone; by now they hold only dial tone mail already merged.
	del := rc.deleteFiles("delete_recovery_database_files", stComplete, 14, rdb, caps)
	return []*Step{remove, dismount, removeDB, del}
}
