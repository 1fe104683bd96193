package exchange_test

import (
	"context"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// TestSettingsCarriedThroughExchange is examples/drills/settings through the provider
// and the double: DB01's own settings are carried to DTDB01, which takes the name DB01
// at complete. Every Set-MailboxDatabase line that runs (the hold, the carry, the
// rename) is the line of its plan step (lineCheck), and the users' database ends with
// DB01's settings.
func TestSettingsCarriedThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/drills/settings", 4)
	l := sc.r.lab
	own := map[string]string{
		state.SettingIssueWarningQuota: "9663676416", state.SettingProhibitSendQuota: "10200547328",
		state.SettingProhibitSendReceiveQuota: "10737418240", state.SettingDeletedItemRetention: "30.00:00:00",
		state.SettingMountAtStartup: "False",
	}
	if err := l.SetDatabaseSettings("DB01", own); err != nil {
		t.Fatal(err)
	}
	sc.deliver("before the backup", "DB01", 8)
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	sc.deliver("after the backup", "DB01", 4)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	plans := []*planner.Plan{sc.stage(config.StageDialTone)}
	sc.deliver("on the dial tone database", "DTDB01", 4)
	for _, stage := range config.Stages[1:] {
		plans = append(plans, sc.stage(stage))
	}
	sc.verify()
	k := kinds(plans...)
	if k[providers.OpSetDatabaseSettings] == 0 || k[providers.OpRenameDatabase] == 0 {
		t.Fatalf("the plans had %d set_database_settings and %d rename_database steps", k[providers.OpSetDatabaseSettings], k[providers.OpRenameDatabase])
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var db01 *state.Database
	for _, d := range obs.Databases {
		if d.Name == "DB01" {
			db01 = d
		}
	}
	if db01 == nil {
		t.Fatal("no database is named DB01 after complete")
	}
	for name, v := range own {
		if db01.Settings[name] != v {
			t.Errorf("DB01 %s = %q, want %q", name, db01.Settings[name], v)
		}
	}
}
