package render_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/planner/render/runbookcheck"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// runbookPlans are plans of every option with the Exchange provider's capabilities, the
// lab's (files kept by a rename before dial tone, the backup restored by the provider)
// and none (every file step manual).
func runbookPlans(t *testing.T) map[string]*planner.Plan {
	t.Helper()
	lab := providers.Capabilities{RestoreBackup: true, MoveFiles: true, RenameFiles: true, DeleteFiles: true, ReplayLogs: true}
	out := map[string]*planner.Plan{}
	for cn, caps := range map[string]providers.Capabilities{"exchange": exchangeCaps, "lab": lab, "none": {}} {
		for name, c := range map[string]struct {
			cfg *config.Config
			st  *state.State
		}{
			"same_server":           {plantest.Config(config.StageComplete), plantest.State(3)},
			"alternate_server":      {plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true), plantest.AltState(3)},
			"alternate_server_stay": {plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, true), plantest.AltState(3)},
			"merge_forward":         {plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, false), plantest.AltState(3)},
		} {
			p, diags := planner.Compute(c.cfg, c.st, caps, planner.ComputeOptions{})
			if diags.HasErrors() {
				t.Fatalf("%s/%s: %s", name, cn, diags.Error())
			}
			out[name+"/"+cn] = p
		}
	}
	return out
}

func sections(t *testing.T, p *planner.Plan, out string) []runbookcheck.Section {
	t.Helper()
	secs, err := runbookcheck.Sections(p, out)
	if err != nil {
		t.Fatal(err)
	}
	return secs
}

// TestRunbookFileCommandsRunOnTheirServer reads every runbook line by line with its
// braces (runbookcheck): each file or service command is inside an Invoke-Command for
// the step's own server (the server holding the files), whose block starts by stopping
// on errors; no Exchange cmdlet is inside one (the remote session has none); each
// robocopy is followed by its exit code check (8 and above fail) and each eseutil by
// its own (any non-zero fails), in the same block; every step a person does pauses and
// is audited; nothing stops before dial tone.
func TestRunbookFileCommandsRunOnTheirServer(t *testing.T) {
	remoteBlocks := 0
	for name, p := range runbookPlans(t) {
		probs, n := runbookcheck.Check(p, runbook(t, p))
		for _, e := range probs {
			t.Errorf("%s: %v", name, e)
		}
		remoteBlocks += n
	}
	if remoteBlocks == 0 {
		t.Fatal("no Invoke-Command block in any runbook")
	}
	// The checker itself: a file command outside a block, on another server, or without
	// its exit code check is reported.
	p := planWith(t, plantest.Config(config.StageComplete), nil, exchangeCaps)
	good := runbook(t, p)
	for _, c := range []struct{ from, to, want string }{
		{"Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {\n    $ErrorActionPreference = 'Stop'\n    # Keep", "if ($true) {\n    $x = 1\n    # Keep", "runs on the machine running the script"},
		{"Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {\n    $ErrorActionPreference = 'Stop'\n    # Keep", "Invoke-Command -ComputerName 'EX02' -ErrorAction Stop -ScriptBlock {\n    $ErrorActionPreference = 'Stop'\n    # Keep", "runs on EX02, but the step's files are on EX01"},
		{"'E00*.log' /COPY:DAT /R:1 /W:1\n        if ($LASTEXITCODE -ge 8)", "'E00*.log' /COPY:DAT /R:1 /W:1\n        if ($LASTEXITCODE -ge 16)", "robocopy without its exit code check"},
		{"$dtWho = Read-Host -Prompt 'Do it by hand", "$null = Read-Host -Prompt 'Do it by hand", "done by a person, but lacks"},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		if bad == good {
			t.Fatalf("the runbook lacks %q", c.from)
		}
		probs, _ := runbookcheck.Check(p, bad)
		if !strings.Contains(fmt.Sprint(probs), c.want) {
			t.Errorf("the checker misses %q: %v", c.want, probs)
		}
	}
}

// TestRunbookPausesAndAuditsEveryManualStep: every step a person does (every manual
// step, and the backup restore and server rebuild whatever the provider could do)
// pauses with Read-Host and writes who confirmed it and when.
func TestRunbookPausesAndAuditsEveryManualStep(t *testing.T) {
	restores := 0
	for name, p := range runbookPlans(t) {
		for _, sec := range sections(t, p, runbook(t, p)) {
			s := sec.Step
			if s == nil {
				continue
			}
			person := s.Manual || s.Operation.Kind == providers.OpRestoreBackup || s.Operation.Kind == providers.OpRecoverServer
			if !person {
				continue
			}
			if s.Operation.Kind == providers.OpRestoreBackup {
				restores++
			}
			text := strings.Join(sec.Lines, "\n")
			for _, want := range []string{
				"\n$dtWho = Read-Host -Prompt ",
				"\nif (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }",
				"\nWrite-Host ('confirmed: " + s.ID + " by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s: a step done by a person lacks %q", name, s.ID, want)
				}
			}
			if strings.Contains(text, "Invoke-Command -ComputerName") && !strings.Contains(text, "#     Invoke-Command") {
				t.Errorf("%s %s: a manual step runs commands", name, s.ID)
			}
		}
	}
	if restores == 0 {
		t.Fatal("no backup restore in the runbooks")
	}
	out := runbook(t, planWith(t, plantest.Config(config.StageComplete), nil, exchangeCaps))
	for _, want := range []string{"\nStart-Transcript -LiteralPath $dtTranscript -Append\n", "\nStop-Transcript\n",
		"Write-Host ('go-ahead for the outage from recovery.db01-outage.dismount_dial_tone_database by ' + $dtWho"} {
		if !strings.Contains(out, want) {
			t.Errorf("runbook lacks %q", want)
		}
	}
}

// TestRunbookMissingSources: a missing source is a warning naming the folder and what
// it means for the mail where nothing is lost by going on (surviving files and logs
// that are gone), and a stop where going on would lose mail (the files of a swap or of
// the dial tone copy); never a stop before the users have dial tone.
func TestRunbookMissingSources(t *testing.T) {
	out := runbook(t, planWith(t, plantest.Config(config.StageComplete), nil, exchangeCaps))
	for _, want := range []string{
		"Write-Warning 'recovery.db01-outage.preserve_failed_files: D:\\Databases\\DB01\\Logs on EX01 does not exist: no surviving file of DB01 is there to keep",
		"Write-Warning 'recovery.db01-outage.copy_surviving_logs: D:\\Databases\\DB01-preserved on EX01 does not exist: no surviving log of DB01 is there",
		"mail written after that is lost unless those logs are found",
		"} elseif (Test-Path -LiteralPath 'E:\\Recovery\\RDB01\\DB01.edb') {\n        Write-Host 'skip: D:\\DialTone\\DTDB01\\DTDB01.edb is moved to E:\\Recovery\\RDB01\\DB01.edb already'\n    } else {\n        throw 'STOPPED at recovery.db01-outage.move_dial_tone_files_to_recovery_database: D:\\DialTone\\DTDB01\\DTDB01.edb on EX01 does not exist, nor does its destination",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("runbook lacks %q", want)
		}
	}
	// The same move before and after dial tone: only after it may a missing source stop.
	move := &planner.Step{ID: "recovery.r.move", Recovery: "r", Stage: config.StageDialTone, Phase: planner.PhaseRestoreService,
		Operation: providers.Operation{Kind: providers.OpMoveFiles, Database: "DTDB01", Server: "EX01"},
		Commands:  []string{ems.MoveFile(`D:\a.edb`, `E:\b.edb`).String()}}
	mount := &planner.Step{ID: "recovery.r.mount", Recovery: "r", Stage: config.StageDialTone, Outage: planner.OutageEnds,
		Operation: providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01", Server: "EX01"},
		Commands:  []string{ems.MountDatabase("DTDB01").String()}}
	before := runbook(t, &planner.Plan{Steps: []*planner.Step{move, mount}})
	if strings.Contains(before, "throw 'STOPPED") || !strings.Contains(before, "Write-Warning 'recovery.r.move: D:\\a.edb on EX01 does not exist, nor does its destination") ||
		!strings.Contains(before, "Going on: users get dial tone first") {
		t.Errorf("before dial tone, a missing source must warn and go on:\n%s", before)
	}
	after := runbook(t, &planner.Plan{Steps: []*planner.Step{mount, move}})
	if !strings.Contains(after, "throw 'STOPPED at recovery.r.move: D:\\a.edb on EX01 does not exist, nor does its destination") {
		t.Errorf("after dial tone, a missing source that would lose mail must stop:\n%s", after)
	}
	// Every plan: nothing stops for a missing source before its recovery's dial tone.
	for name, p := range runbookPlans(t) {
		served := map[string]bool{}
		for _, sec := range sections(t, p, runbook(t, p)) {
			if sec.Step == nil {
				continue
			}
			if sec.Step.Stage == config.StageDialTone && !served[sec.Step.Recovery] && strings.Contains(strings.Join(sec.Lines, "\n"), "throw 'STOPPED") {
				t.Errorf("%s %s: stops before its users have dial tone", name, sec.Step.ID)
			}
			if sec.Step.Outage == planner.OutageEnds {
				served[sec.Step.Recovery] = true
			}
		}
	}
}

// TestRunbookRefusesFileCommandsWithoutServer: a runbook never guesses where a path is.
func TestRunbookRefusesFileCommandsWithoutServer(t *testing.T) {
	p := &planner.Plan{Steps: []*planner.Step{{ID: "recovery.r.copy", Recovery: "r", Stage: config.StageRestored,
		Operation: providers.Operation{Kind: providers.OpCopyFiles, Database: "DB01"},
		Commands:  []string{ems.Robocopy(`D:\a`, `D:\b`).String()}}}}
	var b strings.Builder
	if err := render.PowerShell(&b, p); err == nil || !strings.Contains(err.Error(), "names no server") {
		t.Fatalf("want a refusal naming the missing server, got %v", err)
	}
}
