package planner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// advance applies plans of cfg (at stage) with the fake provider until the state
// reaches stage, confirming every manual step as an admin would (and marking a rebuilt
// server up, as a refresh would).
func advance(t testing.TB, cfg func(stage string) *config.Config, st *state.State, stage string) {
	t.Helper()
	for i := 0; i < 20; i++ {
		refreshArchives(st)
		p := mustPlan(t, cfg(stage), st)
		err := planner.Apply(context.Background(), p, plantest.NewFake(), st, &plantest.Journal{}, nil, planner.ApplyOptions{})
		var manual *planner.ManualStepError
		switch {
		case err == nil:
			refreshArchives(st)
			if r := st.Recoveries["db01-outage"]; r == nil || r.Stage != stage {
				t.Fatalf("state at %v, want %s", r, stage)
			}
			return
		case errors.As(err, &manual):
			changes, cerr := planner.Confirm(p, st, manual.Step.ID, "admin@host", time.Unix(1e9, 0))
			if cerr != nil {
				t.Fatalf("confirm %s: %v", manual.Step.ID, cerr)
			}
			for _, c := range changes {
				st.ApplyChange(c)
			}
			if manual.Step.Operation.Kind == providers.OpRecoverServer {
				st.Servers[manual.Step.Operation.Server].Up = true
			}
		default:
			t.Fatalf("apply to %s: %v", stage, err)
		}
	}
	t.Fatal("no progress")
}

// refreshArchives does what a refresh would show after the system mailboxes and
// archives were re-homed: the state records no change of ArchiveDatabase.
func refreshArchives(st *state.State) {
	r := st.Recoveries["db01-outage"]
	if r == nil {
		return
	}
	to := ""
	if r.Steps["recovery.db01-outage.rehome_system_mailboxes_to_dial_tone"] != nil {
		to = "DTDB01"
	}
	if r.Steps["recovery.db01-outage.rehome_system_mailboxes_to_restored_database"] != nil {
		to = "DB01"
	}
	for _, mb := range st.Mailboxes {
		if mb != nil && to != "" && (mb.ArchiveDatabase == "DB01" || mb.ArchiveDatabase == "DTDB01") {
			mb.ArchiveDatabase = to
		}
	}
}

func TestOptionStageTransitions(t *testing.T) {
	options := []struct {
		dir  string
		cfg  func(stage string) *config.Config
		fact func(t *testing.T, p *planner.Plan)
	}{
		{"alternate_server", func(s string) *config.Config { return plantest.AltConfig(config.OptionAlternateServer, s, true) }, nil},
		{"alternate_server_stay", func(s string) *config.Config { return plantest.AltConfig(config.OptionAlternateServerStay, s, true) }, nil},
		{"alternate_server_stay-merge_forward", func(s string) *config.Config {
			return plantest.AltConfig(config.OptionAlternateServerStay, s, false)
		}, nil},
	}
	for _, o := range options {
		for _, tr := range transitions() {
			from, to := tr[0], tr[1]
			name := from
			if name == "" {
				name = "none"
			}
			name += "-" + to
			if o.dir == "alternate_server_stay-merge_forward" && from == config.StageSwapped {
				continue // merge forward has no swap: the stage is never recorded
			}
			t.Run(o.dir+"/"+name, func(t *testing.T) {
				st := plantest.AltState(3)
				if from != config.StageNone {
					advance(t, o.cfg, st, from)
				}
				p, diags := planner.Compute(o.cfg(to), st, plantest.NewFake().Caps, planner.ComputeOptions{})
				if diags.HasErrors() {
					t.Fatalf("plan: %s", diags.Error())
				}
				golden(t, o.dir+"/"+name+".golden", []byte(strings.Join(stepIDs(p), "\n")+"\n"))
				pos := map[string]int{}
				for i, s := range p.Steps {
					pos[s.ID] = i
					for _, d := range s.DependsOn {
						if j, ok := pos[d]; ok && j >= i {
							t.Errorf("%s depends on later step %s", s.ID, d)
						}
					}
					for _, c := range s.Commands {
						if strings.Contains(c, "Get-Mailbox ") && !strings.Contains(c, "-ResultSize Unlimited") {
							t.Errorf("%s: Get-Mailbox without -ResultSize Unlimited: %s", s.ID, c)
						}
						if strings.Contains(c, "-Force") {
							t.Errorf("%s: -Force: %s", s.ID, c)
						}
					}
					if s.Manual && s.Operation.Instructions == "" {
						t.Errorf("%s: manual without instructions", s.ID)
					}
				}
				if to == config.StageComplete {
					advance(t, o.cfg, st, to)
				}
			})
		}
	}
}

func TestAlternateServerKeyFacts(t *testing.T) {
	p := mustPlan(t, plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true), plantest.AltState(3))
	_, create := findStep(p, "create_dial_tone_database")
	if create.Operation.Server != "EX02" {
		t.Errorf("dial tone on %s", create.Operation.Server)
	}
	_, excl := findStep(p, "exclude_dial_tone_from_provisioning")
	// Exchange 2016 and later require a reason (10 characters or more) with the exclusion.
	if excl == nil || !excl.Operation.Value || excl.Commands[0] != "Set-MailboxDatabase -Identity 'DTDB01' -IsExcludedFromProvisioning $true -IsExcludedFromProvisioningReason 'dialtone: temporary dial tone database'" {
		t.Errorf("exclusion %+v", excl)
	}
	_, rehome := findStep(p, "rehome_to_dial_tone")
	if rehome.Outage != planner.OutageEnds {
		t.Errorf("service comes back at the re-home, not %q", rehome.Outage)
	}
	_, repoint := findStep(p, "repoint_profiles_to_dial_tone")
	if repoint == nil || !repoint.Manual || strings.Join(repoint.Operation.Mailboxes, ",") != "db01-user0001@contoso.com" ||
		!strings.Contains(repoint.Operation.Instructions, "db01-user0001@contoso.com") {
		t.Errorf("repoint %+v", repoint)
	}
	_, rebuild := findStep(p, "recover_server")
	if rebuild == nil || !rebuild.Manual || !strings.Contains(rebuild.Operation.Instructions, "Setup.exe /Mode:RecoverServer") ||
		!strings.Contains(rebuild.Operation.Instructions, "D:, E:") && !strings.Contains(rebuild.Operation.Instructions, "D:") {
		t.Errorf("recover_server %+v", rebuild)
	}
	_, restore := findStep(p, "restore_backup")
	if restore.Operation.Database != "DB01" || restore.Operation.EdbFilePath != `D:\Databases\DB01\DB01.edb` || restore.Operation.Server != "EX01" {
		t.Errorf("restore into %+v", restore.Operation)
	}
	// EX01 is checked only once it has been rebuilt, at apply.
	var upEX01 *planner.Precondition
	for _, s := range p.Steps {
		for i, c := range s.Preconditions {
			if strings.HasPrefix(c.Description, "server EX01 is up") {
				upEX01 = &s.Preconditions[i]
			}
		}
	}
	if upEX01 == nil || upEX01.Result != planner.ResultAtApply || upEX01.Check == nil || upEX01.Check.Kind != providers.CheckServerUp {
		t.Errorf("EX01 up check %+v", upEX01)
	}
	_, cp := findStep(p, "copy_dial_tone_files")
	// The configured paths, as written (issue 12 §1: never the .edb's folder instead).
	if cp.Operation.DestServer != "EX01" || cp.Operation.DestEdbFilePath != `E:\Recovery\RDB01\DTDB01.edb` ||
		cp.Operation.DestLogFolderPath != `E:\Recovery\RDB01` || cp.Operation.DestFolder != "" {
		t.Errorf("copy of the dial tone files %+v", cp.Operation)
	}
	_, rdb := findStep(p, "create_recovery_database")
	if rdb.Operation.EdbFilePath != `E:\Recovery\RDB01\DTDB01.edb` || rdb.Operation.Server != "EX01" {
		t.Errorf("RDB %+v", rdb.Operation)
	}
	_, dismount := findStep(p, "dismount_dial_tone_database")
	_, back := findStep(p, "resubmit_queues_to_restored_database")
	if dismount.Outage != planner.OutageStarts || back.Outage != planner.OutageEnds {
		t.Errorf("swap outage %q..%q", dismount.Outage, back.Outage)
	}
	_, restart := findStep(p, "restart_information_store")
	if len(p.Outages) != 3 || p.Outages[0].ToStep != rehome.ID || p.Outages[1].FromStep != dismount.ID || p.Outages[1].ToStep != back.ID ||
		p.Outages[2].FromStep != restart.ID || p.Outages[2].Reason != planner.ReasonStoreRestart {
		t.Errorf("outages %+v", p.Outages)
	}
	_, rm := findStep(p, "remove_dial_tone_database")
	if rm == nil || rm.Preconditions[0].Result != planner.ResultOK || !strings.HasPrefix(rm.Preconditions[0].Description, "no mailbox of any kind") {
		t.Errorf("remove DT %+v", rm)
	}
}

func TestMergeForwardSaysWhatItCopies(t *testing.T) {
	st := plantest.AltState(3)
	p := mustPlan(t, plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, false), st)
	if _, s := findStep(p, "dismount_dial_tone_database"); s != nil {
		t.Error("merge forward swaps")
	}
	notes := strings.Join(p.Recoveries[0].Notes, "\n")
	for _, want := range []string{"stage swapped has no steps: merge forward", "4 restore requests (one per mailbox)", "30.0 GiB", "far slower"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	merges := 0
	for _, s := range p.Steps {
		if s.Operation.Kind == providers.OpMergeMailbox {
			merges++
			if !strings.Contains(s.Summary, "old mail") {
				t.Errorf("%s: %s", s.ID, s.Summary)
			}
		}
	}
	if merges != 4 {
		t.Errorf("%d merges, want one per mailbox (4)", merges)
	}
	if _, s := findStep(p, "remove_failed_database"); s == nil || s.Preconditions[0].Result != planner.ResultOK {
		t.Errorf("remove_failed_database %+v", s)
	}
}
