package planner

import (
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// copySurvivingLogs copies the failed database's logs newer than the backup into the
// recovery database's log folder before the first mount (2.1 step 6). On the failed
// database's own server they come from the preserved copy; on another server they are
// read from the failed server's disks while it is up, else recovered from them by hand.
func (rc *recCtx) copySurvivingLogs(caps providers.Capabilities) *Step {
	f, rdb := rc.failed, rc.rdb
	pattern := rc.prefix + "*.log"
	src, srcServer := rc.preserve, ""
	if rc.rec.Option != config.OptionSameServer {
		src = f.Logs
		if f.Server != rdb.Server {
			srcServer = f.Server
		}
	}
	s := rc.newStep("copy_surviving_logs", stRestored, 6, PhaseRestoreData, RiskReadOnly,
		providers.Operation{Kind: providers.OpCopyLogs, Database: rdb.Name, Server: rdb.Server,
			Source: f.Name, SourceFolder: src, SourceServer: srcServer, LogFolderPath: rdb.Logs},
		"Copy "+f.Name+"'s surviving logs (newer than the backup) into "+rdb.Name+"'s log folder before the first mount",
		ems.Robocopy(rc.remoteFolder(srcServer, src), rdb.Logs, pattern).String(),
		ems.CheckLogs(winJoin(rdb.Logs, rc.prefix)).String(),
	)
	switch {
	case srcServer != "" && !rc.failedUp:
		s.Operation.SourceServer, s.Operation.SourceFolder = "", ""
		s.Manual = true
		s.Operation.Instructions = f.Server + " is down: recover the " + pattern + " files of " + f.Name + " (newer than the backup) from " +
			f.Server + "'s disks (folder " + f.Logs + ") into " + rdb.Logs + " on " + rdb.Server +
			", then check with eseutil /ml that the sequence has no gap. If none can be recovered, confirm anyway: the restore then ends at the backup."
	default:
		manual(s, caps.MoveFiles, "Copy the "+pattern+" files from "+src+" on "+orServer(srcServer, rdb.Server)+" into "+rdb.Logs+
			" on "+rdb.Server+", then check with eseutil /ml that the sequence has no gap.")
	}
	return s
}

// remoteFolder is how a folder of another server is reached from this one: its
// administrative share (D:\Logs on EX1 -> \\EX1\D$\Logs).
func (rc *recCtx) remoteFolder(server, folder string) string {
	if server == "" || len(folder) < 2 || folder[1] != ':' {
		return folder
	}
	return `\\` + server + `\` + folder[:1] + "$" + folder[2:]
}

func orServer(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// swapLost is the swap when the dial tone database was lost before it (4.7): there is
// no dial tone data to move aside, so the recovered files go straight into the dial
// tone database's folders and its mount gives users service back with their old mail.
func (rc *recCtx) swapLost(caps providers.Capabilities) []*Step {
	dt, rdb := rc.dt, rc.rdb
	n := len(rc.mailboxes)
	allow := rc.newStep("allow_file_restore", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: true},
		"Let "+dt.Name+" mount the recovered file (AllowFileRestore $true)",
		cmdAllowFileRestore(dt.Name, true),
	)
	moveIn := rc.newStep("move_recovered_files_into_dial_tone_database", stSwapped, 11, PhaseSwap, RiskDataLoss,
		providers.Operation{Kind: providers.OpMoveFiles, Database: rdb.Name, Server: dt.Server,
			EdbFilePath: rdb.Edb, LogFolderPath: rdb.Logs, DestEdbFilePath: dt.Edb, DestLogFolderPath: dt.Logs},
		"Move the recovered "+rc.failed.Name+" files into the lost "+dt.Name+"'s folders, the .edb renamed "+winBase(dt.Edb),
		cmdMoveFileSet(rdb.Edb, rdb.Logs, dt.Edb, dt.Logs)...,
	)
	manual(moveIn, caps.MoveFiles, "Move "+rdb.Edb+" to "+dt.Edb+" and the files of "+rdb.Logs+" into "+dt.Logs+"; copy, verify, then delete.")
	mount := rc.newStep("mount_swapped_database", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpMountDatabase, Database: dt.Name, Server: dt.Server},
		"Mount "+dt.Name+" on the recovered data: service back with all old mail (the dial tone mail is lost)",
		cmdHeader(dt.Edb), cmdMount(dt.Name),
	)
	disallow := rc.newStep("disallow_file_restore", stSwapped, 11, PhaseSwap, RiskReversible,
		providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: dt.Name, Value: false},
		"Set AllowFileRestore on "+dt.Name+" back to $false",
		cmdAllowFileRestore(dt.Name, false),
	)
	allow.Outage, moveIn.Outage, mount.Outage = OutageContinues, OutageContinues, OutageEnds
	steps := []*Step{allow, moveIn, mount, disallow}
	for _, s := range steps {
		s.Mailboxes = n
	}
	return steps
}
