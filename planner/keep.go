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
	f := rc.failed
	if caps.RenameFiles {
		return rc.newStep("preserve_failed_files", stage, number, phaseOf(stage), RiskReadOnly,
			providers.Operation{Kind: providers.OpKeepFiles, Database: f.Name, Server: f.Server,
				EdbFilePath: f.Edb, LogFolderPath: f.Logs, DestFolder: rc.preserve},
			"Keep every surviving file of "+f.Name+" in "+rc.preserve+": the database renamed in place (instant on its volume), the logs and checkpoint copied; delete nothing",
			"if (-not (Test-Path -LiteralPath "+psQuote(rc.preserve)+")) { New-Item -ItemType Directory -Path "+psQuote(rc.preserve)+" | Out-Null }",
			"if (Test-Path -LiteralPath "+psQuote(f.Edb)+") { Move-Item -LiteralPath "+psQuote(f.Edb)+" -Destination "+psQuote(winJoin(rc.preserve, winBase(f.Edb)))+" }",
			ems.Robocopy(f.Logs, rc.preserve).String(),
		)
	}
	s := rc.newStep("preserve_failed_files", stage, number, phaseOf(stage), RiskReadOnly,
		providers.Operation{Kind: providers.OpCopyFiles, Database: f.Name, Server: f.Server,
			EdbFilePath: f.Edb, LogFolderPath: f.Logs, DestFolder: rc.preserve},
		"Copy every surviving file of "+f.Name+" (database, logs, checkpoint) to "+rc.preserve+"; delete nothing",
		psComment("Keep every surviving file of "+f.Name+": copy it away, delete nothing."),
		ems.Robocopy(winDir(f.Edb), rc.preserve, winBase(f.Edb)).String(),
		ems.Robocopy(f.Logs, rc.preserve).String(),
	)
	manual(s, caps.MoveFiles, "Copy "+f.Edb+" and every file in "+f.Logs+" into "+rc.preserve+" on "+f.Server+", keeping names; delete nothing.")
	return s
}
