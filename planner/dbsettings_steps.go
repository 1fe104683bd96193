package planner

import (
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// The steps that carry the failed database's settings (dbsettings.go), hold the failed
// database while users are away from it, and give users' database its final name.

// usersStayOnDialTone reports whether the dial tone database is the users' database
// for good: every option but alternate_server with a backup, where users go home to
// the restored failed database (which has kept its own settings).
func (rc *recCtx) usersStayOnDialTone() bool {
	return rc.rec.Option != config.OptionAlternateServer || rc.noBackup
}

// afterCreate gives the freshly created dial tone database (create) the failed
// database's settings New-MailboxDatabase takes, and returns the step that goes right
// after it: the other settings users need from the re-home on (journaling must be in
// place before the first message arrives).
func (rc *recCtx) afterCreate(create *Step, number int) []*Step {
	f, dt := rc.failed, rc.dt
	if len(rc.carry.create) > 0 {
		create.Operation.Settings = rc.carry.create
		create.SettingsBefore = settingsBefore(rc.carry.create, nil, true)
		op := create.Operation
		l, _ := ems.NewDatabaseSettings(op.Database, op.Server, op.EdbFilePath, op.LogFolderPath, op.Recovery, op.Settings, state.SettingNames)
		create.Commands[0] = l.String()
	}
	var steps []*Step
	if len(rc.carry.dialTone) > 0 {
		steps = append(steps, rc.setSettingsStep("carry_settings_to_dial_tone", stDialTone, number, dt,
			rc.carry.dialTone, settingsBefore(rc.carry.dialTone, nil, true),
			"Give "+dt.Name+" the settings of "+f.Name+" that differ from Exchange's defaults ("+settingList(rc.carry.dialTone)+
				"): users live on it from the re-home on"))
	}
	return steps
}

// holdSettings are what the hold sets on the failed database.
func (rc *recCtx) holdSettings() map[string]string {
	set := map[string]string{state.SettingMountAtStartup: "False", state.SettingIsExcludedFromProvisioning: "True"}
	if rc.failedMinor >= 1 { // 2016 and later refuse an exclusion without a reason
		set[state.SettingIsExcludedFromProvisioningReason] = "Failed; held by dialtone recovery." + rc.name + " while its users are on the dial tone database"
	}
	return set
}

// holdFailed keeps the failed database from coming back by itself while its users are
// elsewhere: not mounted when its Information Store starts, and no new mailbox placed
// on it. It goes right after users have dial tone (an AD write that must not delay
// it). Nil when the state does not know the database (nothing to hold).
func (rc *recCtx) holdFailed(number int) *Step {
	if !rc.failedKnown {
		return nil
	}
	f := rc.failed
	set := rc.holdSettings()
	before := map[string]string{}
	for name := range set {
		v, ok := rc.failedSettings[name]
		if !ok {
			v = state.DefaultSettings[name]
		}
		before[name] = v
	}
	s := rc.setSettingsStep("hold_failed_database", stDialTone, number, f, set, nil,
		"Keep "+f.Name+" from coming back by itself while its users are on "+rc.dt.Name+
			" (MountAtStartup $false) and keep new mailboxes off it (IsExcludedFromProvisioning $true)")
	s.SettingsBefore = before
	return s
}

// original is the failed database's value of a setting before this recovery held it.
func (rc *recCtx) original(name string) string {
	if v, ok := rc.failedSettings[name]; ok {
		return v
	}
	return state.DefaultSettings[name]
}

// restoreFailedStartup gives the failed database back its MountAtStartup once users
// are home on it again (alternate_server): from then on a restart of its server must
// bring it back. Nil when there is nothing to restore.
func (rc *recCtx) restoreFailedStartup(number int) *Step {
	if !rc.failedKnown || rc.original(state.SettingMountAtStartup) == "False" {
		return nil
	}
	f := rc.failed
	set := map[string]string{state.SettingMountAtStartup: "True"}
	return rc.setSettingsStep("restore_failed_database_mount_at_startup", stSwapped, number, f, set,
		map[string]string{state.SettingMountAtStartup: "False"},
		"Mount "+f.Name+" again when its Information Store starts (MountAtStartup back to $true): its users are home on it")
}

// releaseFailed lifts the exclusion from provisioning at complete where the failed
// database lives on (alternate_server): the exclusion and its reason (2016 and later)
// go back to what they were before the recovery.
func (rc *recCtx) releaseFailed(number int) *Step {
	if !rc.failedKnown {
		return nil
	}
	f := rc.failed
	set, before := map[string]string{}, map[string]string{}
	excluded := rc.original(state.SettingIsExcludedFromProvisioning)
	if excluded != "True" {
		set[state.SettingIsExcludedFromProvisioning], before[state.SettingIsExcludedFromProvisioning] = excluded, "True"
	}
	// An exclusion kept needs a reason on 2016 and later: the hold's stays if there was none.
	if reason := rc.original(state.SettingIsExcludedFromProvisioningReason); rc.failedMinor >= 1 && (excluded != "True" || reason != "") {
		set[state.SettingIsExcludedFromProvisioningReason] = reason
		before[state.SettingIsExcludedFromProvisioningReason] = rc.holdSettings()[state.SettingIsExcludedFromProvisioningReason]
	}
	if len(set) == 0 {
		return nil
	}
	summary := "Open " + f.Name + " to new mailboxes again (IsExcludedFromProvisioning back to $false, the hold's reason cleared)"
	if excluded == "True" {
		summary = "Give " + f.Name + " back the reason it was excluded from provisioning before the failure"
	}
	return rc.setSettingsStep("release_failed_database", stComplete, number, f, set, before, summary)
}

// finishSettings are the complete-stage steps of an option whose users stay on the dial
// tone database: the settings that wait for it to be theirs for good, a manual step
// for what dialtone cannot carry, and final_name. failedRemoved says whether the
// option's steps already remove the failed database's object.
func (rc *recCtx) finishSettings(number int, failedRemoved bool) []*Step {
	f, dt := rc.failed, rc.dt
	var steps []*Step
	if len(rc.carry.complete) > 0 {
		summary := "Give " + dt.Name + " the rest of " + f.Name + "'s settings now that it is the users' database for good (" + settingList(rc.carry.complete) + ")"
		if rc.carry.complete[state.SettingCircularLoggingEnabled] == "True" {
			summary += "; circular logging takes effect at its next dismount and mount"
		}
		steps = append(steps, rc.setSettingsStep("carry_settings_for_good", stComplete, number, dt,
			rc.carry.complete, settingsBefore(rc.carry.complete, nil, true), summary))
	}
	if m := rc.manualSettings(number); m != nil {
		steps = append(steps, m)
	}
	if rc.finalName == "" || strings.EqualFold(rc.finalName, dt.Name) {
		return steps
	}
	if strings.EqualFold(rc.finalName, f.Name) && !failedRemoved {
		s := rc.removeFailedDatabase()
		s.Number = number
		s.Summary = "Remove the failed database " + f.Name + "'s AD object so that " + dt.Name + " can take its name (its files stay where they are)"
		steps = append(steps, s)
	}
	rename := rc.newStep("rename_to_final_name", stComplete, number, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpRenameDatabase, Database: dt.Name, Target: rc.finalName},
		"Rename "+dt.Name+" to "+rc.finalName+" (final_name): the AD object only; its files keep their names and mailboxes follow",
		ems.RenameDatabase(dt.Name, rc.finalName).String())
	return append(steps, rename)
}

// manualSettings is the manual step for the failed database's settings dialtone cannot
// carry (unknown to it, not settable in the dial tone server's version, or never read),
// or nil when there are none.
func (rc *recCtx) manualSettings(number int) *Step {
	f, dt := rc.failed, rc.dt
	var lines, parts []string
	for _, u := range rc.carry.manual {
		parts = append(parts, u.name+" = "+SettingDisplay(u.name, u.value)+" ("+u.why+")")
		lines = append(lines, psComment(u.name+" on "+f.Name+": "+u.value+" ("+u.why+")"))
	}
	instructions := ""
	switch {
	case rc.failedKnown && rc.failedSettings == nil:
		instructions = "dialtone never read " + f.Name + "'s settings (the provider reported none): give " + dt.Name +
			" the quotas, journal recipient, retention, offline address book, circular logging, MountAtStartup and provisioning " + f.Name +
			" had (Get-MailboxDatabase on a record of it, Set-MailboxDatabase on " + dt.Name + "), then confirm."
		lines = append(lines, psComment(instructions))
	case len(parts) > 0:
		instructions = "Give " + dt.Name + " these settings of " + f.Name + " by hand (Set-MailboxDatabase or the admin center), then confirm: " +
			strings.Join(parts, "; ") + "."
	default:
		return nil
	}
	s := rc.newStep("carry_settings_by_hand", stComplete, number, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpManual, Database: dt.Name, Instructions: instructions},
		"Give "+dt.Name+" by hand the settings of "+f.Name+" dialtone cannot carry", lines...)
	s.Manual = true
	return s
}

// settingsNotes say what becomes of the failed database's settings and names, for the
// reviewer of every stage's plan.
func (rc *recCtx) settingsNotes() {
	f, dt := rc.failed, rc.dt
	for _, u := range rc.carry.manual {
		rc.notes = append(rc.notes, f.Name+"'s "+u.name+" ("+SettingDisplay(u.name, u.value)+") cannot be carried to "+dt.Name+": "+u.why+"; a manual step at complete")
	}
	if rc.carry.complete[state.SettingCircularLoggingEnabled] == "True" {
		rc.notes = append(rc.notes, f.Name+" used circular logging: "+dt.Name+" gets it only at complete, since the dial tone mail must stay recoverable until it is merged "+
			"(exchange-recovery.md 4.7; a recovery database never uses circular logging); on a database without copies it takes effect at the next dismount and mount, which dialtone leaves to a maintenance window")
	}
	if !rc.usersStayOnDialTone() {
		if rc.finalName != "" && !strings.EqualFold(rc.finalName, f.Name) {
			rc.notes = append(rc.notes, "final_name "+rc.finalName+" is not used: users go home to "+f.Name+", which keeps its name")
		}
		return
	}
	removed := rc.rec.Option != config.OptionSameServer || rc.noBackup
	switch {
	case rc.finalName == "" || strings.EqualFold(rc.finalName, dt.Name):
		what := f.Name + "'s AD object is removed at complete (its files stay)"
		if !removed {
			what = f.Name + "'s AD object remains after complete, excluded from provisioning and not mounted at startup: Microsoft's same-server procedure leaves it, and it still points at the failed database's files, which dialtone never deletes"
		}
		rc.notes = append(rc.notes, "users' database ends up named "+dt.Name+"; "+what+". Set final_name = \""+f.Name+"\" to give "+dt.Name+" that name back at complete")
	case strings.EqualFold(rc.finalName, f.Name):
		rc.notes = append(rc.notes, "final_name: at complete "+f.Name+"'s AD object is removed (its files stay where they are) and "+dt.Name+" takes the name "+f.Name+
			"; database."+f.Name+" in the configuration then describes it: update its edb_file_path and log_folder_path to "+dt.Edb+" and "+dt.Logs)
	default:
		rc.notes = append(rc.notes, "final_name: at complete "+dt.Name+" is renamed "+rc.finalName)
	}
}
