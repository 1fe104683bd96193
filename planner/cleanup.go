package planner

import (
	"strings"

	"github.com/dialtone/dialtone/config/winpath"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// deleteFiles deletes what dialtone wrote of a removed database's files. The step names
// the database's paths; the apply walk hands the provider the state's record of what
// dialtone wrote (Operation.Recorded), and the provider deletes nothing else: files one
// by one, folders only once empty, never recursively (issue 12 §1).
func (rc *recCtx) deleteFiles(key string, stage, number int, db dbSpec, caps providers.Capabilities) *Step {
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskDataLoss,
		providers.Operation{Kind: providers.OpDeleteFiles, Database: db.Name, Server: db.Server,
			EdbFilePath: db.Edb, LogFolderPath: db.Logs},
		"Delete what dialtone wrote of "+db.Name+"'s files on "+db.Server+" ("+db.Edb+" and its logs in "+db.Logs+"); anything else stays",
		cmdDeleteWritten(db.Edb, db.Logs)...,
	)
	manual(s, caps.DeleteFiles, "On "+db.Server+", delete what dialtone recorded writing for "+db.Name+": "+db.Edb+
		" and its log files in "+db.Logs+"; then remove the folders dialtone created, each only if it is empty. Keep everything else.")
	if n := rc.keptNote(db); n != "" && rc.stageWanted(stage) {
		rc.notes = append(rc.notes, n)
	}
	return s
}

// cmdDeleteWritten is the runbook's form of a clean-up: no -Recurse anywhere, and a
// folder removed only when empty ([IO.Directory]::Delete refuses one that is not).
func cmdDeleteWritten(edb, logs string) []string {
	return []string{
		psComment("Delete only what dialtone recorded writing (the state's \"written\" records); a folder only once it is empty."),
		"Remove-Item -LiteralPath " + psQuote(edb) + " -Confirm:$false",
		"Get-ChildItem -LiteralPath " + psQuote(logs) + " -File | Where-Object { $_.Name -match '^E[0-9A-F]{2}([0-9A-F]{8}|Res[0-9]+|Tmp)?\\.(log|chk|jrs)$' } | Remove-Item -Confirm:$false",
		"[System.IO.Directory]::Delete(" + psQuote(logs) + ")",
	}
}

// keptNote tells the reviewer what a clean-up of db deletes and what it keeps, from the
// state's record of what dialtone wrote so far ("" before anything is recorded).
func (rc *recCtx) keptNote(db dbSpec) string {
	note := "clean-up of " + db.Name + " on " + db.Server + " deletes only "
	edb, err1 := winpath.Canon(db.Edb)
	logs, err2 := winpath.Canon(db.Logs)
	var files int
	created := map[string]bool{}
	if err1 == nil && err2 == nil {
		for _, w := range rc.written[strings.ToUpper(db.Server)] {
			p, err := winpath.Canon(w.Path)
			if err != nil {
				continue
			}
			switch {
			case w.Kind == state.WrittenFile && (p == edb || winpath.Within(p, logs)):
				files++
			case w.Kind == state.WrittenLogStream && p == logs:
				files++
			case w.Kind == state.WrittenFolder:
				created[p] = true
			}
		}
	}
	if files == 0 && len(created) == 0 {
		return "" // nothing written yet: the step's summary says the rule
	}
	note += "the " + plural(files, "file record", "file records") + " dialtone has made so far (and those still to come) and the folders it created, each once empty"
	var kept []string
	for _, f := range []string{winDir(db.Edb), db.Logs} {
		if c, err := winpath.Canon(f); err == nil && !created[c] && !contains(kept, f) {
			kept = append(kept, f+" stays (dialtone did not create it)")
		}
	}
	return note + "; " + strings.Join(append(kept, "anything else stays"), "; ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
