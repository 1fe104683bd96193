package planner

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Files found intact (issue 12 §7). alternate_server restores the backup into the
// failed database's own paths once its server is back (exchange-recovery.md 2.3 step
// 6). A server rebuilt on its old disks, or one that simply came back, may bring the
// database's own files with it: the .edb readable and every log it needs present. Those
// files are newer than any backup (they hold everything up to the failure), so the
// plan uses them as they are, as an admin following Microsoft's procedure would: make
// them clean with their own logs (eseutil /r, what a mount would replay) and keep the
// database dismounted until the swap. No backup is restored over them, nothing moves
// them aside, and no step claims a restore that did not run.

// filesFoundIntact says what the refresh found of the failed database's own files when
// the plan can use them as they are, "" otherwise: the option restores into the failed
// database's own paths, its server is up, the database is not mounted, its .edb is
// readable, and it is clean or every log generation from the first present to the newest
// is there. Files a restore of this recovery wrote, or found after its own files were
// kept aside, are not "found": once restore_backup or preserve_failed_files is recorded
// the plan goes on from the backup.
func (rc *recCtx) filesFoundIntact(st *state.State) string {
	if rc.rec.Option != config.OptionAlternateServer || rc.noBackup || !rc.failedUp {
		return ""
	}
	for _, key := range []string{"preserve_failed_files", "restore_backup"} {
		if rc.done[rc.id(key)] != nil {
			return ""
		}
	}
	db := st.Databases[rc.failed.Name]
	if db == nil || db.Mounted || db.Recovery || !db.FilesOK || db.Server != rc.failed.Server {
		return ""
	}
	l := db.Logs
	switch {
	case l != nil && len(l.Missing) > 0:
		return "" // a gap: only the backup's path can say what is lost
	case db.Clean && (l == nil || l.First == 0 && l.Last == 0):
		return "its database file is readable and in Clean Shutdown (it needs no log)"
	case l == nil || l.First == 0 && l.Last == 0:
		return "" // dirty, and no log to make it clean with
	case db.Clean:
		return fmt.Sprintf("its database file is readable and in Clean Shutdown, and its log generations %d to %d are there", l.First, l.Last)
	}
	return fmt.Sprintf("its database file is readable (Dirty Shutdown) and its log generations %d to %d are all there", l.First, l.Last)
}

// useFoundFiles is stage restored of alternate_server when the failed database's own
// files were found intact: its own logs replay into them until they are clean, and it
// stays dismounted until the swap. Nothing is restored, moved or overwritten.
func (rc *recCtx) useFoundFiles(caps providers.Capabilities) []*Step {
	f := rc.failed
	if rc.stageWanted(stRestored) {
		rc.notes = append(rc.notes, fmt.Sprintf("%s came back with %s's own files intact (%s, at %s and %s): no restore runs; "+
			"backup set %s is not used and nothing is moved or overwritten. They are made clean with their own logs and used as they are (stage restored), as the restored copy would be.",
			f.Server, f.Name, rc.intact, f.Edb, f.Logs, rc.rec.Restore.Backup))
	}
	replay := rc.replay("replay_logs", stRestored, 6, f, rc.prefix, f.Name, 0, caps)
	replay.Summary = "Replay " + f.Name + "'s own logs into its own files, found intact, until they are clean (eseutil /r); no backup is restored: " +
		"the files found are used as they are, and " + f.Name + " stays dismounted until the swap"
	return []*Step{replay}
}

// recoveredWord is how the plan names the failed database's data once stage restored
// is done: "restored", or what it is when no restore ran.
func (rc *recCtx) recoveredWord() string {
	if rc.intact != "" {
		return "recovered (its own files, found intact)"
	}
	return "restored"
}

// restoreKeys are the steps of stage restored that only a restore from the backup has
// (alternate_server): a plan that uses files found intact has none of them.
var restoreKeys = map[string]bool{"preserve_failed_files": true, "allow_file_restore_for_restore": true, "restore_backup": true,
	"copy_surviving_logs": true, "disallow_file_restore_after_restore": true}

// NoRestoreNeeded says, for a step of a restore from the backup into the failed
// database's own paths (restore_backup and the steps around it), whether the plan no
// longer has it because the failed database's own files were found intact, and what was
// found. confirm says so instead of recording a restore that never ran.
func NoRestoreNeeded(cfg *config.Config, st *state.State, stepID string) (string, bool) {
	if cfg == nil || st == nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(stepID, "recovery.")
	name, key, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !restoreKeys[key] {
		return "", false
	}
	rec := cfg.Recoveries[name]
	if rec == nil || rec.Restore == nil {
		return "", false
	}
	db := cfg.Databases[rec.Database.Name]
	if db == nil {
		return "", false
	}
	rc := &recCtx{name: name, rec: rec, failed: dbSpec{db.Name, db.Server.Name, db.EdbFilePath, db.LogFolderPath},
		noBackup: rec.Restore.Backup == BackupNone}
	if r := st.Recoveries[name]; r != nil {
		rc.done = r.Steps
	}
	if srv := st.Servers[db.Server.Name]; srv != nil {
		rc.failedUp = srv.Up
	}
	found := rc.filesFoundIntact(st)
	if found == "" {
		return "", false
	}
	return fmt.Sprintf("no restore ran and none is needed: %s came back with %s's own files intact (%s); the plan now uses them as they are", db.Server.Name, db.Name, found), true
}
