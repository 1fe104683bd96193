package planner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

func TestNoBackupPlan(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true)
	cfg.Recoveries["db01-outage"].Restore.Backup = planner.BackupNone
	_, diags := planner.Compute(cfg, plantest.AltState(3), plantest.NewFake().Caps, planner.ComputeOptions{})
	if d := hasDiag(diags, hcl.DiagError, "No backup and no decision to accept the data loss"); d == nil || !strings.Contains(d.Detail, "accept_data_loss = true") {
		t.Fatalf("diagnostics %v", diags)
	}
	cfg.Recoveries["db01-outage"].Restore.AcceptDataLoss = true
	p := mustPlan(t, cfg, plantest.AltState(3))
	got := strings.Join(stepIDs(p), " ")
	for _, s := range p.Steps {
		if s.Stage != config.StageDialTone && s.Stage != config.StageComplete {
			t.Errorf("%s in stage %s: no data steps without a backup", s.ID, s.Stage)
		}
	}
	if strings.Contains(got, "exclude_dial_tone_from_provisioning") || !strings.HasSuffix(got, "recovery.db01-outage.remove_failed_database") {
		t.Errorf("steps %s", got)
	}
	r := p.Recoveries[0]
	if len(r.DataLoss) != 1 || !strings.Contains(r.DataLoss[0].What, "every item DB01 held") || r.DataLoss[0].Decision != "accepted: restore.accept_data_loss = true" {
		t.Errorf("data loss %+v", r.DataLoss)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "stage restored has no steps: no backup to restore") {
		t.Errorf("notes %q", r.Notes)
	}
	// A dial tone database excluded from provisioning before the decision is opened again.
	st := plantest.AltState(3)
	st.ApplyChange(state.Change{StepDone: &state.StepDone{Recovery: "db01-outage", Record: state.StepRecord{ID: "recovery.db01-outage.exclude_dial_tone_from_provisioning", Result: "done"}}})
	p = mustPlan(t, cfg, st)
	if _, s := findStep(p, "include_dial_tone_in_provisioning"); s == nil || s.Operation.Value {
		t.Errorf("no un-exclusion: %v", stepIDs(p))
	}
}

func logsMissingState() *state.State {
	st := plantest.AltState(3)
	st.Backups["DB01/nightly"].Taken = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	st.Databases["DB01"].Logs = &state.LogRange{First: 0x30, Last: 0x60, Missing: []uint64{0x20, 0x45, 0x50}}
	return st
}

func TestLogsMissingPlan(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServerStay, config.StageRestored, true)
	_, diags := planner.Compute(cfg, logsMissingState(), plantest.NewFake().Caps, planner.ComputeOptions{})
	d := hasDiag(diags, hcl.DiagError, "Logs missing after the backup")
	if d == nil || !strings.Contains(d.Detail, "log generation 69 is missing") || !strings.Contains(d.Detail, "accept_data_loss = true") {
		t.Fatalf("diagnostics %v", diags)
	}
	cfg.Recoveries["db01-outage"].Restore.AcceptDataLoss = true
	p := mustPlan(t, cfg, logsMissingState())
	loss := p.Recoveries[0].DataLoss
	if len(loss) != 1 || !strings.Contains(loss[0].What, "generations 69 (0x45) on, up to the newest one written, 96 (0x60)") ||
		!strings.Contains(loss[0].What, "taken 2026-11-20 01:00:00Z") || !strings.Contains(loss[0].Why, "eseutil /r E00 /a") {
		t.Errorf("data loss %+v", loss)
	}
	_, replay := findStep(p, "replay_logs")
	if !replay.Operation.AcceptDataLoss || !strings.HasSuffix(replay.Commands[0], " /a") || replay.Risk != planner.RiskDataLoss {
		t.Errorf("replay %+v", replay)
	}
	// Logs that start right after the backup and have no hole lose nothing.
	st := logsMissingState()
	st.Databases["DB01"].Logs = &state.LogRange{First: 0x41, Last: 0x60}
	cfg.Recoveries["db01-outage"].Restore.AcceptDataLoss = false
	p = mustPlan(t, cfg, st)
	if _, replay := findStep(p, "replay_logs"); replay.Operation.AcceptDataLoss || len(p.Recoveries[0].DataLoss) != 0 {
		t.Errorf("loss without a gap: %+v", p.Recoveries[0].DataLoss)
	}
}

// A tail destroyed at the end of the stream (the provider reports it as missing up to
// the newest generation written) is a loss window of its own.
func TestLogsMissingTailPlan(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServerStay, config.StageRestored, true)
	cfg.Recoveries["db01-outage"].Restore.AcceptDataLoss = true
	st := logsMissingState()
	st.Databases["DB01"].Logs = &state.LogRange{First: 0x41, Last: 0x46, Missing: []uint64{0x46}}
	p := mustPlan(t, cfg, st)
	loss := p.Recoveries[0].DataLoss
	if len(loss) != 1 || !strings.Contains(loss[0].What, "only log generation 70 (0x46), the newest one written") {
		t.Errorf("data loss %+v", loss)
	}
	if _, replay := findStep(p, "replay_logs"); !replay.Operation.AcceptDataLoss {
		t.Errorf("replay %+v", replay.Operation)
	}
}

func failedRequestState(t *testing.T, badItems int) *state.State {
	st := stateAt(t, config.StageSwapped, 3)
	st.RestoreRequests[`db01-user0002@contoso.com\dialtone-db01-outage`] = &state.RestoreRequest{
		Name: `db01-user0002@contoso.com\dialtone-db01-outage`, SourceDatabase: "RDB01", TargetMailbox: "db01-user0002@contoso.com",
		Status: "Failed", BadItemLimit: 10, BadItems: badItems}
	return st
}

func TestResumeRestoreRequestPlanning(t *testing.T) {
	cfg := plantest.Config(config.StageMerged)
	cfg.Recoveries["db01-outage"].Merge.BadItemLimit = 60
	p := mustPlan(t, cfg, failedRequestState(t, 55))
	_, s := findStep(p, `resume_merge["db01-user0002@contoso.com"]`)
	if s == nil || s.Operation.Kind != providers.OpResumeRestoreRequest || s.Operation.BadItemLimit != 60 {
		t.Fatalf("no resume step: %v", stepIDs(p))
	}
	want := []string{`Get-MailboxRestoreRequest -TargetMailbox 'db01-user0002@contoso.com' -Name 'dialtone-db01-outage' | Set-MailboxRestoreRequest -BadItemLimit 60 -AcceptLargeDataLoss`,
		`Get-MailboxRestoreRequest -TargetMailbox 'db01-user0002@contoso.com' -Name 'dialtone-db01-outage' | Resume-MailboxRestoreRequest -Confirm:$false`}
	if strings.Join(s.Commands, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands %q", s.Commands)
	}
	if _, m := findStep(p, `merge["db01-user0002@contoso.com"]`); m != nil {
		t.Error("a new request for a mailbox whose request failed")
	}
	// Applied: resumed, recorded, never a new request.
	fake := plantest.NewFake()
	st := failedRequestState(t, 55)
	if err := planner.Apply(context.Background(), p, fake, st, nil, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, op := range fake.Ops() {
		if op.Kind == providers.OpMergeMailbox && op.Mailbox == "db01-user0002@contoso.com" {
			t.Error("new request created")
		}
	}
	if rr := st.RestoreRequests[`db01-user0002@contoso.com\dialtone-db01-outage`]; rr.Status != "Completed" {
		t.Errorf("request %+v", rr)
	}

	// The limit still too low: a failed precondition saying how far to raise it.
	cfg.Recoveries["db01-outage"].Merge.BadItemLimit = 10
	p, diags := planner.Compute(cfg, failedRequestState(t, 55), plantest.NewFake().Caps, planner.ComputeOptions{})
	d := hasDiag(diags, hcl.DiagError, "Precondition failed")
	if d == nil || !strings.Contains(d.Detail, "raise merge.bad_item_limit to at least 55") && !strings.Contains(d.Detail, "Raise merge.bad_item_limit to at least 55") ||
		!strings.Contains(d.Detail, "-AcceptLargeDataLoss") || !strings.Contains(d.Detail, "resume_merge") {
		t.Errorf("diagnostic %v", d)
	}
	if len(p.FailedPreconditions()) != 1 {
		t.Errorf("failed %q", p.FailedPreconditions())
	}
}

func TestDialToneLostBeforeTheSwap(t *testing.T) {
	lose := func(st *state.State) {
		dt := st.Databases["DTDB01"]
		dt.FilesOK, dt.Mounted = false, false
	}
	// alternate_server without a backup of the dial tone database: the mail is lost,
	// users come back at the swap, nothing to merge.
	cfg := func(s string) *config.Config { return plantest.AltConfig(config.OptionAlternateServer, s, true) }
	st := plantest.AltState(3)
	advance(t, cfg, st, config.StageRestored)
	lose(st)
	p := mustPlan(t, cfg(config.StageComplete), st)
	ids := strings.Join(stepIDs(p), " ")
	if strings.Contains(ids, "dismount_dial_tone_database") || strings.Contains(ids, "merge[") || strings.Contains(ids, "copy_dial_tone_files") {
		t.Errorf("steps %s", ids)
	}
	if loss := p.Recoveries[0].DataLoss; len(loss) != 1 || !strings.Contains(loss[0].What, "all mail received during dial tone") {
		t.Errorf("data loss %+v", loss)
	}
	if len(p.Outages) != 1 || !strings.HasSuffix(p.Outages[0].ToStep, "resubmit_queues_to_restored_database") {
		t.Errorf("outages %+v", p.Outages)
	}
	// With a backup of it: restored in place first (its own backup, its surviving logs,
	// its own prefix), then the recovery goes on as if it had never been lost.
	st.Backups["DTDB01/dt-nightly"] = &state.Backup{Set: "dt-nightly", Database: "DTDB01", Taken: time.Unix(2e9, 0)}
	st.Databases["DTDB01"].LogFilePrefix = "E07"
	p = mustPlan(t, cfg(config.StageComplete), st)
	i, rs := findStep(p, "restore_dial_tone_backup_in_place")
	if rs == nil || rs.Operation.Source != "DTDB01" || rs.Operation.Backup != "dt-nightly" || rs.Operation.Database != "DTDB01" ||
		rs.Operation.EdbFilePath != st.Databases["DTDB01"].EdbFilePath {
		t.Fatalf("restore of the dial tone backup: %v", stepIDs(p))
	}
	if _, cp := findStep(p, "copy_dial_tone_surviving_logs"); cp == nil || cp.Operation.Source != "DTDB01" {
		t.Errorf("surviving logs of DTDB01 not copied: %v", stepIDs(p))
	}
	_, rp := findStep(p, "replay_dial_tone_logs_in_place")
	if rp == nil || !strings.HasPrefix(rp.Commands[0], "eseutil /r 'E07' ") || rp.Operation.LogPrefix != "E07" {
		t.Errorf("replay: %+v", rp)
	}
	if loss := p.Recoveries[0].DataLoss; len(loss) != 0 {
		t.Errorf("data loss %+v", loss)
	}
	if j, m := findStep(p, "mount_restored_dial_tone_database"); m == nil || m.Outage != planner.OutageEnds || j < i {
		t.Errorf("no mount of the restored DTDB01: %v", stepIDs(p))
	}
	if len(p.Outages) < 1 || !strings.HasSuffix(p.Outages[0].FromStep, "keep_lost_dial_tone_logs") ||
		!strings.HasSuffix(p.Outages[0].ToStep, "mount_restored_dial_tone_database") || p.Outages[0].Reason != planner.ReasonDialToneLost {
		t.Errorf("outages %+v", p.Outages)
	}
	for _, key := range []string{"dismount_dial_tone_database", "copy_dial_tone_files", `merge["db01-user0002@contoso.com"]`} {
		if _, s := findStep(p, key); s == nil {
			t.Errorf("no %s after the repair: %v", key, stepIDs(p))
		}
	}
	// same_server: the recovered files go straight into the dial tone folders.
	sst := stateAt(t, config.StageRestored, 3)
	lose(sst)
	p = mustPlan(t, plantest.Config(config.StageComplete), sst)
	got := strings.Join(stepIDs(p), " ")
	want := "recovery.db01-outage.allow_file_restore recovery.db01-outage.move_recovered_files_into_dial_tone_database " +
		"recovery.db01-outage.mount_swapped_database recovery.db01-outage.disallow_file_restore " +
		"recovery.db01-outage.remove_recovery_database recovery.db01-outage.delete_recovery_database_files"
	if got != want {
		t.Errorf("steps\n%s\nwant\n%s", got, want)
	}
	if _, m := findStep(p, "mount_swapped_database"); m.Outage != planner.OutageEnds {
		t.Errorf("service not back at the swap mount")
	}
}

// checker is a fake provider that also re-checks preconditions.
type checker struct {
	*plantest.Fake
	fail  providers.CheckKind
	asked []providers.Check
}

func (c *checker) Check(_ context.Context, k providers.Check) error {
	c.asked = append(c.asked, k)
	if k.Kind == c.fail {
		return errors.New("no room left: 2 of 100 GiB free")
	}
	return nil
}

func TestApplyRechecksPreconditions(t *testing.T) {
	st := plantest.State(2)
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	ck := &checker{Fake: plantest.NewFake(), fail: providers.CheckMountSlot}
	err := planner.Apply(context.Background(), p, ck, st, nil, nil, planner.ApplyOptions{})
	var pe *planner.PreconditionError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.Step.ID, "mount_dial_tone_database") {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"mount_dial_tone_database", "a mount slot on EX01 for DTDB01", "no room left", "Dismount or move a database on EX01"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	for _, op := range ck.Ops() {
		if op.Kind == providers.OpMountDatabase {
			t.Error("the step ran although its check failed")
		}
	}
	if len(ck.asked) == 0 || ck.asked[0].Kind != providers.CheckServerUp {
		t.Errorf("asked %+v", ck.asked)
	}
	// The world fixed: the walk goes on from that step.
	ck.fail = ""
	if err := planner.Apply(context.Background(), p, ck, st, nil, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if st.Recoveries["db01-outage"].Stage != config.StageDialTone {
		t.Errorf("stage %s", st.Recoveries["db01-outage"].Stage)
	}
}

func TestApplyStopsAtManualStepUntilConfirmed(t *testing.T) {
	st := plantest.State(2)
	caps := providers.Capabilities{MoveFiles: true, ReplayLogs: true, DeleteFiles: true} // no restore from backup
	p, _ := planner.Compute(plantest.Config(config.StageRestored), st, caps, planner.ComputeOptions{})
	fake := plantest.NewFake()
	err := planner.Apply(context.Background(), p, fake, st, nil, nil, planner.ApplyOptions{})
	var me *planner.ManualStepError
	if !errors.As(err, &me) || me.Step.ID != "recovery.db01-outage.restore_backup" {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), "dialtone confirm recovery.db01-outage.restore_backup") || !strings.Contains(err.Error(), "Do this by hand: Restore backup set nightly") {
		t.Errorf("message %q", err)
	}
	changes, err := planner.Confirm(p, st, me.Step.ID, "alice@ws1", time.Unix(1e9, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].StepDone.Record.Result != planner.RecordConfirmed || changes[0].StepDone.Record.ConfirmedBy != "alice@ws1" {
		t.Fatalf("changes %+v", changes)
	}
	for _, c := range changes {
		st.ApplyChange(c)
	}
	if err := planner.Apply(context.Background(), p, fake, st, nil, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if st.Recoveries["db01-outage"].Stage != config.StageRestored {
		t.Errorf("stage %s", st.Recoveries["db01-outage"].Stage)
	}
	for _, op := range fake.Ops() {
		if op.Kind == providers.OpRestoreBackup {
			t.Error("the confirmed manual step ran")
		}
	}
	// Confirmed steps never re-ask: a new plan leaves it out.
	if _, s := findStep(mustPlan(t, plantest.Config(config.StageComplete), st), "restore_backup"); s != nil {
		t.Error("confirmed step planned again")
	}
}

func TestConfirm(t *testing.T) {
	caps := providers.Capabilities{RestoreBackup: true, MoveFiles: true, ReplayLogs: true} // delete files by hand
	st := stateAt(t, config.StageMerged, 2)
	p, _ := planner.Compute(plantest.Config(config.StageComplete), st, caps, planner.ComputeOptions{})
	now := time.Unix(1e9, 0)
	if _, err := planner.Confirm(p, st, "recovery.db01-outage.nope", "a", now); err == nil || !strings.Contains(err.Error(), "is not in the plan") {
		t.Errorf("unknown ID: %v", err)
	}
	if _, err := planner.Confirm(p, st, "recovery.db01-outage.remove_recovery_database", "a", now); err == nil || !strings.Contains(err.Error(), "is not manual") {
		t.Errorf("not manual: %v", err)
	}
	if _, err := planner.Confirm(p, st, "recovery.db01-outage.delete_recovery_database_files", "a", now); err == nil || !strings.Contains(err.Error(), "depends on") {
		t.Errorf("dependencies not done: %v", err)
	}
	if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, nil, nil, planner.ApplyOptions{}); err == nil {
		t.Fatal("apply went past the manual step")
	}
	changes, err := planner.Confirm(p, st, "recovery.db01-outage.delete_recovery_database_files", "bob@ws2", now)
	if err != nil {
		t.Fatal(err)
	}
	// The last step of the stage: the stage mark rides with it.
	if len(changes) != 2 || changes[1].Stage == nil || changes[1].Stage.Stage != config.StageComplete {
		t.Fatalf("changes %+v", changes)
	}
	for _, c := range changes {
		st.ApplyChange(c)
	}
	if _, err := planner.Confirm(p, st, "recovery.db01-outage.delete_recovery_database_files", "bob@ws2", now); err == nil || !strings.Contains(err.Error(), "already done (confirmed by bob@ws2") {
		t.Errorf("already done: %v", err)
	}
	if st.Recoveries["db01-outage"].Stage != config.StageComplete {
		t.Errorf("stage %s", st.Recoveries["db01-outage"].Stage)
	}
}

// A step that passed its checks and started before a crash resumes without being
// checked again: its own partial effect (files already moved) is what a check would
// now refuse, and its operation is idempotent.
func TestApplyResumesAStartedStepWithoutRechecking(t *testing.T) {
	st := plantest.State(2)
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	ck := &checker{Fake: plantest.NewFake()}
	var j recordingJournal
	// Run until the mount's checks have passed, then "crash" inside its operation.
	ck.Fake.Fail = func(op providers.Operation) error {
		if op.Kind == providers.OpMountDatabase {
			return errors.New("killed")
		}
		return nil
	}
	if err := planner.Apply(context.Background(), p, ck, st, &j, nil, planner.ApplyOptions{}); err == nil {
		t.Fatal("the mount did not fail")
	}
	started := st.Recoveries["db01-outage"].Started
	if _, ok := started["recovery.db01-outage.mount_dial_tone_database"]; !ok {
		t.Fatalf("the started mount is not recorded: %v", started)
	}
	if !j.has(func(c state.Change) bool { return c.StepStarted != nil }) {
		t.Error("the start was not journaled")
	}
	// Now the check would refuse (the step's own effect fills the slot), yet it resumes.
	ck.Fake.Fail = nil
	ck.fail = providers.CheckMountSlot
	if err := planner.Apply(context.Background(), p, ck, st, &j, nil, planner.ApplyOptions{}); err != nil {
		t.Fatalf("resume refused: %v", err)
	}
	r := st.Recoveries["db01-outage"]
	if r.Stage != config.StageDialTone || len(r.Started) != 0 {
		t.Errorf("stage %q, still started: %v", r.Stage, r.Started)
	}
}

type recordingJournal struct{ records [][]state.Change }

func (j *recordingJournal) AppendJournal(_ context.Context, c []state.Change) error {
	j.records = append(j.records, c)
	return nil
}

func (j *recordingJournal) has(f func(state.Change) bool) bool {
	for _, r := range j.records {
		for _, c := range r {
			if f(c) {
				return true
			}
		}
	}
	return false
}

// The dial tone database lost before the swap stays lost once the swap is done: the
// merged stage has nothing to merge (no recovery database mounted for it), the
// clean-up only removes the recovery database, and every plan declares the loss.
func TestDialToneLostStaysLostAfterTheSwap(t *testing.T) {
	st := stateAt(t, config.StageRestored, 3)
	dt := st.Databases["DTDB01"]
	dt.FilesOK, dt.Mounted = false, false
	p := mustPlan(t, plantest.Config(config.StageSwapped), st)
	if err := applyAll(p, st); err != nil {
		t.Fatal(err)
	}
	if got := st.Recoveries["db01-outage"].Stage; got != config.StageSwapped {
		t.Fatalf("stage %s", got)
	}
	// The swap put the recovered files into DTDB01's folders and mounted it.
	dt = st.Databases["DTDB01"]
	dt.FilesOK, dt.Mounted = true, true
	for _, stage := range []string{config.StageMerged, config.StageComplete} {
		p := mustPlan(t, plantest.Config(stage), st)
		ids := strings.Join(stepIDs(p), " ")
		if strings.Contains(ids, "mount_recovery_database_for_merge") || strings.Contains(ids, "merge[") || strings.Contains(ids, "remove_restore_requests") {
			t.Errorf("stage %s: steps %s", stage, ids)
		}
		if loss := p.Recoveries[0].DataLoss; len(loss) != 1 || !strings.Contains(loss[0].What, "all mail received during dial tone (in DTDB01)") {
			t.Errorf("stage %s: data loss %+v", stage, loss)
		}
	}
	p = mustPlan(t, plantest.Config(config.StageComplete), st)
	want := "recovery.db01-outage.remove_recovery_database recovery.db01-outage.delete_recovery_database_files"
	if got := strings.Join(stepIDs(p), " "); got != want {
		t.Errorf("complete: %s, want %s", got, want)
	}
	if err := applyAll(p, st); err != nil {
		t.Fatal(err)
	}
	if got := st.Recoveries["db01-outage"].Stage; got != config.StageComplete {
		t.Errorf("stage %s", got)
	}
}

// A dial tone database that was created but never mounted (apply killed between the
// create and the mount) holds no mail: nothing is lost, the plan mounts it.
func TestDialToneCreatedNotMountedIsNotLost(t *testing.T) {
	st := plantest.State(3)
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	_, create := findStep(p, "create_dial_tone_database")
	st.ApplyChange(state.Change{StepDone: &state.StepDone{Recovery: "db01-outage", Record: state.StepRecord{ID: create.ID, Result: "done"}}})
	st.Databases["DTDB01"] = &state.Database{Name: "DTDB01", Server: "EX01"} // created: no files, not mounted
	p = mustPlan(t, plantest.Config(config.StageDialTone), st)
	if loss := p.Recoveries[0].DataLoss; len(loss) != 0 {
		t.Errorf("data loss declared for a database never mounted: %+v", loss)
	}
	if _, m := findStep(p, "mount_dial_tone_database"); m == nil {
		t.Errorf("no mount: %v", stepIDs(p))
	}
	// The same at the restored stage: nothing of the swap changes.
	p = mustPlan(t, plantest.Config(config.StageSwapped), st)
	if _, h := findStep(p, "hold_recovered_files"); h == nil || len(p.Recoveries[0].DataLoss) != 0 {
		t.Errorf("steps %v, loss %+v", stepIDs(p), p.Recoveries[0].DataLoss)
	}
}

// Dial tone first (issue 15): a loss nobody decided on yet, or a backup set the
// organization does not report, is a warning while the plan stops at dial_tone (it
// loses nothing and needs no backup) and an error once it reaches restored.
func TestDialToneBeforeTheDecision(t *testing.T) {
	caps := plantest.NewFake().Caps
	cfg := plantest.AltConfig(config.OptionAlternateServerStay, config.StageDialTone, true)
	p, diags := planner.Compute(cfg, logsMissingState(), caps, planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatalf("dial_tone refused: %v", diags)
	}
	if d := hasDiag(diags, hcl.DiagWarning, "Logs missing after the backup: stage restored will lose mail"); d == nil {
		t.Errorf("no warning: %v", diags)
	}
	if len(p.Steps) == 0 || p.Steps[len(p.Steps)-1].Stage != config.StageDialTone {
		t.Errorf("steps %v", stepIDs(p))
	}
	if loss := p.Recoveries[0].DataLoss; len(loss) != 1 || !strings.HasPrefix(loss[0].Decision, "not decided yet") {
		t.Errorf("data loss %+v", loss)
	}

	st := logsMissingState()
	st.Databases["DB01"].Logs = &state.LogRange{First: 0x41, Last: 0x60}
	cfg.Recoveries["db01-outage"].Restore.Backup = "nigthly"
	_, diags = planner.Compute(cfg, st, caps, planner.ComputeOptions{})
	d := hasDiag(diags, hcl.DiagWarning, "Backup set not found: stage restored will be refused")
	if diags.HasErrors() || d == nil || !strings.Contains(d.Detail, `"nigthly" of DB01`) || !strings.Contains(d.Detail, "(it knows nightly)") {
		t.Errorf("misspelled backup at dial_tone: %v", diags)
	}
	// A provider that cannot list backups (nil map): nothing to say.
	st.Backups = nil
	if _, diags = planner.Compute(cfg, st, caps, planner.ComputeOptions{}); len(diags) != 0 {
		t.Errorf("backups unknown: %v", diags)
	}

	cfg.Recoveries["db01-outage"].Stage = config.StageRestored
	cfg.Recoveries["db01-outage"].Restore.Backup = "nightly"
	_, diags = planner.Compute(cfg, logsMissingState(), caps, planner.ComputeOptions{})
	if hasDiag(diags, hcl.DiagError, "Logs missing after the backup") == nil {
		t.Errorf("restored with the loss undecided: %v", diags)
	}
	st = logsMissingState()
	st.Databases["DB01"].Logs = &state.LogRange{First: 0x41, Last: 0x60}
	cfg.Recoveries["db01-outage"].Restore.Backup = "nigthly"
	p, _ = planner.Compute(cfg, st, caps, planner.ComputeOptions{})
	if f := p.FailedPreconditions(); len(f) != 1 || !strings.Contains(f[0], "backup set nigthly of DB01 exists (the state knows nightly)") {
		t.Errorf("failed %q", f)
	}
	st.Backups = map[string]*state.Backup{}
	p, _ = planner.Compute(cfg, st, caps, planner.ComputeOptions{})
	if f := p.FailedPreconditions(); len(f) != 1 || !strings.Contains(f[0], "(the organization reports no backup set of DB01)") {
		t.Errorf("failed %q", f)
	}
}

// A step that failed and is not in the next plan (issue 12 §7) loses its start mark when
// that plan is carried out in full: a later refresh must report a change to the objects
// it touched as made outside dialtone, not as its partial effect. A recovery the plan
// does not move keeps its marks: its next apply resumes them.
func TestApplyForgetsStartsOfStepsNoLongerPlanned(t *testing.T) {
	st := plantest.State(2)
	failedAt := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	st.ApplyChange(state.Change{StepStarted: &state.StepStarted{Recovery: "db01-outage", ID: "recovery.db01-outage.gone_step",
		Started: failedAt, Objects: []string{"database.DB02"}}})
	st.ApplyChange(state.Change{StepStarted: &state.StepStarted{Recovery: "other", ID: "recovery.other.step",
		Started: failedAt, Objects: []string{"database.DB09"}}})
	drift := []planner.Drift{{Kind: planner.DriftDatabaseDismounted, Object: "database.DB02"}}
	if _, own := planner.OwnDrift(drift, st); len(own) != 1 {
		t.Fatalf("before: the dismount of DB02 is not attributed to the started step: %+v", own)
	}
	p := mustPlan(t, plantest.Config(config.StageDialTone), st)
	var j recordingJournal
	if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, &j, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	r := st.Recoveries["db01-outage"]
	if _, ok := r.Started["recovery.db01-outage.gone_step"]; ok || r.Touching["recovery.db01-outage.gone_step"] != nil {
		t.Errorf("the start mark of a step the plan does not run survived the apply: %v %v", r.Started, r.Touching)
	}
	if !j.has(func(c state.Change) bool {
		return c.ForgetStarted != nil && c.ForgetStarted.Recovery == "db01-outage" && len(c.ForgetStarted.IDs) == 1
	}) {
		t.Error("the forgetting was not journaled")
	}
	if outside, own := planner.OwnDrift(drift, st); len(own) != 0 || len(outside) != 1 {
		t.Errorf("after: own %+v, outside %+v; want the dismount reported as outside", own, outside)
	}
	if _, ok := st.Recoveries["other"].Started["recovery.other.step"]; !ok {
		t.Error("a recovery the plan did not move lost its start mark")
	}
}
