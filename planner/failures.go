package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// BackupNone is the restore.backup value that records the decision to recover without
// a backup: the dial tone database becomes permanent and the old mail is lost.
const BackupNone = "none"

// DataLoss is a loss of mail the plan carries out knowingly (exchange-recovery.md 4.3,
// 4.4, 4.7): what is lost, why, and whose decision it is.
type DataLoss struct {
	What     string `json:"what"`
	Why      string `json:"why"`
	Decision string `json:"decision"` // "accepted: restore.accept_data_loss = true" | "not accepted: planning refused" | "not decided yet: ..." | "unavoidable: ..."
}

const (
	decisionAccepted    = "accepted: restore.accept_data_loss = true"
	decisionNotAccepted = "not accepted: planning refused until restore.accept_data_loss = true"
	// decisionPending is a loss the stages planned do not cause yet: dial tone loses
	// nothing, so users get service before anyone decides about their old mail.
	decisionPending = "not decided yet: stage restored needs restore.accept_data_loss = true"
)

// resolveFailures reads what section 4's failures left in the state: no backup, logs
// missing after the backup, a lost dial tone database, restore requests that failed on
// bad items. It fills rc and returns errors for losses nobody accepted, when the plan
// reaches the stage that loses them (restored); before that, warnings: dial tone first.
func (rc *recCtx) resolveFailures(st *state.State) hcl.Diagnostics {
	var diags hcl.Diagnostics
	res := rc.rec.Restore
	rc.doSwap = rc.rec.Option != config.OptionAlternateServerStay || rc.rec.Swap
	rc.noBackup = res.Backup == BackupNone
	rc.acceptLoss = res.AcceptDataLoss
	if s := st.Servers[rc.failed.Server]; s != nil {
		rc.failedUp = s.Up
	}
	subject := rc.rec.DeclRange.Ptr()
	if res.DeclRange.Filename != "" {
		subject = res.DeclRange.Ptr()
	}
	decision := decisionNotAccepted
	if rc.acceptLoss {
		decision = decisionAccepted
	}

	if rc.noBackup {
		rc.dataLoss = append(rc.dataLoss, DataLoss{
			What:     "every item " + rc.failed.Name + " held before the failure (old mail, calendars, contacts)",
			Why:      `restore.backup = "none": there is no backup to restore; ` + rc.dt.Name + " becomes the users' permanent database and there is nothing to swap or merge",
			Decision: decision,
		})
		if !rc.acceptLoss {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No backup and no decision to accept the data loss",
				Detail: fmt.Sprintf("recovery.%s has restore.backup = \"none\": everything %s held before the failure would be lost. "+
					"Write the decision in the restore block (accept_data_loss = true), or name a backup set.", rc.name, rc.failed.Name),
				Subject: subject,
			})
		}
		return diags
	}

	// Own files found intact are used as they are (intact.go): the backup set, a log
	// gap after it and a missing log stream no longer matter.
	rc.intact = rc.filesFoundIntact(st)
	if b := st.Backups[rc.failed.Name+"/"+res.Backup]; b != nil {
		rc.backup = b
	} else if d := rc.backupSetMissing(st); d != nil && rc.intact == "" {
		diags = append(diags, d)
	}
	if db := st.Databases[rc.failed.Name]; rc.intact == "" && db != nil && db.Logs != nil {
		l := db.Logs
		rc.logsGone = l.First == 0 && l.Last == 0
		if rc.backup != nil && res.ReplayLogs && !rc.logsGone {
			g := rc.backup.Generation
			switch {
			case l.First > g+1:
				rc.logGap = g + 1
			default:
				for _, m := range l.Missing {
					if m > g {
						rc.logGap = m
						break
					}
				}
			}
		}
		if rc.logGap > 0 {
			b := rc.backup
			// The replay that stops at the gap is stage restored's: a plan that does not
			// reach it loses nothing yet, and only warns.
			gated := rc.stageWanted(stRestored)
			if !rc.acceptLoss && !gated {
				decision = decisionPending
			}
			window := fmt.Sprintf("log generations %d (0x%X) on, up to the newest one written, %d (0x%X)", rc.logGap, rc.logGap, l.Last, l.Last)
			if rc.logGap >= l.Last {
				window = fmt.Sprintf("log generation %d (0x%X), the newest one written", rc.logGap, rc.logGap)
			}
			rc.dataLoss = append(rc.dataLoss, DataLoss{
				What: fmt.Sprintf("mail that reached %s after backup set %s (taken %s) and only %s",
					rc.failed.Name, b.Set, b.Taken.UTC().Format("2006-01-02 15:04:05Z"), window),
				Why: fmt.Sprintf("log generation %d is missing: replay stops at the gap (eseutil /r %s /a); the backup ends at generation %d",
					rc.logGap, rc.prefix, b.Generation),
				Decision: decision,
			})
			switch {
			case !rc.acceptLoss && !gated && rc.from < stRestored:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Logs missing after the backup: stage restored will lose mail",
					Detail: fmt.Sprintf("recovery.%s: %s's log generation %d is missing (the backup %s ends at %d), so the restore will roll forward only to the gap; "+
						"mail in generations %d to %d would be lost. Stage %s loses nothing: users get service first. Before raising stage to restored, "+
						"find the missing logs (other backup sets, %s's disks) and run \"dialtone refresh\", or accept the loss in the restore block (accept_data_loss = true).",
						rc.name, rc.failed.Name, rc.logGap, b.Set, b.Generation, rc.logGap, l.Last, config.Stages[rc.to], rc.failed.Server),
					Subject: subject,
				})
			case !rc.acceptLoss && (gated || rc.from >= stRestored):
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Logs missing after the backup",
					Detail: fmt.Sprintf("recovery.%s: %s's log generation %d is missing (the backup %s ends at %d), so the restore can roll forward only to the gap; "+
						"mail in generations %d to %d would be lost. Find the missing logs (other backup sets, %s's disks) and run \"dialtone refresh\", "+
						"or accept the loss in the restore block (accept_data_loss = true).",
						rc.name, rc.failed.Name, rc.logGap, b.Set, b.Generation, rc.logGap, l.Last, rc.failed.Server),
					Subject: subject,
				})
			}
		}
	}
	if rc.intact == "" && rc.logsGone && res.ReplayLogs {
		rc.notes = append(rc.notes, "no log of "+rc.failed.Name+" survives: the restore rolls forward only to the end of the backup; mail that reached only the logs is lost")
	}

	// A dial tone database lost before the swap (4.7): nothing of it to swap or merge,
	// unless it was backed up.
	if rc.dialToneLost(st) || rc.repairUnderway() {
		rc.dtBackup = newestBackup(st, rc.dt.Name)
	}
	if rc.dtBackup != nil && rc.resolveDialToneRepair(st) {
		// Restored in place first (dialtone_lost.go): the rest of the recovery is planned
		// as for a dial tone database that was never lost.
	} else if rc.dialToneLost(st) {
		rc.dtLost = true
		rc.doSwap = true // merge forward needs the dial tone mailboxes; swap the recovered files in instead
		if rc.dtBackup != nil && rc.rec.Option == config.OptionAlternateServer {
			rc.dataLoss = append(rc.dataLoss, DataLoss{
				What:     "mail received in " + rc.dt.Name + " after its backup set " + rc.dtBackup.Set + " (taken " + rc.dtBackup.Taken.UTC().Format("2006-01-02 15:04:05Z") + ")",
				Why:      rc.dt.Name + "'s files were lost during dial tone; the backup is restored into " + rc.rdb.Name + " for the merge",
				Decision: "unavoidable: the files are gone",
			})
		} else {
			why := rc.dt.Name + "'s files were lost during dial tone and no backup of it exists"
			if rc.dtBackup != nil {
				why = rc.dt.Name + "'s files were lost during dial tone; its backup set " + rc.dtBackup.Set + " can only be restored by hand for this option"
			}
			rc.dataLoss = append(rc.dataLoss, DataLoss{
				What:     "all mail received during dial tone (in " + rc.dt.Name + ")",
				Why:      why + "; the swap puts only the recovered " + rc.failed.Name + " data in",
				Decision: "unavoidable: the files are gone",
			})
		}
	}

	// Failed requests are resumed, never created twice: the mailboxes' and, under a
	// name of their own, the archives'.
	rc.failedReqs = failedRequests(st, rc.requestName)
	rc.failedArchiveReqs = failedRequests(st, rc.archiveRequestName())
	return diags
}

// failedRequests are the Failed restore requests named name, by target mailbox (lower case).
func failedRequests(st *state.State, name string) map[string]*state.RestoreRequest {
	var out map[string]*state.RestoreRequest
	suffix := `\` + name
	for id, rr := range st.RestoreRequests {
		if rr == nil || !strings.EqualFold(rr.Status, "Failed") || !strings.HasSuffix(id, suffix) {
			continue
		}
		addr := rr.TargetMailbox
		if addr == "" {
			addr = strings.TrimSuffix(id, suffix)
		}
		if out == nil {
			out = map[string]*state.RestoreRequest{}
		}
		out[strings.ToLower(addr)] = rr
	}
	return out
}

// lostPathSteps are the steps of the swap only a lost dial tone database leads to, or
// that the swap reaches only after the dial tone files were handled (moved away, or
// dismounted for the users' return): done while dismount_dial_tone_database is not,
// they show the swap was planned for a lost dial tone database.
var lostPathSteps = []string{
	// same_server, alternate_server_stay (swapLost: no hold, no dismount, no move of
	// the dial tone files; in the ordinary swap these come after the dismount)
	"allow_file_restore", "move_recovered_files_into_dial_tone_database", "mount_swapped_database", "disallow_file_restore",
	// alternate_server (swapBack without the dismount)
	"rehome_to_restored_database", "rehome_system_mailboxes_to_restored_database", "mount_restored_database",
	"resubmit_queues_to_restored_database",
}

// dialToneLost says whether the dial tone database was lost before the swap (4.7): it
// had been mounted (mount_dial_tone_database done, so users' mail went into it) and
// the swap never dismounted it; and either its files are gone now (not mounted, files
// not OK) while the swap has not been reached, or the swap was already carried out the
// way a lost dial tone database needs (a fact that stays true through the merge and
// the clean-up, when its folders hold the recovered data). A dial tone database that
// was created but never mounted is not lost: it holds nothing and is mounted next.
func (rc *recCtx) dialToneLost(st *state.State) bool {
	if rc.done[rc.id("mount_dial_tone_database")] == nil || rc.done[rc.id("dismount_dial_tone_database")] != nil {
		return false
	}
	if dt := st.Databases[rc.dt.Name]; rc.from < stSwapped && (dt == nil || !dt.FilesOK && !dt.Mounted) {
		return true
	}
	for _, key := range lostPathSteps {
		if rc.done[rc.id(key)] != nil {
			return true
		}
	}
	return false
}

// newestBackup is the latest backup set of db the state knows (ties: by set name).
func newestBackup(st *state.State, db string) *state.Backup {
	keys := make([]string, 0, len(st.Backups))
	for k := range st.Backups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var best *state.Backup
	for _, k := range keys {
		b := st.Backups[k]
		if b == nil || b.Database != db {
			continue
		}
		if best == nil || b.Taken.After(best.Taken) {
			best = b
		}
	}
	return best
}

// backupSetMissing warns, in a plan that does not reach stage restored yet, that the
// provider reports no backup set restore.backup of the failed database (misspelled,
// or gone): dial tone needs no backup, so users get service first, but the restore
// will be refused (restoreChecks) until the name is right. Nothing when the provider
// cannot list backups (st.Backups nil: backup software outside dialtone's sight).
func (rc *recCtx) backupSetMissing(st *state.State) *hcl.Diagnostic {
	if st.Backups == nil || rc.from >= stRestored || rc.stageWanted(stRestored) {
		return nil
	}
	set := rc.rec.Restore.Backup
	known := backupSetsOf(st, rc.failed.Name)
	seen := "it knows no backup set of " + rc.failed.Name
	if len(known) > 0 {
		seen = "it knows " + strings.Join(known, ", ")
	}
	subject := rc.rec.DeclRange.Ptr()
	if r := rc.rec.Restore.DeclRange; r.Filename != "" {
		subject = r.Ptr()
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Backup set not found: stage restored will be refused",
		Detail: fmt.Sprintf("recovery.%s restores backup set %q of %s, which the organization does not report (%s). "+
			"Stage %s needs no backup and goes ahead: users get service first. Before raising stage to restored, "+
			"correct restore.backup, or make the backup set available and run \"dialtone refresh\".",
			rc.name, set, rc.failed.Name, seen, config.Stages[rc.to]),
		Subject: subject,
	}
}

// backupSetsOf lists the names of db's backup sets the state knows, sorted.
func backupSetsOf(st *state.State, db string) []string {
	var sets []string
	for _, b := range st.Backups {
		if b != nil && b.Database == db {
			sets = append(sets, b.Set)
		}
	}
	sort.Strings(sets)
	return sets
}
