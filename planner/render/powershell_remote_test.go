package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
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
			p, diags := planner.Compute(c.cfg, c.st, caps)
			if diags.HasErrors() {
				t.Fatalf("%s/%s: %s", name, cn, diags.Error())
			}
			out[name+"/"+cn] = p
		}
	}
	return out
}

var (
	stepBanner = regexp.MustCompile(`^# Steps? (\d+)(?: to \d+)? of \d+: (\S+)`)
	invokeOpen = regexp.MustCompile(`^\s*Invoke-Command -ComputerName '([^']*)' -ErrorAction Stop -ScriptBlock \{$`)
	// A file or service command anywhere in a line's code (quoted text taken out).
	serverCmd = regexp.MustCompile(`(?i)(^|[\s({;|])(robocopy|eseutil|Move-Item|Remove-Item|New-Item|Rename-Item|Copy-Item|Test-Path|Restart-Service|Start-Service|Stop-Service|\[System\.IO\.)`)
	quoted    = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// section is one step of a runbook as written.
type section struct {
	step  *planner.Step
	lines []string
}

func sections(t *testing.T, p *planner.Plan, out string) []section {
	t.Helper()
	var secs []section
	for _, l := range strings.Split(out, "\n") {
		if m := stepBanner.FindStringSubmatch(l); m != nil {
			var st *planner.Step
			for _, s := range p.Steps {
				if s.ID == m[2] {
					st = s
				}
			}
			if st == nil && !strings.HasPrefix(l, "# Steps ") {
				t.Fatalf("banner of an unknown step: %s", l)
			}
			secs = append(secs, section{step: st})
			continue
		}
		if len(secs) > 0 {
			secs[len(secs)-1].lines = append(secs[len(secs)-1].lines, l)
		}
	}
	return secs
}

// TestRunbookFileCommandsRunOnTheirServer reads every runbook line by line with its
// braces: each file or service command is inside an Invoke-Command for the step's own
// server (the server holding the files), whose block starts by stopping on errors; no
// Exchange cmdlet is inside one (the remote session has none); each robocopy is
// followed by its exit code check (8 and above fail) and each eseutil by its own (any
// non-zero fails), in the same block.
func TestRunbookFileCommandsRunOnTheirServer(t *testing.T) {
	remoteBlocks := 0
	for name, p := range runbookPlans(t) {
		out := runbook(t, p)
		for _, sec := range sections(t, p, out) {
			if sec.step == nil {
				continue // the merges' loop: Exchange cmdlets only
			}
			s := sec.step
			var stack []string // "" for a local block, else the server of an Invoke-Command
			remote := func() string {
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] != "" {
						return stack[i]
					}
				}
				return ""
			}
			for i, l := range sec.lines {
				code := strings.TrimSpace(l)
				if code == "" || strings.HasPrefix(code, "#") {
					continue
				}
				bare := quoted.ReplaceAllString(code, "''")
				at := remote()
				if serverCmd.MatchString(bare) && !strings.HasPrefix(code, "Invoke-Command ") {
					if at == "" {
						t.Errorf("%s %s: a file command runs on the machine running the script: %s", name, s.ID, code)
					} else if !strings.EqualFold(at, s.Operation.Server) {
						t.Errorf("%s %s: runs on %s, the step's files are on %s: %s", name, s.ID, at, s.Operation.Server, code)
					}
				}
				if at != "" {
					invs, err := ems.ScriptInvocations(code)
					if err != nil {
						t.Fatal(err)
					}
					for _, inv := range invs {
						if ems.Ref().Cmdlet(inv.Cmd) != nil {
							t.Errorf("%s %s: Exchange cmdlet %s inside Invoke-Command on %s", name, s.ID, inv.Cmd, at)
						}
					}
				}
				next := ""
				if i+1 < len(sec.lines) {
					next = strings.TrimSpace(sec.lines[i+1])
				}
				switch {
				case strings.HasPrefix(code, "robocopy "):
					if !strings.HasPrefix(next, "if ($LASTEXITCODE -ge 8) { throw (") {
						t.Errorf("%s %s: robocopy without its exit code check (8 and above fail): %s / %s", name, s.ID, code, next)
					}
				case strings.HasPrefix(code, "eseutil "):
					if !strings.HasPrefix(next, "if ($LASTEXITCODE -ne 0) { throw (") {
						t.Errorf("%s %s: eseutil without its exit code check: %s / %s", name, s.ID, code, next)
					}
				}
				if m := invokeOpen.FindStringSubmatch(l); m != nil {
					remoteBlocks++
					if next != "$ErrorActionPreference = 'Stop'" {
						t.Errorf("%s %s: a script block that does not stop on errors: %s", name, s.ID, next)
					}
					stack = append(stack, m[1])
					continue
				}
				for _, r := range bare {
					switch r {
					case '{':
						stack = append(stack, "")
					case '}':
						if len(stack) == 0 {
							t.Fatalf("%s %s: unbalanced braces at %s", name, s.ID, code)
						}
						stack = stack[:len(stack)-1]
					}
				}
			}
			if len(stack) != 0 {
				t.Errorf("%s %s: %d blocks left open", name, s.ID, len(stack))
			}
		}
	}
	if remoteBlocks == 0 {
		t.Fatal("no Invoke-Command block in any runbook")
	}
}

// TestRunbookPausesAndAuditsEveryManualStep: every step a person does (every manual
// step, and the backup restore and server rebuild whatever the provider could do)
// pauses with Read-Host and writes who confirmed it and when.
func TestRunbookPausesAndAuditsEveryManualStep(t *testing.T) {
	restores := 0
	for name, p := range runbookPlans(t) {
		for _, sec := range sections(t, p, runbook(t, p)) {
			s := sec.step
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
			text := strings.Join(sec.lines, "\n")
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
			if sec.step == nil {
				continue
			}
			if sec.step.Stage == config.StageDialTone && !served[sec.step.Recovery] && strings.Contains(strings.Join(sec.lines, "\n"), "throw 'STOPPED") {
				t.Errorf("%s %s: stops before its users have dial tone", name, sec.step.ID)
			}
			if sec.step.Outage == planner.OutageEnds {
				served[sec.step.Recovery] = true
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
