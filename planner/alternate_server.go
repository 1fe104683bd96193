package planner

import (
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// alternateServer builds exchange-recovery.md 2.3: dial tone on another server, the
// failed server rebuilt and the backup restored into the failed database's own paths,
// the users re-homed back (the swap), then the dial tone files merged from a recovery
// database. Without a backup the dial tone database stays for good.
func alternateServer(rc *recCtx, caps providers.Capabilities) [stageCount][]*Step {
	var all [stageCount][]*Step
	all[stDialTone] = rc.remoteDialTone(!rc.noBackup)
	if rc.noBackup {
		all[stComplete] = rc.keepDialTone()
		rc.emptyStages(all, "no backup to restore ("+rc.dt.Name+" on "+rc.dt.Server+" becomes permanent)")
		return rc.chain(rc.withRepair(all, caps))
	}
	all[stRestored] = rc.rebuildAndRestore(caps)
	all[stSwapped] = rc.swapBack()
	all[stMerged] = rc.mergeDialTone(caps)
	all[stComplete] = rc.alternateCleanUp(caps, all[stMerged])
	rc.emptyStages(all, "the dial tone mail is lost, nothing to merge")
	return rc.chain(rc.withRepair(all, caps))
}

// remoteDialTone is 2.3 steps 1 to 4 (2.4 uses them too): the dial tone database on
// another server, excluded from provisioning while it is temporary; users get service
// once they are re-homed and AD has replicated.
func (rc *recCtx) remoteDialTone(temporary bool) []*Step {
	f, dt := rc.failed, rc.dt
	n := len(rc.mailboxes)
	create := rc.newStep("create_dial_tone_database", stDialTone, 1, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpCreateDatabase, Database: dt.Name, Server: dt.Server,
			EdbFilePath: dt.Edb, LogFolderPath: dt.Logs},
		"Create the empty dial tone database "+dt.Name+" on "+dt.Server,
		cmdNewDatabase(dt.Name, dt.Server, dt.Edb, dt.Logs, false),
	)
	steps := append([]*Step{create}, rc.afterCreate(create, 1)...)
	if temporary {
		steps = append(steps, rc.setProvisioning("exclude_dial_tone_from_provisioning", stDialTone, 1, dt, true,
			"Keep new mailboxes off "+dt.Name+" (IsExcludedFromProvisioning $true): it is temporary"))
	}
	mount := rc.newStep("mount_dial_tone_database", stDialTone, 2, PhaseRestoreService, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount the empty "+dt.Name+" on "+dt.Server,
		cmdMount(dt.Name),
	)
	rehome := rc.rehomeUsers("rehome_to_dial_tone", stDialTone, 3, f, dt)
	rehome.Summary += ": users get service back, with empty mailboxes"
	system := rc.rehomeSystem("rehome_system_mailboxes_to_dial_tone", stDialTone, 3, f, dt)
	resubmit := rc.resubmit("resubmit_queues_to_dial_tone", stDialTone, 4, f, dt)
	steps = append(steps, mount, rehome, system, resubmit)
	if hold := rc.holdFailed(4); hold != nil {
		steps = append(steps, hold)
	}
	if s := rc.repoint("repoint_profiles_to_dial_tone", stDialTone, 4, dt.Server); s != nil {
		steps = append(steps, s)
	}
	for _, s := range steps {
		if s.Mailboxes == 0 {
			s.Mailboxes = n
		}
		if s == rehome {
			break
		}
		s.Outage = OutageContinues
	}
	rehome.Outage = OutageEnds
	if rc.failedMounted {
		for _, s := range steps {
			s.Outage = OutageNone
		}
	}
	return steps
}

// keepDialTone is the clean-up without a backup: the dial tone database becomes the
// users' permanent database and the failed database's object goes.
func (rc *recCtx) keepDialTone() []*Step {
	var steps []*Step
	if rc.done[rc.id("exclude_dial_tone_from_provisioning")] != nil {
		steps = append(steps, rc.setProvisioning("include_dial_tone_in_provisioning", stComplete, 11, rc.dt, false,
			"Open "+rc.dt.Name+" to new mailboxes again (IsExcludedFromProvisioning $false): it is permanent now"))
	}
	s := rc.removeFailedDatabase()
	s.Number = 11
	return append(append(steps, s), rc.finishSettings(11, true)...)
}

// rebuildAndRestore is 2.3 steps 5 and 6: rebuild the failed server (manual), restore
// the backup into the failed database's own paths, add the surviving logs, make it
// clean, and leave it dismounted until the swap.
func (rc *recCtx) rebuildAndRestore(caps providers.Capabilities) []*Step {
	f := rc.failed
	var steps []*Step
	if !rc.failedUp {
		recover := rc.newStep("recover_server", stRestored, 5, PhaseRestoreData, RiskReversible,
			providers.Operation{Kind: providers.OpRecoverServer, Server: f.Server},
			"Rebuild "+f.Server+" under its own name (Setup.exe /Mode:RecoverServer)",
			psComment("Reset the computer account of "+f.Server+"; install the same Windows Server version under the name "+f.Server+" with drive letters "+rc.driveLetters()),
			ems.SetupRecoverServer(rc.failedBuild, "").String(),
			"Get-Service MSExchangeIS, MSExchangeRepl",
		)
		manual(recover, caps.RecoverServer, "Rebuild "+f.Server+": (1) reset its computer account in Active Directory; "+
			"(2) install the same Windows Server version it ran, under the name "+f.Server+", with the same drive letters for its database volumes ("+rc.driveLetters()+"); "+
			"(3) run Setup.exe /Mode:RecoverServer from the same Exchange build; (4) re-apply custom settings and certificates; "+
			"(5) check that MSExchangeIS and MSExchangeRepl run, then run \"dialtone refresh\".")
		steps = append(steps, recover)
	}
	steps = append(steps, rc.mountUnrecovered(5)...)
	if rc.intact != "" {
		return append(steps, rc.useFoundFiles(caps)...)
	}
	// Kept whatever restore.replay_logs says: the restore writes into these paths.
	steps = append(steps, rc.keepFailedFiles(stRestored, 6, caps))
	allow := rc.newStep("allow_file_restore_for_restore", stRestored, 6, PhaseRestoreData, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: f.Name, Value: true},
		"Let the restore replace "+f.Name+" (AllowFileRestore $true, if the backup product needs it)",
		cmdAllowFileRestore(f.Name, true),
	)
	backup := rc.rec.Restore.Backup
	restore := rc.newStep("restore_backup", stRestored, 6, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpRestoreBackup, Database: f.Name, Server: f.Server,
			Source: f.Name, Backup: backup, EdbFilePath: f.Edb, LogFolderPath: f.Logs},
		"Restore backup set "+backup+" of "+f.Name+" into its own paths on "+f.Server+", keeping file names",
		psComment("Restore backup set "+backup+" of "+f.Name+" into "+winDir(f.Edb)+" (database) and "+f.Logs+" (logs)."),
		cmdHeader(f.Edb),
	)
	manual(restore, caps.RestoreBackup, "Restore backup set "+backup+" of "+f.Name+" with your backup software into its own paths on "+f.Server+
		" ("+f.Edb+" and "+f.Logs+"); do not mount it; then check the header with eseutil /mh.")
	steps = append(steps, allow, restore)
	if rc.rec.Restore.ReplayLogs && !rc.logsGone {
		copyLogs := rc.newStep("copy_surviving_logs", stRestored, 6, PhaseRestoreData, RiskReadOnly,
			providers.Operation{Kind: providers.OpCopyLogs, Database: f.Name, Server: f.Server,
				Source: f.Name, SourceFolder: rc.preserve, LogFolderPath: f.Logs},
			"Copy "+f.Name+"'s surviving logs (newer than the backup) back into its log folder before any mount",
			ems.RobocopyNewer(rc.preserve, f.Logs, rc.prefix+"*.log").String(),
			ems.CheckLogs(winJoin(f.Logs, rc.prefix)).String(),
		)
		manual(copyLogs, caps.MoveFiles, "Copy the "+rc.prefix+"*.log files from "+rc.preserve+" into "+f.Logs+" on "+f.Server+
			" (keep the newer ones), then check with eseutil /ml that the sequence has no gap.")
		steps = append(steps, copyLogs)
	}
	replay := rc.replay("replay_logs", stRestored, 6, f, rc.prefix, "the restored "+f.Name, rc.logGap, caps)
	disallow := rc.newStep("disallow_file_restore_after_restore", stRestored, 6, PhaseRestoreData, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: f.Name, Value: false},
		"Set AllowFileRestore on "+f.Name+" back to $false; "+f.Name+" stays dismounted until the swap",
		cmdAllowFileRestore(f.Name, false),
	)
	return append(steps, replay, disallow)
}

// driveLetters lists the drives the files of the failed server's databases use.
func (rc *recCtx) driveLetters() string {
	seen := map[string]bool{}
	var out []string
	// Every database of the server, not only this recovery's: the server is rebuilt
	// once for all of them (shareServerRebuilds).
	for _, p := range append([]string{rc.failed.Edb, rc.failed.Logs}, rc.serverPaths...) {
		if len(p) >= 2 && p[1] == ':' && !seen[strings.ToUpper(p[:2])] {
			seen[strings.ToUpper(p[:2])] = true
			out = append(out, strings.ToUpper(p[:2]))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "as before"
	}
	return strings.Join(out, ", ")
}

// swapBack is 2.3 steps 7 and 8: the users go home to the restored database.
func (rc *recCtx) swapBack() []*Step {
	f, dt := rc.failed, rc.dt
	n := len(rc.mailboxes)
	var steps []*Step
	if !rc.dtLost {
		dismount := rc.newStep("dismount_dial_tone_database", stSwapped, 7, PhaseSwap, RiskOutage,
			providers.Operation{Kind: providers.OpDismountDatabase, Database: dt.Name, Server: dt.Server},
			"Dismount "+dt.Name+": users lose service until they are home on "+f.Name+" again",
			cmdDismount(dt.Name),
		)
		dismount.Outage = OutageStarts
		steps = append(steps, dismount)
	}
	rehome := rc.rehomeUsers("rehome_to_restored_database", stSwapped, 8, dt, f)
	system := rc.rehomeSystem("rehome_system_mailboxes_to_restored_database", stSwapped, 8, dt, f)
	mount := rc.newStep("mount_restored_database", stSwapped, 8, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: f.Name, Server: f.Server},
		"Mount the "+rc.recoveredWord()+" "+f.Name+" on "+f.Server,
		cmdHeader(f.Edb), cmdMount(f.Name),
	)
	resubmit := rc.resubmit("resubmit_queues_to_restored_database", stSwapped, 8, dt, f)
	resubmit.Summary += ": service back, with all old mail"
	rehome.Outage, system.Outage, mount.Outage, resubmit.Outage = OutageContinues, OutageContinues, OutageContinues, OutageEnds
	steps = append(steps, rehome, system, mount, resubmit)
	if s := rc.restoreFailedStartup(8); s != nil {
		steps = append(steps, s)
	}
	if s := rc.repoint("repoint_profiles_to_restored_server", stSwapped, 8, f.Server); s != nil {
		steps = append(steps, s)
	}
	for _, s := range steps {
		if s.Mailboxes == 0 {
			s.Mailboxes = n
		}
	}
	return steps
}

// mergeDialTone is 2.3 steps 9 and 10: a copy of the dial tone files (or, when they
// were lost, its backup) in a recovery database, merged into the restored mailboxes.
func (rc *recCtx) mergeDialTone(caps providers.Capabilities) []*Step {
	dt, rdb := rc.dt, rc.rdb
	if rc.dtLost && rc.dtBackup == nil {
		return nil
	}
	var steps []*Step
	create := rc.newStep("create_recovery_database", stMerged, 9, PhaseMerge, RiskReversible,
		providers.Operation{Kind: providers.OpCreateDatabase, Database: rdb.Name, Server: rdb.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs, Recovery: true},
		"Create the recovery database "+rdb.Name+" on "+rdb.Server+", pointed at "+winBase(rdb.Edb),
		cmdNewDatabase(rdb.Name, rdb.Server, rdb.Edb, rdb.Logs, true),
	)
	if !rc.dtLost {
		op := providers.Operation{Kind: providers.OpCopyFiles, Database: dt.Name, Server: dt.Server,
			EdbFilePath: dt.Edb, LogFolderPath: dt.Logs, DestEdbFilePath: rdb.Edb, DestLogFolderPath: rdb.Logs}
		edbDest, logDest := winDir(rdb.Edb), rdb.Logs
		if rdb.Server != dt.Server {
			op.DestServer = rdb.Server
			edbDest, logDest = rc.remoteFolder(rdb.Server, edbDest), rc.remoteFolder(rdb.Server, logDest)
		}
		cp := rc.newStep("copy_dial_tone_files", stMerged, 9, PhaseMerge, RiskReadOnly, op,
			"Copy "+dt.Name+"'s files (the dial tone mail) to "+rdb.Edb+" and "+rdb.Logs+" on "+rdb.Server+"; the originals stay",
			ems.Robocopy(winDir(dt.Edb), edbDest, winBase(dt.Edb)).String(),
			ems.Robocopy(dt.Logs, logDest).String(),
		)
		manual(cp, caps.MoveFiles, "Copy "+dt.Edb+" to "+rdb.Edb+" and the files of "+dt.Logs+" into "+rdb.Logs+" on "+rdb.Server+", keeping names.")
		steps = append(steps, cp, create)
	} else {
		set := rc.dtBackup.Set
		restore := rc.newStep("restore_dial_tone_backup", stMerged, 9, PhaseMerge, RiskReadOnly,
			providers.Operation{Kind: providers.OpRestoreBackup, Database: rdb.Name, Server: rdb.Server,
				Source: dt.Name, Backup: set, EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs},
			"Restore backup set "+set+" of the lost "+dt.Name+" into "+rdb.Name+"'s folder, keeping file names",
			psComment("Restore backup set "+set+" of "+dt.Name+" into "+rdb.Logs+"."),
			cmdHeader(rdb.Edb),
		)
		manual(restore, caps.RestoreBackup, "Restore backup set "+set+" of "+dt.Name+" with your backup software into "+rdb.Logs+" on "+rdb.Server+
			", keeping file names ("+winBase(rdb.Edb)+").")
		steps = append(steps, create, restore, rc.replay("replay_dial_tone_logs", stMerged, 9, rdb, rc.dtPrefix, "the restored "+dt.Name, 0, caps))
	}
	into := "into the restored mailbox"
	if rc.intact != "" {
		into = "into the mailbox on " + rc.failed.Name
	}
	steps = append(steps, rc.restartStore(stMerged, 9))
	return append(steps, rc.mergeSteps(9, 10, "a copy of the dial tone mail", "the dial tone mail", into)...)
}

// alternateCleanUp is 2.3 step 11.
func (rc *recCtx) alternateCleanUp(caps providers.Capabilities, merges []*Step) []*Step {
	var steps []*Step
	if len(merges) > 0 {
		steps = rc.cleanUp(caps, merges)
		for _, s := range steps {
			s.Number = 11
		}
	}
	if s := rc.releaseFailed(11); s != nil {
		steps = append(steps, s)
	}
	removeDT := rc.removeDatabase("remove_dial_tone_database", stComplete, 11, rc.dt,
		"Remove the dial tone database "+rc.dt.Name+" (no mailbox of any kind points at it any more)")
	return append(steps, removeDT, rc.deleteFiles("delete_dial_tone_files", stComplete, 11, rc.dt, caps))
}
