package planner

import (
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// keepFailedFiles keeps every surviving file of the failed database before anything
// could write over it (exchange-recovery.md 2.1 step 1; 2.3 before the restore into its
// own paths). A provider that renames in place moves the .edb into rc.preserve on its own
// volume: atomic, and instant whatever the database's size, so it may stand before the
// dial tone database without delaying service. Otherwise the files are copied, which
// takes as long as the .edb is large: same_server then places the copy after the dial
// tone mount (nothing before it touches the failed files), so that the time to dial tone
// never depends on the failed database's size.
func (rc *recCtx) keepFailedFiles(stage, number int, caps providers.Capabilities) *Step {
	return rc.keepFiles("preserve_failed_files", stage, number, rc.failed, rc.preserve, "", caps)
}

// keepFiles keeps every surviving file of db in dest before anything writes into its
// folders: with a provider that renames in place, the .edb found there (whatever it
// holds: a damaged file may still hold mail) is renamed into dest and the logs copied;
// otherwise everything is copied. Nothing is deleted or overwritten. what qualifies
// the database in the summary ("the lost ").
func (rc *recCtx) keepFiles(key string, stage, number int, db dbSpec, dest, what string, caps providers.Capabilities) *Step {
	if caps.RenameFiles {
		return rc.newStep(key, stage, number, phaseOf(stage), RiskReadOnly,
			providers.Operation{Kind: providers.OpKeepFiles, Database: db.Name, Server: db.Server,
				EdbFilePath: db.Edb, LogFolderPath: db.Logs, DestFolder: dest},
			"Keep every surviving file of "+what+db.Name+" in "+dest+": the database renamed in place (instant on its volume), the logs and checkpoint copied; delete nothing",
			"if (-not (Test-Path -LiteralPath "+psQuote(dest)+")) { New-Item -ItemType Directory -Path "+psQuote(dest)+" | Out-Null }",
			"if (Test-Path -LiteralPath "+psQuote(db.Edb)+") { Move-Item -LiteralPath "+psQuote(db.Edb)+" -Destination "+psQuote(winJoin(dest, winBase(db.Edb)))+" }",
			ems.Robocopy(db.Logs, dest).String(),
		)
	}
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskReadOnly,
		providers.Operation{Kind: providers.OpCopyFiles, Database: db.Name, Server: db.Server,
			EdbFilePath: db.Edb, LogFolderPath: db.Logs, DestFolder: dest},
		"Copy every surviving file of "+what+db.Name+" (database, logs, checkpoint) to "+dest+"; delete nothing",
		psComment("Keep every surviving file of "+db.Name+": copy it away, delete nothing."),
		ems.Robocopy(winDir(db.Edb), dest, winBase(db.Edb)).String(),
		ems.Robocopy(db.Logs, dest).String(),
	)
	manual(s, caps.MoveFiles, "Copy "+db.Edb+" and every file in "+db.Logs+" into "+dest+" on "+db.Server+", keeping names; delete nothing.")
	return s
}
