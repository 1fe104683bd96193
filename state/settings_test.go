package state

import "testing"

// A database read while healthy keeps its last known settings once a read cannot get
// them; a read that reports settings replaces them.
func TestRefreshKeepsLastKnownSettings(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		s := New("lineage")
		healthy := map[string]string{SettingProhibitSendReceiveQuota: "10737418240", SettingJournalRecipient: "journal@contoso.com"}
		refresh := func(o *Observed) {
			if inPlace {
				s.RefreshObjects(o)
			} else {
				s.Refresh(o)
			}
		}
		refresh(&Observed{Databases: map[string]*Database{"DB01": {Name: "DB01", Mounted: true, FilesOK: true, Settings: healthy}}})
		refresh(&Observed{Databases: map[string]*Database{"DB01": {Name: "DB01"}, "DB02": {Name: "DB02"}}})
		if got := s.Databases["DB01"].Settings[SettingJournalRecipient]; got != "journal@contoso.com" {
			t.Fatalf("inPlace=%v: failed DB01 lost its settings: %v", inPlace, s.Databases["DB01"].Settings)
		}
		if s.Databases["DB02"].Settings != nil {
			t.Errorf("inPlace=%v: DB02 was never read but has settings %v", inPlace, s.Databases["DB02"].Settings)
		}
		refresh(&Observed{Databases: map[string]*Database{"DB01": {Name: "DB01", Settings: map[string]string{SettingProhibitSendReceiveQuota: "Unlimited"}}}})
		if got := s.Databases["DB01"].Settings; len(got) != 1 || got[SettingProhibitSendReceiveQuota] != "Unlimited" {
			t.Errorf("inPlace=%v: a read with settings must replace them, got %v", inPlace, got)
		}
	}
}

func TestSettingDefault(t *testing.T) {
	var d *Database
	if v, read := d.Setting(SettingMountAtStartup); v != "True" || read {
		t.Errorf("nil database: %q %v", v, read)
	}
	d = &Database{Settings: map[string]string{SettingMountAtStartup: "False"}}
	if v, read := d.Setting(SettingMountAtStartup); v != "False" || !read {
		t.Errorf("read value: %q %v", v, read)
	}
	for _, n := range SettingNames {
		if _, ok := DefaultSettings[n]; !ok {
			t.Errorf("no default for %s", n)
		}
	}
}

// The first recorded value of a setting is the original; a re-run records nothing new.
func TestSettingsBeforeFirstWins(t *testing.T) {
	s := New("lineage")
	s.ApplyChange(Change{SettingsBefore: &SettingsBefore{Recovery: "r", Database: "DB01", Settings: map[string]string{SettingMountAtStartup: "True"}}})
	s.ApplyChange(Change{SettingsBefore: &SettingsBefore{Recovery: "r", Database: "DB01", Settings: map[string]string{SettingMountAtStartup: "False", SettingIsExcludedFromProvisioning: "False"}}})
	got := s.Recoveries["r"].SettingsBefore["DB01"]
	if got[SettingMountAtStartup] != "True" || got[SettingIsExcludedFromProvisioning] != "False" {
		t.Errorf("SettingsBefore = %v", got)
	}
}
