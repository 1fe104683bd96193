package exchange

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// Get-MailboxDatabase's settings as Exchange shows them read into the state's canonical
// form; a property the version lacks (null) is left out, an unreadable value kept as
// shown (the plan names it as one it cannot carry).
func TestReadSettings(t *testing.T) {
	recs, err := decodeRecords("Get-MailboxDatabase", []byte(`[{"Name":"DB01",
		"ProhibitSendQuota":"10 GB (10,737,418,240 bytes)","IssueWarningQuota":"Unlimited",
		"ProhibitSendReceiveQuota":"lots","MountAtStartup":false,"CircularLoggingEnabled":true,
		"DeletedItemRetention":"30.00:00:00","JournalRecipient":"contoso.com/Users/Journal",
		"OfflineAddressBook":"","IsExcludedFromProvisioningReason":null}]`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := readSettings(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		state.SettingProhibitSendQuota: "10737418240", state.SettingIssueWarningQuota: "Unlimited",
		state.SettingProhibitSendReceiveQuota: "lots", state.SettingMountAtStartup: "False",
		state.SettingCircularLoggingEnabled: "True", state.SettingDeletedItemRetention: "30.00:00:00",
		state.SettingJournalRecipient: "contoso.com/Users/Journal", state.SettingOfflineAddressBook: "",
	}
	if len(got) != len(want) {
		t.Errorf("read %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// Every Set-MailboxDatabase parameter dialtone sets exists in Microsoft's reference for
// the versions where the planner uses it: all from 2013 on, the exclusion reason from
// 2016 on (the planner names it as a manual step on 2013). The reference lives outside
// the repository (../shared/reference/exchange-cmdlets.json); the test skips without it.
func TestSettingParametersInTheReference(t *testing.T) {
	var path string
	for dir, _ := os.Getwd(); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		for _, p := range []string{filepath.Join(dir, "shared", "reference", "exchange-cmdlets.json"), filepath.Join(dir, "..", "shared", "reference", "exchange-cmdlets.json")} {
			if _, err := os.Stat(p); err == nil && path == "" {
				path = p
			}
		}
	}
	if path == "" {
		t.Skip("exchange-cmdlets.json not found above the repository")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cmdlets map[string]struct {
			Parameters map[string]struct {
				Applicable []string `json:"applicable"`
			} `json:"parameters"`
		} `json:"cmdlets"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	set := ref.Cmdlets["Set-MailboxDatabase"].Parameters
	for _, name := range state.SettingNames {
		versions := []string{"2013", "2016", "2019", "SE"}
		if name == state.SettingIsExcludedFromProvisioningReason {
			versions = versions[1:]
		}
		p, ok := set[name]
		if !ok {
			t.Errorf("Set-MailboxDatabase has no -%s", name)
			continue
		}
		for _, v := range versions {
			if !strings.Contains(" "+strings.Join(p.Applicable, " ")+" ", " "+v+" ") {
				t.Errorf("Set-MailboxDatabase -%s is not in Exchange %s (reference: %v)", name, v, p.Applicable)
			}
		}
	}
	if p := ref.Cmdlets["New-MailboxDatabase"].Parameters[state.SettingOfflineAddressBook]; len(p.Applicable) == 0 {
		t.Error("New-MailboxDatabase has no -OfflineAddressBook")
	}
	if p := ref.Cmdlets["Set-MailboxDatabase"].Parameters["Name"]; len(p.Applicable) == 0 {
		t.Error("Set-MailboxDatabase has no -Name")
	}
}
