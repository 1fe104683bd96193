package planner

import (
	"sort"
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
		rc.cmdDeleteWritten(db)...,
	)
	manual(s, caps.DeleteFiles, "On "+db.Server+", delete what dialtone recorded writing for "+db.Name+": "+db.Edb+
		" and its log files in "+db.Logs+"; then remove the folders dialtone created, each only if it is empty. Keep everything else.")
	if n := rc.keptNote(db); n != "" && rc.stageWanted(stage) {
		rc.notes = append(rc.notes, n)
	}
	return s
}

// cmdDeleteWritten is the runbook's form of a clean-up of db: only what the state
// records dialtone wrote when the plan was made, each file and folder by its own name,
// never a wildcard, never -Recurse, a folder removed only when empty
// ([IO.Directory]::Delete refuses one that is not). What the plan cannot know (files
// still to be written, a log stream whose files grow) is a manual check that names the
// place and the prefix, not a delete (issue 12 §1).
func (rc *recCtx) cmdDeleteWritten(db dbSpec) []string {
	op := providers.Operation{Kind: providers.OpDeleteFiles, Database: db.Name, Server: db.Server,
		EdbFilePath: db.Edb, LogFolderPath: db.Logs, Recorded: rc.written[strings.ToUpper(db.Server)]}
	c, _, err := providers.PlanCleanup(op, db.Server, nil)
	if err != nil {
		return []string{psComment("Delete nothing by hand: " + err.Error())}
	}
	out := []string{psComment("Delete only what dialtone recorded writing (the state's \"written\" records when this plan was made); a folder only once it is empty.")}
	files := append([]state.Written(nil), c.Files...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Key() < files[j].Key() })
	for _, f := range files {
		out = append(out, "Remove-Item -LiteralPath "+psQuote(f.Path)+" -Confirm:$false")
	}
	for _, st := range c.Streams {
		out = append(out, psComment("Check by hand: the log files of prefix "+st.Prefix+" in "+st.Path+" are "+db.Name+"'s own stream (dialtone created it); delete them one by one by name, nothing else."))
	}
	if len(files) == 0 && len(c.Streams) == 0 {
		out = append(out, psComment("No file of "+db.Name+" was recorded when this plan was made: run \"dialtone plan\" again after the earlier steps, or delete by hand only "+db.Edb+" and the log files in "+db.Logs+" that dialtone recorded writing."))
	}
	for _, f := range c.Folders {
		out = append(out, "[System.IO.Directory]::Delete("+psQuote(f.Path)+")")
	}
	return out
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
