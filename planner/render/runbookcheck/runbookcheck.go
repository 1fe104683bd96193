// Package runbookcheck reads a runbook written by render.PowerShell and reports where
// its structure breaks the runbook's rules: every file or service command runs inside
// an Invoke-Command for the server of its step (the server holding the files), each
// such block stops on errors, no Exchange cmdlet runs inside one, each robocopy and
// eseutil is followed by its exit code check, every step a person does pauses with
// Read-Host and writes who confirmed it, and nothing stops for a missing source before
// the step's users have dial tone. It is a reader of the forms render writes, not a
// PowerShell parser (none runs here); the tests of render and of every example's
// runbook use it.
package runbookcheck

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

var (
	stepBanner = regexp.MustCompile(`^# Steps? (\d+)(?: to \d+)? of \d+: (\S+)`)
	invokeOpen = regexp.MustCompile(`^\s*Invoke-Command -ComputerName '((?:[^']|'')*)' -ErrorAction Stop -ScriptBlock \{$`)
	// A file or service command anywhere in a line's code (quoted text taken out).
	serverCmd = regexp.MustCompile(`(?i)(^|[\s({;|])(robocopy|eseutil|Move-Item|Remove-Item|New-Item|Rename-Item|Copy-Item|Test-Path|Get-ChildItem|Get-FileHash|Restart-Service|Start-Service|Stop-Service|\[System\.IO\.|\[IO\.)`)
	quoted    = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// Section is one step of a runbook as written (Step is nil for a loop of merges).
type Section struct {
	Step  *planner.Step
	Lines []string
}

// Sections splits a runbook into its steps.
func Sections(p *planner.Plan, runbook string) ([]Section, error) {
	byID := map[string]*planner.Step{}
	for _, s := range p.Steps {
		if s != nil {
			byID[s.ID] = s
		}
	}
	var secs []Section
	for _, l := range strings.Split(runbook, "\n") {
		if m := stepBanner.FindStringSubmatch(l); m != nil {
			st := byID[m[2]]
			if st == nil && !strings.HasPrefix(l, "# Steps ") {
				return nil, fmt.Errorf("banner of a step the plan does not have: %s", l)
			}
			secs = append(secs, Section{Step: st})
			continue
		}
		if len(secs) > 0 {
			secs[len(secs)-1].Lines = append(secs[len(secs)-1].Lines, l)
		}
	}
	return secs, nil
}

// Check returns every way runbook, written from p, breaks the rules above, and how many
// Invoke-Command blocks it read.
func Check(p *planner.Plan, runbook string) (problems []error, blocks int) {
	secs, err := Sections(p, runbook)
	if err != nil {
		return []error{err}, 0
	}
	bad := func(s *planner.Step, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s", s.ID, fmt.Sprintf(format, args...)))
	}
	served := map[string]bool{}
	for _, sec := range secs {
		s := sec.Step
		if s == nil {
			continue // the merges' loop: Exchange cmdlets only, checked by ems
		}
		text := strings.Join(sec.Lines, "\n")
		if s.Stage == config.StageDialTone && !served[s.Recovery] && strings.Contains(text, "throw 'STOPPED") {
			bad(s, "stops for a missing source before its users have dial tone")
		}
		if s.Outage == planner.OutageEnds {
			served[s.Recovery] = true
		}
		if person(s) {
			for _, want := range []string{
				"\n$dtWho = Read-Host -Prompt ",
				"\nWrite-Host ('confirmed: " + s.ID + " by ' + $dtWho + ' at ' + ",
			} {
				if !strings.Contains("\n"+text, want) {
					bad(s, "done by a person, but lacks %q", strings.TrimSpace(want))
				}
			}
		}
		var stack []string // "" for a local block, else the server of an Invoke-Command
		remote := func() string {
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] != "" {
					return stack[i]
				}
			}
			return ""
		}
		for i, l := range sec.Lines {
			code := strings.TrimSpace(l)
			if code == "" || strings.HasPrefix(code, "#") {
				continue
			}
			bare := quoted.ReplaceAllString(code, "''")
			at := remote()
			if serverCmd.MatchString(bare) && !strings.HasPrefix(code, "Invoke-Command ") {
				switch {
				case at == "":
					bad(s, "a file command runs on the machine running the script: %s", code)
				case !strings.EqualFold(at, s.Operation.Server):
					bad(s, "runs on %s, but the step's files are on %s: %s", at, s.Operation.Server, code)
				}
			}
			if at != "" {
				invs, err := ems.ScriptInvocations(code)
				if err != nil {
					bad(s, "unreadable line %s: %v", code, err)
				}
				for _, inv := range invs {
					if ems.Ref().Cmdlet(inv.Cmd) != nil {
						bad(s, "Exchange cmdlet %s inside Invoke-Command on %s", inv.Cmd, at)
					}
				}
			}
			next := ""
			if i+1 < len(sec.Lines) {
				next = strings.TrimSpace(sec.Lines[i+1])
			}
			switch {
			case strings.HasPrefix(code, "robocopy ") && !strings.HasPrefix(next, "if ($LASTEXITCODE -ge 8) { throw ("):
				bad(s, "robocopy without its exit code check (8 and above fail): %s", code)
			case strings.HasPrefix(code, "eseutil ") && !strings.HasPrefix(next, "if ($LASTEXITCODE -ne 0) { throw ("):
				bad(s, "eseutil without its exit code check: %s", code)
			}
			if m := invokeOpen.FindStringSubmatch(l); m != nil {
				blocks++
				if next != "$ErrorActionPreference = 'Stop'" {
					bad(s, "a script block that does not stop on errors: %s", next)
				}
				stack = append(stack, strings.ReplaceAll(m[1], "''", "'"))
				continue
			}
			for _, r := range bare {
				switch r {
				case '{':
					stack = append(stack, "")
				case '}':
					if len(stack) == 0 {
						bad(s, "unbalanced braces at %s", code)
						break
					}
					stack = stack[:len(stack)-1]
				}
			}
		}
		if len(stack) != 0 {
			bad(s, "%d blocks left open", len(stack))
		}
	}
	return problems, blocks
}

// person reports whether a person does s: a manual step, or a backup restore or server
// rebuild, which a script cannot do whatever the provider can.
func person(s *planner.Step) bool {
	switch s.Operation.Kind {
	case providers.OpRestoreBackup, providers.OpRecoverServer, providers.OpManual, providers.OpRepointProfiles:
		return true
	}
	return s.Manual
}
