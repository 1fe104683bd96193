package planner_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/state"
)

// failedCheck plans and returns the error diagnostic of the one failed precondition
// whose description contains desc.
func failedCheck(t *testing.T, cfg *config.Config, st *state.State, desc string) *hcl.Diagnostic {
	t.Helper()
	_, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == "Precondition failed" && strings.Contains(d.Detail, desc) {
			return d
		}
	}
	t.Fatalf("no failed precondition %q in:\n%v", desc, diags)
	return nil
}

func wantDetail(t *testing.T, d *hcl.Diagnostic, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(d.Detail, p) {
			t.Errorf("detail lacks %q:\n%s", p, d.Detail)
		}
	}
}

func TestPreconditionDiagnostics(t *testing.T) {
	alt := func(stage string) *config.Config {
		return plantest.AltConfig(config.OptionAlternateServer, stage, true)
	}
	t.Run("major version", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX02"].Version = "15.1.2507.6"
		d := failedCheck(t, alt(config.StageDialTone), st, "same major version")
		wantDetail(t, d, "Step recovery.db01-outage.create_dial_tone_database:", "EX01 (Exchange 15.2.1544.4", "EX02 (Exchange 15.1.2507.6",
			"Use a server with the same Exchange major version")
	})
	t.Run("schema version", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX01"].SchemaVersion, st.Servers["EX02"].SchemaVersion = "0.132", "0.134"
		d := failedCheck(t, alt(config.StageDialTone), st, "database schema")
		wantDetail(t, d, "schema 0.132", "schema 0.134")
	})
	t.Run("2019 and SE unknown schemas", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX02"].Version = "15.2.2562.17"
		p := mustPlan(t, alt(config.StageDialTone), st)
		_, s := findStep(p, "create_dial_tone_database")
		found := false
		for _, c := range s.Preconditions {
			if strings.Contains(c.Description, "2019 and SE") && c.Result == planner.ResultAtApply {
				found = true
			}
		}
		if !found {
			t.Errorf("preconditions %+v", s.Preconditions)
		}
	})
	t.Run("MaximumActiveDatabases", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX02"].MaximumActiveDatabases = 1 // DB03 is mounted there
		d := failedCheck(t, alt(config.StageDialTone), st, "a mount slot on EX02")
		wantDetail(t, d, "Step recovery.db01-outage.mount_dial_tone_database:", "(1 of 1 mounted databases in use, MaximumActiveDatabases 1, enterprise)",
			"raise MaximumActiveDatabases")
	})
	t.Run("name too long", func(t *testing.T) {
		cfg := alt(config.StageDialTone)
		cfg.Recoveries["db01-outage"].DialTone.Name = strings.Repeat("D", 65)
		d := failedCheck(t, cfg, plantest.AltState(2), "at most 64 characters (it has 65)")
		wantDetail(t, d, "create_dial_tone_database", "Rename it in recovery.db01-outage")
	})
	t.Run("name taken", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Databases["DTDB01"] = &state.Database{Name: "DTDB01", Server: "EX09"}
		d := failedCheck(t, alt(config.StageDialTone), st, "a database of that name exists on EX09")
		wantDetail(t, d, "name DTDB01 is unique")
	})
	t.Run("shared log folder", func(t *testing.T) {
		cfg := alt(config.StageDialTone)
		cfg.Recoveries["db01-outage"].DialTone.LogFolderPath = `F:\Databases\DB03\Logs`
		d := failedCheck(t, cfg, plantest.AltState(2), "(DB03 uses it)")
		wantDetail(t, d, "DTDB01 has its own log folder", "two log streams")
	})
	t.Run("edb name of the recovery database", func(t *testing.T) {
		cfg := plantest.Config(config.StageRestored)
		cfg.Recoveries["db01-outage"].RecoveryDatabase.EdbFilePath = `E:\Recovery\RDB01\RDB01.edb`
		d := failedCheck(t, cfg, plantest.State(2), "RDB01's .edb is named DB01.edb")
		wantDetail(t, d, "create_recovery_database", "recovery_database.edb_file_path")
	})
	t.Run("disk room", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX02"].UsedBytes = 480 << 30 // 20 GiB free; the backup is 30 GiB
		d := failedCheck(t, plantest.AltConfig(config.OptionAlternateServerStay, config.StageRestored, true), st, "disk room on EX02 for the restored DB01")
		wantDetail(t, d, "Step recovery.db01-outage.restore_backup:", "(30.0 GiB needed, 20.0 GiB free)", "Free or add disk on EX02")
	})
	t.Run("dial tone server out of room", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Servers["EX02"].UsedBytes = 500 << 30
		d := failedCheck(t, alt(config.StageDialTone), st, "disk room on EX02 for the dial tone database DTDB01")
		wantDetail(t, d, "0 B free")
	})
	t.Run("disk room unknown", func(t *testing.T) {
		p := mustPlan(t, plantest.Config(config.StageRestored), plantest.State(2))
		_, s := findStep(p, "restore_backup")
		if c := s.Preconditions[len(s.Preconditions)-1]; c.Result != planner.ResultAtApply || !strings.Contains(c.Description, "checked at apply") || c.Check == nil {
			t.Errorf("%+v", c)
		}
	})
	t.Run("clean before mount", func(t *testing.T) {
		p := mustPlan(t, plantest.Config(config.StageRestored), plantest.State(2))
		_, s := findStep(p, "mount_recovery_database")
		if c := s.Preconditions[0]; c.Result != planner.ResultOK || !strings.Contains(c.Description, "RDB01 is in Clean Shutdown") || c.Check == nil {
			t.Errorf("%+v", c)
		}
		// A swap planned on files the state says are dirty: only apply can tell.
		st := stateAt(t, config.StageRestored, 2)
		st.Databases["RDB01"].Clean = false
		p = mustPlan(t, plantest.Config(config.StageSwapped), st)
		_, s = findStep(p, "hold_recovered_files")
		if c := s.Preconditions[len(s.Preconditions)-2]; c.Result != planner.ResultAtApply || !strings.Contains(c.Description, "Clean Shutdown") {
			t.Errorf("%+v", s.Preconditions)
		}
	})
	t.Run("system mailboxes and archives before removing a database", func(t *testing.T) {
		st := plantest.AltState(2)
		st.Mailboxes["db02-user0002@contoso.com"].ArchiveDatabase = "DB01"
		cfg := plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, true)
		advance(t, func(s string) *config.Config { return plantest.AltConfig(config.OptionAlternateServerStay, s, true) }, st, config.StageMerged)
		st.Mailboxes["db02-user0002@contoso.com"].ArchiveDatabase = "DB01" // left behind
		d := failedCheck(t, cfg, st, "points at DB01 (0 user, 0 system, 1 archive still do)")
		wantDetail(t, d, "Step recovery.db01-outage.remove_failed_database:", "-Arbitration", "Set-Mailbox -ArchiveDatabase")
	})
}

func TestSiteFailurePriorityAndSerialization(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 2, 2, config.StageComplete)
	cfg.Recoveries["db0101-outage"].Priority = 200
	cfg.Recoveries["db0102-outage"].Priority = 10
	p := mustPlan(t, cfg, st)
	if p.Recoveries[0].Name != "db0102-outage" || p.Recoveries[1].Name != "db0101-outage" {
		t.Errorf("order %s, %s", p.Recoveries[0].Name, p.Recoveries[1].Name)
	}
	if !strings.HasPrefix(p.Steps[0].ID, "recovery.db0102-outage.") {
		t.Errorf("first step %s", p.Steps[0].ID)
	}
	// RDB0102's merge and dismount finish before RDB0101 is mounted for its merge.
	pos := map[string]int{}
	for i, s := range p.Steps {
		pos[s.ID] = i
	}
	dis := pos["recovery.db0102-outage.dismount_recovery_database_after_merge"]
	mount := pos["recovery.db0101-outage.mount_recovery_database_for_merge"]
	lastMerge := pos[`recovery.db0102-outage.merge["db0102-user0002@contoso.com"]`]
	if !(lastMerge < dis && dis < mount) {
		t.Errorf("merge %d, dismount %d, next mount %d", lastMerge, dis, mount)
	}
	m := p.Steps[mount]
	if m.DependsOn[len(m.DependsOn)-1] != "recovery.db0102-outage.dismount_recovery_database_after_merge" || !strings.Contains(m.Summary, "one mounted recovery database per server") {
		t.Errorf("mount %+v", m)
	}
	if d := p.Steps[dis]; d.Stage != config.StageMerged || len(d.DependsOn) != 2 {
		t.Errorf("dismount stage %s, depends on %v", d.Stage, d.DependsOn)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "recovery databases on EX01 are mounted one at a time: recovery.db0102-outage") {
		t.Errorf("notes %q", p.Notes)
	}
	if f := p.FailedPreconditions(); len(f) != 0 {
		t.Errorf("failed %q", f)
	}
	// Applied end to end: the walk holds the order.
	if err := applyAll(p, st); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"db0101-outage", "db0102-outage"} {
		if st.Recoveries[name].Stage != config.StageComplete {
			t.Errorf("%s at %s", name, st.Recoveries[name].Stage)
		}
	}

	// Merges only: the earlier recovery's dismount is added to its merge stage.
	cfg, st = plantest.SiteFailure(1, 2, 2, config.StageMerged)
	p = mustPlan(t, cfg, st)
	if _, s := findStep(p, "dismount_recovery_database_after_merge"); s == nil || s.Recovery != "db0101-outage" || s.Stage != config.StageMerged {
		t.Errorf("dismount %+v", s)
	}
}
