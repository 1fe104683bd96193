package ems

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// Set-MailboxDatabase's arguments: quotas in the largest exact unit, Booleans, quoted
// names, $null to clear; the line fits the reference on every version (the exclusion
// reason from 2016 on).
func TestSetDatabaseSettings(t *testing.T) {
	set := map[string]string{
		state.SettingProhibitSendReceiveQuota: "10737418240", state.SettingIssueWarningQuota: "Unlimited",
		state.SettingMountAtStartup: "False", state.SettingJournalRecipient: "journal@contoso.com",
		state.SettingOfflineAddressBook: "", state.SettingIsExcludedFromProvisioningReason: "x'; Stop-Computer; '",
	}
	line, err := SetDatabaseSettings("DTDB01", set, state.SettingNames)
	want := "Set-MailboxDatabase -Identity 'DTDB01' -IssueWarningQuota Unlimited -ProhibitSendReceiveQuota 10GB" +
		" -JournalRecipient 'journal@contoso.com' -OfflineAddressBook $null -MountAtStartup $false -IsExcludedFromProvisioningReason 'x''; Stop-Computer; '''"
	if err != nil || line.String() != want {
		t.Errorf("got  %s (%v)\nwant %s", line, err, want)
	}
	for _, v := range []Version{V2016, V2019, VSE} {
		if probs := CheckLines([]Line{line}, v); len(probs) > 0 {
			t.Errorf("%s: %v", v, probs)
		}
	}
	for name, v := range map[string]string{state.SettingProhibitSendQuota: "lots", state.SettingMountAtStartup: "yes", "Name": "Evil01"} {
		line, err := SetDatabaseSettings("DB01", map[string]string{name: v}, state.SettingNames)
		if err == nil || strings.Contains(line.String(), v) {
			t.Errorf("%s %q reached the line: %s (%v)", name, v, line, err)
		}
	}
}

// New-MailboxDatabase takes only the offline address book of the settings carried, and
// none for a recovery database.
func TestNewDatabaseSettings(t *testing.T) {
	l, err := NewDatabaseSettings("DTDB01", "EX01", `D:\DT\DTDB01.edb`, `D:\DT\Logs`, false, map[string]string{state.SettingOfflineAddressBook: `\Default Offline Address Book`}, state.SettingNames)
	want := `New-MailboxDatabase -Name 'DTDB01' -Server 'EX01' -EdbFilePath 'D:\DT\DTDB01.edb' -LogFolderPath 'D:\DT\Logs' -OfflineAddressBook '\Default Offline Address Book'`
	if err != nil || l.String() != want {
		t.Errorf("got  %s (%v)\nwant %s", l, err, want)
	}
	if probs := CheckLines([]Line{l}, V2013); len(probs) > 0 {
		t.Error(probs)
	}
	if _, err := NewDatabaseSettings("RDB01", "EX01", `E:\R\DB01.edb`, `E:\R\Logs`, true, map[string]string{state.SettingOfflineAddressBook: "x"}, state.SettingNames); err == nil {
		t.Error("a recovery database took -OfflineAddressBook")
	}
	if _, err := NewDatabaseSettings("DTDB01", "EX01", `D:\DT\DTDB01.edb`, `D:\DT\Logs`, false, map[string]string{state.SettingProhibitSendQuota: "1024"}, state.SettingNames); err == nil {
		t.Error("New-MailboxDatabase took -ProhibitSendQuota")
	}
	if got := RenameDatabase("DTDB01", "DB01").String(); got != "Set-MailboxDatabase -Identity 'DTDB01' -Name 'DB01'" {
		t.Errorf("rename: %s", got)
	}
}
