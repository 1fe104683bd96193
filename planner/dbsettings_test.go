package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/state"
)

// failedWith gives DB01 (the failed database) settings beside Exchange's defaults.
func failedWith(st *state.State, set map[string]string) {
	for k, v := range set {
		st.Databases["DB01"].Settings[k] = v
	}
}

// The failed database's non-default settings reach the dial tone database: the offline
// address book at creation, quotas and journaling right after it (before users arrive),
// circular logging and provisioning once it is theirs for good; each as a diff from
// Exchange's defaults.
func TestSettingsCarriedToUsersDatabase(t *testing.T) {
	st := plantest.State(3)
	failedWith(st, map[string]string{
		state.SettingProhibitSendReceiveQuota:         "10737418240",
		state.SettingJournalRecipient:                 "journal@contoso.com",
		state.SettingOfflineAddressBook:               `\Default Offline Address Book`,
		state.SettingDeletedItemRetention:             "30.00:00:00",
		state.SettingCircularLoggingEnabled:           "True",
		state.SettingIsExcludedFromProvisioning:       "True",
		state.SettingIsExcludedFromProvisioningReason: "Full: new mailboxes go to DB02",
	})
	p := mustPlan(t, plantest.Config(config.StageComplete), st)

	_, create := findStep(p, "create_dial_tone_database")
	if !strings.HasSuffix(create.Commands[0], ` -OfflineAddressBook '\Default Offline Address Book'`) || create.Operation.Settings[state.SettingOfflineAddressBook] == "" {
		t.Errorf("create: %q %v", create.Commands[0], create.Operation.Settings)
	}
	i, carry := findStep(p, "carry_settings_to_dial_tone")
	j, _ := findStep(p, "rehome_to_dial_tone")
	if carry == nil || i > j {
		t.Fatalf("carry_settings_to_dial_tone at %d, re-home at %d", i, j)
	}
	want := "Set-MailboxDatabase -Identity 'DTDB01' -ProhibitSendReceiveQuota 10GB -JournalRecipient 'journal@contoso.com' -DeletedItemRetention '30.00:00:00'"
	if carry.Commands[0] != want {
		t.Errorf("carry:\n%s\nwant\n%s", carry.Commands[0], want)
	}
	if carry.SettingsBefore[state.SettingProhibitSendReceiveQuota] != state.DefaultSettings[state.SettingProhibitSendReceiveQuota] || len(carry.SettingsBefore) != 3 {
		t.Errorf("the diff is not from Exchange's defaults: %v", carry.SettingsBefore)
	}
	_, good := findStep(p, "carry_settings_for_good")
	if good == nil || good.Stage != config.StageComplete ||
		good.Commands[0] != "Set-MailboxDatabase -Identity 'DTDB01' -CircularLoggingEnabled $true -IsExcludedFromProvisioning $true -IsExcludedFromProvisioningReason 'Full: new mailboxes go to DB02'" {
		t.Fatalf("carry_settings_for_good: %+v", good)
	}
	if _, m := findStep(p, "carry_settings_by_hand"); m != nil {
		t.Errorf("nothing is uncarriable, yet %s: %s", m.ID, m.Operation.Instructions)
	}
	notes := strings.Join(p.Recoveries[0].Notes, "\n")
	for _, w := range []string{"circular logging", "ends up named DTDB01", `final_name = "DB01"`} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
}

// What dialtone cannot carry (a setting it does not know, a value it cannot read, a
// parameter the dial tone server's version lacks) is a manual step, and a note from the
// first stage on; never dropped.
func TestUncarriableSettingIsAManualStep(t *testing.T) {
	st := plantest.State(3)
	st.Servers["EX01"].Version = "15.0.1497.2" // Exchange 2013: no IsExcludedFromProvisioningReason
	failedWith(st, map[string]string{
		"QuotaNotificationSchedule":                   "Sun.1:00 AM-Sun.1:15 AM",
		state.SettingProhibitSendQuota:                "lots",
		state.SettingIsExcludedFromProvisioning:       "True",
		state.SettingIsExcludedFromProvisioningReason: "Kept for the archive project",
		state.SettingIssueWarningQuota:                "Unlimited",
	})
	cfg := plantest.Config(config.StageComplete)
	cfg.Servers["EX01"].Version = "15.0.1497.2"
	p := mustPlan(t, cfg, st)
	_, m := findStep(p, "carry_settings_by_hand")
	if m == nil || !m.Manual || m.Stage != config.StageComplete {
		t.Fatalf("manual step %+v", m)
	}
	for _, w := range []string{"QuotaNotificationSchedule = Sun.1:00 AM-Sun.1:15 AM (dialtone does not know this setting)",
		`ProhibitSendQuota = lots (the value "lots" is not a size in bytes nor Unlimited)`,
		"IsExcludedFromProvisioningReason = Kept for the archive project (Set-MailboxDatabase has no -IsExcludedFromProvisioningReason on Exchange 2013 (EX01))"} {
		if !strings.Contains(m.Operation.Instructions, w) {
			t.Errorf("instructions lack %q:\n%s", w, m.Operation.Instructions)
		}
	}
	_, carry := findStep(p, "carry_settings_to_dial_tone")
	if carry == nil || carry.Commands[0] != "Set-MailboxDatabase -Identity 'DTDB01' -IssueWarningQuota Unlimited" {
		t.Errorf("what can be carried still is: %+v", carry)
	}
	_, hold := findStep(p, "hold_failed_database")
	if hold == nil || strings.Contains(hold.Commands[0], "Reason") {
		t.Errorf("2013 has no exclusion reason: %+v", hold)
	}
	// The dial tone stage's plan already names them.
	p = mustPlan(t, func() *config.Config {
		c := plantest.Config(config.StageDialTone)
		c.Servers["EX01"].Version = "15.0.1497.2"
		return c
	}(), st)
	if notes := strings.Join(p.Recoveries[0].Notes, "\n"); !strings.Contains(notes, "QuotaNotificationSchedule") || !strings.Contains(notes, "manual step at complete") {
		t.Errorf("dial tone notes:\n%s", notes)
	}
}

// final_name: at complete the failed database's object goes first (its files stay),
// then users' database takes its name.
func TestFinalName(t *testing.T) {
	cfg := plantest.Config(config.StageComplete)
	cfg.Recoveries["db01-outage"].FinalName = "DB01"
	p := mustPlan(t, cfg, plantest.State(3))
	i, remove := findStep(p, "remove_failed_database")
	j, rename := findStep(p, "rename_to_final_name")
	if remove == nil || rename == nil || i > j {
		t.Fatalf("remove at %d, rename at %d: %v", i, j, stepIDs(p))
	}
	if remove.Commands[0] != "Remove-MailboxDatabase -Identity 'DB01' -Confirm:$false" || len(remove.Commands) != 1 {
		t.Errorf("remove: %q (the AD object only)", remove.Commands)
	}
	if rename.Commands[0] != "Set-MailboxDatabase -Identity 'DTDB01' -Name 'DB01'" || rename.Risk != planner.RiskReversible {
		t.Errorf("rename: %+v", rename)
	}
	if _, del := findStep(p, "delete_failed_files"); del != nil {
		t.Errorf("the failed database's files are deleted: %+v", del)
	}
	if notes := strings.Join(p.Recoveries[0].Notes, "\n"); !strings.Contains(notes, "DTDB01 takes the name DB01") {
		t.Errorf("notes:\n%s", notes)
	}
	// Without it: no rename, and the plan says which name users' database keeps.
	p = mustPlan(t, plantest.Config(config.StageComplete), plantest.State(3))
	if _, r := findStep(p, "rename_to_final_name"); r != nil {
		t.Errorf("renamed without final_name")
	}
	if _, r := findStep(p, "remove_failed_database"); r != nil {
		t.Errorf("same_server removed DB01's object without final_name")
	}
}
