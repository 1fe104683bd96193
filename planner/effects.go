package planner

import (
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Step record results.
const (
	RecordDone        = "done"
	RecordSkipped     = "skipped"
	RecordAlreadyDone = "already_done"
)

// effects returns the state changes of a step that finished with res: what its
// operation did to databases, mailboxes and restore requests, then the StepDone
// record. st is read, never written (the caller holds the lock that guards it). The
// changes are small: a journal record costs the step, not the state.
func effects(s *Step, res providers.Result, st *state.State, started, finished time.Time) []state.Change {
	op := s.Operation
	var out []state.Change
	db := func() state.Database {
		if cur := st.Databases[op.Database]; cur != nil {
			return *cur
		}
		return state.Database{Name: op.Database, Server: op.Server, FilesOK: true}
	}
	switch op.Kind {
	case providers.OpCreateDatabase:
		d := state.Database{Name: op.Database, Server: op.Server, EdbFilePath: op.EdbFilePath,
			LogFolderPath: op.LogFolderPath, Recovery: op.Recovery, Clean: true, FilesOK: true}
		// A new database has no file until its first mount creates it (the provider says
		// so by recording the .edb it will write): the state must not claim one, or the
		// next refresh reports its files "lost" after an interruption (issue 12 §7).
		for _, w := range res.Wrote {
			if w.Kind == state.WrittenFile && strings.EqualFold(w.Path, op.EdbFilePath) {
				d.FilesOK = false
			}
		}
		if cur := st.Databases[op.Database]; cur != nil {
			d.LogFilePrefix = cur.LogFilePrefix
		}
		d.Settings = withSettings(state.DefaultSettings, op.Settings)
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpRehomeMailboxes:
		out = append(out, state.Change{Rehome: &state.Rehome{From: op.Database, To: op.Target, Kinds: state.RehomeUsers}})
	case providers.OpMountDatabase:
		d := db()
		d.Mounted, d.FilesOK = true, true
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpDismountDatabase:
		d := db()
		d.Mounted, d.Clean = false, true
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpSetAllowFileRestore:
		d := db()
		d.AllowFileRestore = op.Value
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpRemoveDatabase:
		out = append(out, state.Change{DeleteDatabase: op.Database})
	case providers.OpSetDatabaseSettings:
		d := db()
		d.Settings = withSettings(d.Settings, op.Settings)
		out = append(out, state.Change{PutDatabase: &d}) // SettingsBefore was journaled at the start (markSettingsBefore)
	case providers.OpRenameDatabase:
		d := db()
		d.Name = op.Target
		out = append(out, state.Change{PutDatabase: &d},
			state.Change{Rehome: &state.Rehome{From: op.Database, To: op.Target}},
			state.Change{DeleteDatabase: op.Database})
	case providers.OpMergeMailbox:
		if !res.Skipped {
			out = append(out, state.Change{PutRestoreRequest: &state.RestoreRequest{
				Name: requestIdentity(op), SourceDatabase: op.Source, TargetMailbox: op.Mailbox, Status: "Completed",
			}})
		}
	case providers.OpRehomeSystemMailboxes:
		out = append(out, state.Change{Rehome: &state.Rehome{From: op.Database, To: op.Target, Kinds: state.RehomeSystem}})
	case providers.OpResumeRestoreRequest:
		out = append(out, state.Change{PutRestoreRequest: &state.RestoreRequest{
			Name: requestIdentity(op), SourceDatabase: op.Source, TargetMailbox: op.Mailbox, Status: "Completed", BadItemLimit: op.BadItemLimit,
		}})
	case providers.OpRestoreBackup:
		d := db()
		d.FilesOK, d.Clean = true, false
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpReplayLogs:
		d := db()
		d.Clean = true
		out = append(out, state.Change{PutDatabase: &d})
	case providers.OpRemoveRestoreRequests:
		var names []string
		for name, rr := range st.RestoreRequests {
			if rr != nil && rr.SourceDatabase == op.Source {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			out = append(out, state.Change{DeleteRestoreRequest: name})
		}
	}

	// What the step wrote is recorded with its completion (one journal record): clean-up
	// deletes nothing else.
	if len(res.Wrote) > 0 {
		wrote := make([]state.Written, len(res.Wrote))
		for i, w := range res.Wrote {
			w.Step = s.ID
			wrote[i] = w
		}
		out = append(out, state.Change{Wrote: wrote})
	}
	if len(res.Deleted) > 0 {
		out = append(out, state.Change{Forgot: append([]state.Written(nil), res.Deleted...)})
	}

	// The copy servers the recovery's first step records go in the same record.
	out = append(out, copyServersChange(s)...)

	result := RecordDone
	switch {
	case res.Skipped:
		result = RecordSkipped
	case res.AlreadyDone:
		result = RecordAlreadyDone
	}
	return append(out, state.Change{StepDone: &state.StepDone{
		Recovery: s.Recovery,
		Record:   state.StepRecord{ID: s.ID, Started: started, Finished: finished, Result: result, Detail: res.Detail},
	}})
}

// requestIdentity names a restore request the way Exchange does, <mailbox>\<name>:
// every merge of a recovery shares one request name, so the mailbox makes it unique.
func requestIdentity(op providers.Operation) string {
	return op.Mailbox + `\` + op.RequestName
}

// withSettings returns a copy of base with set applied.
func withSettings(base, set map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(set))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}
