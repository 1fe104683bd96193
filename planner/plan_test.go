package planner_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

func TestStageCannotMoveBackwards(t *testing.T) {
	st := stateAt(t, config.StageMerged, 3)
	cfg := plantest.Config(config.StageDialTone)
	p, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	d := hasDiag(diags, hcl.DiagError, "Stage cannot move backwards")
	if d == nil {
		t.Fatalf("no backwards diagnostic in %v", diags)
	}
	if d.Subject == nil || *d.Subject != cfg.Recoveries["db01-outage"].StageRange {
		t.Errorf("subject %v, want the stage attribute", d.Subject)
	}
	for _, want := range []string{`"merged"`, `"dial_tone"`, "not something dialtone does", `set stage back to "merged"`} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("detail %q lacks %q", d.Detail, want)
		}
	}
	if p.HasChanges() {
		t.Errorf("backwards recovery planned steps: %v", stepIDs(p))
	}
}

func TestRequestedStageReachedPlansNothing(t *testing.T) {
	p, diags := planner.Compute(plantest.Config(config.StageSwapped), stateAt(t, config.StageSwapped, 3), plantest.NewFake().Caps, planner.ComputeOptions{})
	if len(diags) > 0 || p.HasChanges() || len(p.Recoveries) != 0 || len(p.Outages) != 0 {
		t.Errorf("diags %v, steps %v, recoveries %v", diags, stepIDs(p), p.Recoveries)
	}
}

func TestUnknownOption(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	cfg.Recoveries["db01-outage"].Option = "sideways"
	p, diags := planner.Compute(cfg, plantest.State(3), plantest.NewFake().Caps, planner.ComputeOptions{})
	d := hasDiag(diags, hcl.DiagError, "Unknown recovery option")
	if d == nil || !strings.Contains(d.Detail, `"alternate_server_stay"`) || d.Subject == nil {
		t.Errorf("diagnostic %v", d)
	}
	if p.HasChanges() {
		t.Errorf("planned %v", stepIDs(p))
	}
}

func TestStepsAlreadyDoneAreLeftOut(t *testing.T) {
	st := plantest.State(3)
	for _, key := range []string{"preserve_failed_files", "create_dial_tone_database"} {
		st.ApplyChange(state.Change{StepDone: &state.StepDone{Recovery: "db01-outage",
			Record: state.StepRecord{ID: "recovery.db01-outage." + key, Result: "done"}}})
	}
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	got := strings.Join(stepIDs(p), " ")
	want := "recovery.db01-outage.rehome_to_dial_tone recovery.db01-outage.rehome_system_mailboxes_to_dial_tone recovery.db01-outage.mount_dial_tone_database recovery.db01-outage.hold_failed_database recovery.db01-outage.resubmit_queues_to_dial_tone"
	if got != want {
		t.Fatalf("steps %s, want %s", got, want)
	}
	// The outage window starts at the first step left to do.
	if len(p.Outages) != 1 || p.Outages[0].FromStep != "recovery.db01-outage.rehome_to_dial_tone" ||
		p.Outages[0].ToStep != "recovery.db01-outage.mount_dial_tone_database" || p.Outages[0].Reason != planner.ReasonFailure {
		t.Errorf("outages %+v", p.Outages)
	}
	// A resumed plan still checks the servers it works on.
	if len(p.Steps[0].Preconditions) == 0 || p.Steps[0].Preconditions[0].Description != "server EX01 is up" {
		t.Errorf("first step preconditions %+v", p.Steps[0].Preconditions)
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	encode := func(p *planner.Plan) string {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Same inputs twice.
	a := encode(mustPlan(t, plantest.Config(config.StageComplete), plantest.State(40)))
	b := encode(mustPlan(t, plantest.Config(config.StageComplete), plantest.State(40)))
	if a != b {
		t.Fatal("two plans of the same inputs differ")
	}
	// The same state built in the opposite order, and a site of many recoveries.
	rev := plantest.State(0)
	src := plantest.State(40)
	keys := make([]string, 0, len(src.Mailboxes))
	for k := range src.Mailboxes {
		keys = append(keys, k)
	}
	for i := len(keys) - 1; i >= 0; i-- {
		rev.Mailboxes[keys[i]] = src.Mailboxes[keys[i]]
	}
	if c := encode(mustPlan(t, plantest.Config(config.StageComplete), rev)); c != a {
		t.Error("a state built in another order plans differently")
	}
	cfg1, st1 := plantest.SiteFailure(3, 4, 5, config.StageComplete)
	cfg2, st2 := plantest.SiteFailure(3, 4, 5, config.StageComplete)
	p1, _ := planner.Compute(cfg1, st1, plantest.NewFake().Caps, planner.ComputeOptions{})
	p2, _ := planner.Compute(cfg2, st2, plantest.NewFake().Caps, planner.ComputeOptions{})
	if encode(p1) != encode(p2) {
		t.Error("two site-failure plans of the same inputs differ")
	}
}

// psTokens splits a command line as PowerShell reads quotes: single-quoted literals
// (any of the five single quotes opens and closes one; a doubled quote is one quote)
// and the bare text between them. The one double-quoted string dialtone writes, the
// constant filter ems.ArchiveFilter, reads as the bare text <filter>.
func psTokens(t *testing.T, s string) (literals []string, bare string) {
	t.Helper()
	s = strings.ReplaceAll(s, ems.ArchiveFilter, "<filter>")
	isQuote := func(r rune) bool {
		return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
	}
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		if !isQuote(rs[i]) {
			b.WriteRune(rs[i])
			continue
		}
		var val []rune
		closed := false
		for i++; i < len(rs); i++ {
			if isQuote(rs[i]) {
				if i+1 < len(rs) && isQuote(rs[i+1]) {
					val = append(val, rs[i])
					i++
					continue
				}
				closed = true
				break
			}
			val = append(val, rs[i])
		}
		if !closed {
			t.Fatalf("unterminated literal in %q", s)
		}
		literals = append(literals, string(val))
		b.WriteString("<lit>")
	}
	return literals, b.String()
}

func TestCommandValuesStayOneLiteral(t *testing.T) {
	names := []string{
		"DT'; Remove-MailboxDatabase -Identity DB02 -Confirm:$false; '",
		"DT$(Stop-Computer)",
		"DT`nBad",
		"DT; Stop-Service MSExchangeIS",
		"DT\u2019; Stop-Computer; \u2019",
		"DT\u2018\u201A\u201B''",
	}
	for _, name := range names {
		cfg := plantest.Config(config.StageComplete)
		cfg.Recoveries["db01-outage"].DialTone.Name = name
		p := mustPlan(t, cfg, plantest.State(2))
		whole := 0
		for _, s := range p.Steps {
			for _, c := range s.Commands {
				if strings.HasPrefix(c, "# ") {
					continue // a comment: nothing in it runs
				}
				lits, bare := psTokens(t, c)
				for _, bad := range []string{"Stop-", "DB02", "$(", "`", ";"} {
					if strings.Contains(bare, bad) {
						t.Errorf("%s: %q escaped its literal: bare text %q", s.ID, name, bare)
					}
				}
				for _, l := range lits {
					if l == name {
						whole++
					} else if strings.Contains(l, "DT") && strings.Contains(l, name[2:]) {
						t.Errorf("%s: %q read back as %q", s.ID, name, l)
					}
				}
			}
		}
		if whole < 8 {
			t.Errorf("%q: only %d whole literals", name, whole)
		}
	}
}

func TestPreconditions(t *testing.T) {
	caps := plantest.NewFake().Caps
	t.Run("failed database mounted", func(t *testing.T) {
		st := plantest.State(3)
		st.Databases["DB01"].Mounted = true
		p, diags := planner.Compute(plantest.Config(config.StageDialTone), st, caps, planner.ComputeOptions{})
		d := hasDiag(diags, hcl.DiagWarning, "Failed database is mounted")
		if d == nil || !strings.Contains(d.Detail, "DB01 is mounted; a dial tone recovery starts from a failed database") {
			t.Fatalf("diagnostic %v", d)
		}
		failed := p.FailedPreconditions()
		if len(failed) != 1 || failed[0] != "recovery.db01-outage.preserve_failed_files: DB01 is not mounted (it has failed)" {
			t.Errorf("failed %q", failed)
		}
	})
	t.Run("failed database unknown", func(t *testing.T) {
		st := plantest.State(3)
		delete(st.Databases, "DB01")
		p, _ := planner.Compute(plantest.Config(config.StageDialTone), st, caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 1 || !strings.Contains(f[0], "database DB01 is not in the organization (refresh found DB02)") {
			t.Errorf("failed %q", f)
		}
	})
	t.Run("server down", func(t *testing.T) {
		st := plantest.State(3)
		st.Servers["EX01"].Up = false
		p, diags := planner.Compute(plantest.Config(config.StageDialTone), st, caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 1 || f[0] != "recovery.db01-outage.preserve_failed_files: server EX01 is up: the last refresh found it down" {
			t.Errorf("failed %q", f)
		}
		d := hasDiag(diags, hcl.DiagError, "Precondition failed")
		if d == nil || !strings.Contains(d.Detail, "Step recovery.db01-outage.preserve_failed_files: server EX01 is up: the last refresh found it down. dialtone works through EX01") {
			t.Errorf("no error naming step, object and fix in %v", diags)
		}
	})
	t.Run("no mount slot on a standard server", func(t *testing.T) {
		st := plantest.State(3)
		st.Servers["EX01"].Edition = "standard"
		for _, n := range []string{"DB03", "DB04", "DB05", "DB06"} {
			st.Databases[n] = &state.Database{Name: n, Server: "EX01", Mounted: true}
		}
		// DB02..DB06 mounted: five of five.
		p, _ := planner.Compute(plantest.Config(config.StageDialTone), st, caps, planner.ComputeOptions{})
		f := p.FailedPreconditions()
		if len(f) != 1 || !strings.HasPrefix(f[0], "recovery.db01-outage.mount_dial_tone_database: a mount slot on EX01 for DTDB01 (5 of 5") {
			t.Errorf("failed %q", f)
		}
		delete(st.Databases, "DB06")
		p, _ = planner.Compute(plantest.Config(config.StageDialTone), st, caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 0 {
			t.Errorf("four of five mounted: failed %q", f)
		}
	})
	t.Run("mount slots count the plan's own mounts", func(t *testing.T) {
		cfg, st := plantest.SiteFailure(1, 3, 2, config.StageDialTone)
		st.Servers["EX01"].Edition = "standard"
		cfg.Servers["EX01"].Edition = "standard"
		st.Databases["OTHER1"] = &state.Database{Name: "OTHER1", Server: "EX01", Mounted: true}
		st.Databases["OTHER2"] = &state.Database{Name: "OTHER2", Server: "EX01", Mounted: true}
		st.Databases["OTHER3"] = &state.Database{Name: "OTHER3", Server: "EX01", Mounted: true}
		p, _ := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
		f := p.FailedPreconditions()
		if len(f) != 1 || !strings.HasPrefix(f[0], "recovery.db0103-outage.mount_dial_tone_database: a mount slot on EX01 for DTDB0103 (5 of 5") {
			t.Errorf("failed %q", f)
		}
	})
	t.Run("one recovery database mounted per server", func(t *testing.T) {
		// A recovery database mounted by a recovery this plan does not move holds the server.
		cfg, st := plantest.SiteFailure(1, 2, 2, config.StageMerged)
		delete(cfg.Recoveries, "db0101-outage")
		st.Databases["RDB0101"] = &state.Database{Name: "RDB0101", Server: "EX01", Recovery: true, Mounted: true, FilesOK: true, Clean: true}
		p, diags := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
		f := p.FailedPreconditions()
		want := "recovery.db0102-outage.mount_recovery_database_for_merge: no other recovery database is mounted on EX01 (RDB0101 is)"
		if len(f) != 2 || f[1] != want || !strings.HasPrefix(f[0], "recovery.db0102-outage.mount_recovery_database: ") {
			t.Errorf("failed %q, want the restore's and the merge's mounts", f)
		}
		d := hasDiag(diags, hcl.DiagError, "Precondition failed")
		if d == nil || !strings.Contains(d.Detail, "finish the other recovery's merge first") {
			t.Errorf("diagnostic %v", d)
		}
		// Two recoveries of this plan on one server: serialized, nothing fails.
		cfg, st = plantest.SiteFailure(1, 2, 2, config.StageMerged)
		if p, _ := planner.Compute(cfg, st, caps, planner.ComputeOptions{}); len(p.FailedPreconditions()) != 0 {
			t.Errorf("serialized merges: failed %q", p.FailedPreconditions())
		}
		// Restoring both is fine: each RDB is dismounted before the next mounts.
		cfg, st = plantest.SiteFailure(1, 2, 2, config.StageSwapped)
		if p, _ := planner.Compute(cfg, st, caps, planner.ComputeOptions{}); len(p.FailedPreconditions()) != 0 {
			t.Errorf("failed %q", p.FailedPreconditions())
		}
	})
	t.Run("backup set", func(t *testing.T) {
		cfg := plantest.Config(config.StageRestored)
		p := mustPlan(t, cfg, plantest.State(3))
		_, s := findStep(p, "restore_backup")
		if len(s.Preconditions) < 1 || s.Preconditions[0].Description != "backup set nightly of DB01 exists" || s.Preconditions[0].Result != "at_apply" ||
			*s.Preconditions[0].Check != (providers.Check{Kind: providers.CheckBackupExists, Database: "DB01", Backup: "nightly"}) {
			t.Errorf("preconditions %+v", s.Preconditions)
		}
		cfg.Recoveries["db01-outage"].Restore.Backup = ""
		p, _ = planner.Compute(cfg, plantest.State(3), caps, planner.ComputeOptions{})
		if f := p.FailedPreconditions(); len(f) != 1 || !strings.HasPrefix(f[0], "recovery.db01-outage.restore_backup: a backup set") {
			t.Errorf("failed %q", f)
		}
	})
}

func TestManualStepsWhereTheProviderCannot(t *testing.T) {
	p, _ := planner.Compute(plantest.Config(config.StageComplete), plantest.State(2), providers.Capabilities{MoveFiles: true, ReplayLogs: true}, planner.ComputeOptions{})
	var manual []string
	for _, s := range p.Steps {
		if s.Manual {
			manual = append(manual, s.ID)
			if s.Operation.Instructions == "" {
				t.Errorf("%s is manual without instructions", s.ID)
			}
		}
	}
	if strings.Join(manual, " ") != "recovery.db01-outage.restore_backup recovery.db01-outage.delete_recovery_database_files" {
		t.Errorf("manual steps %v", manual)
	}
	if _, s := findStep(p, "restore_backup"); s.Operation.Kind != providers.OpRestoreBackup {
		t.Errorf("restore_backup operation %s", s.Operation.Kind)
	}
}

func TestRehomeSwitchesFollowTheExchangeVersion(t *testing.T) {
	st := plantest.State(2)
	st.Servers["EX01"].Version = "15.0.1497.2" // Exchange 2013: no -AuditLog, no -AuxAuditLog
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	_, s := findStep(p, "rehome_system_mailboxes_to_dial_tone")
	all := strings.Join(s.Commands, "\n")
	// Set-Mailbox has no -Monitoring: health mailboxes are not re-homed (Managed
	// Availability makes them for each database); public folder mailboxes are.
	if strings.Contains(all, "AuditLog") || !strings.Contains(all, "-Arbitration") || strings.Contains(all, "-Monitoring") ||
		!strings.Contains(all, "-PublicFolder") || !strings.Contains(all, "-ArchiveDatabase 'DTDB01'") {
		t.Errorf("2013 re-home:\n%s", all)
	}
	p = mustPlan(t, plantest.Config(config.StageDialTone), plantest.State(2))
	_, s = findStep(p, "rehome_system_mailboxes_to_dial_tone")
	if all := strings.Join(s.Commands, "\n"); !strings.Contains(all, "-AuditLog") || !strings.Contains(all, "-AuxAuditLog") || strings.Contains(all, "-Monitoring") {
		t.Errorf("2019 re-home:\n%s", all)
	}
	if s.Operation.Kind != providers.OpRehomeSystemMailboxes || s.Outage != planner.OutageContinues {
		t.Errorf("system re-home %s outage %q", s.Operation.Kind, s.Outage)
	}
	// The users' re-home is the one documented line; it no longer claims the rest.
	_, s = findStep(p, "rehome_to_dial_tone")
	if len(s.Commands) != 1 || strings.Contains(s.Commands[0], "-Arbitration") || s.Operation.Kind != providers.OpRehomeMailboxes {
		t.Errorf("user re-home %q", s.Commands)
	}
	if s.Mailboxes != 2 || s.Outage != planner.OutageContinues || s.Risk != planner.RiskReversible {
		t.Errorf("rehome mailboxes %d outage %q risk %q", s.Mailboxes, s.Outage, s.Risk)
	}
}

func TestMergeCommandLine(t *testing.T) {
	cfg := plantest.Config(config.StageMerged)
	cfg.Recoveries["db01-outage"].Merge.BadItemLimit = 60
	cfg.Recoveries["db01-outage"].Merge.Priority = []string{"DB01-USER0002@contoso.com"}
	p := mustPlan(t, cfg, plantest.State(3))
	_, s := findStep(p, `merge["db01-user0002@contoso.com"]`)
	if s == nil {
		t.Fatalf("no merge step for user0002: %v", stepIDs(p))
	}
	want := "New-MailboxRestoreRequest -Name 'dialtone-db01-outage' -SourceDatabase 'RDB01' -SourceStoreMailbox '" +
		s.Operation.ExchangeGuid + "' -TargetMailbox 'db01-user0002@contoso.com' -ConflictResolutionOption KeepSourceItem -BadItemLimit 60 -AcceptLargeDataLoss"
	if len(s.Commands) != 1 || s.Commands[0] != want {
		t.Errorf("command %q\nwant    %q", s.Commands, want)
	}
	// Priority is matched without regard to case, and goes first.
	first, _ := findStep(p, "mount_recovery_database_for_merge")
	if p.Steps[first+1] != s {
		t.Errorf("priority mailbox is not merged first: %s", p.Steps[first+1].ID)
	}
	if s.Preconditions[0].Result != planner.ResultAtApply || s.Mailboxes != 1 {
		t.Errorf("merge step %+v", s)
	}
}

func TestSiteFailureOrdersByStage(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 2, 3, config.StageRestored)
	p := mustPlan(t, cfg, st)
	lastDialTone, firstRestored := -1, len(p.Steps)
	for i, s := range p.Steps {
		if s.Stage == config.StageDialTone {
			lastDialTone = i
		} else if i < firstRestored {
			firstRestored = i
		}
	}
	if lastDialTone > firstRestored {
		t.Errorf("a restore starts (step %d) before every recovery has dial tone (step %d)", firstRestored, lastDialTone)
	}
	byReason := map[string]int{}
	for _, o := range p.Outages {
		byReason[o.Reason]++
	}
	// Each recovery's users until dial tone, and each recovery database's store restart.
	if len(p.Recoveries) != 4 || byReason[planner.ReasonFailure] != 4 || byReason[planner.ReasonStoreRestart] != 4 || len(p.Outages) != 8 {
		t.Errorf("%d recoveries, outage windows %v", len(p.Recoveries), byReason)
	}
}

func TestMalformedInputDoesNotPanic(t *testing.T) {
	caps := plantest.NewFake().Caps
	planner.Compute(nil, nil, caps, planner.ComputeOptions{})
	planner.Compute(&config.Config{}, nil, caps, planner.ComputeOptions{})
	cfg := plantest.Config(config.StageComplete)
	cfg.Recoveries["empty"] = &config.Recovery{Name: "empty", Option: config.OptionSameServer, Stage: config.StageComplete}
	cfg.Recoveries["nil"] = nil
	cfg.Recoveries["odd"] = &config.Recovery{Name: "odd", Option: "sideways", Stage: "later"}
	st := plantest.State(2)
	st.Mailboxes["nil"] = nil
	st.Databases["nil"] = nil
	st.Servers["nil"] = nil
	st.Recoveries["odd"] = &state.Recovery{Stage: "bogus"}
	p, diags := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
	if !diags.HasErrors() {
		t.Error("no error for malformed recoveries")
	}
	if len(p.Recoveries) != 1 || p.Recoveries[0].Name != "db01-outage" {
		t.Errorf("the sound recovery is not planned: %+v", p.Recoveries)
	}
}

// The replay of the restored database carries the failed database's log prefix from the
// state, in its operation (what the provider runs) and its command (what the plan
// shows), whatever the prefix.
func TestReplayCarriesTheFailedDatabasesPrefix(t *testing.T) {
	st := plantest.State(3)
	st.Databases["DB01"].LogFilePrefix = "E0A"
	p := mustPlan(t, plantest.Config(config.StageComplete), st)
	_, s := findStep(p, "replay_logs")
	if s == nil {
		t.Fatalf("no replay step: %v", stepIDs(p))
	}
	if s.Operation.LogPrefix != "E0A" || !strings.HasPrefix(s.Commands[0], "eseutil /r 'E0A' ") {
		t.Errorf("replay: prefix %q, command %q; want E0A in both", s.Operation.LogPrefix, s.Commands[0])
	}
}

// A renamed database keeps its file: DB01's file is "Mailbox Database 0123.edb". The
// recovery database that restores it must point at that name (the restored file keeps
// it), and the recovered file is held under it during the swap.
func TestRecoveryDatabaseFollowsTheFailedFileName(t *testing.T) {
	const file = "Mailbox Database 0123.edb"
	plan := func(rdbFile string) *planner.Plan {
		cfg := plantest.Config(config.StageComplete)
		st := plantest.State(3)
		cfg.Databases["DB01"].EdbFilePath = `D:\Databases\DB01\` + file
		st.Databases["DB01"].EdbFilePath = `D:\Databases\DB01\` + file
		cfg.Recoveries["db01-outage"].RecoveryDatabase.EdbFilePath = `E:\Recovery\RDB01\` + rdbFile
		p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
		return p
	}
	p := plan(file)
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		t.Errorf("pointed at %s: %v", file, failed)
	}
	if _, hold := findStep(p, "hold_recovered_files"); hold == nil || !strings.HasSuffix(hold.Operation.DestEdbFilePath, `\`+file) {
		t.Errorf("the recovered file is not held under its name: %+v", hold)
	}
	failed := strings.Join(plan("DB01.edb").FailedPreconditions(), "\n")
	if !strings.Contains(failed, "is named "+file) {
		t.Errorf("pointed at DB01.edb: failed preconditions %q, want one naming %s", failed, file)
	}
}
