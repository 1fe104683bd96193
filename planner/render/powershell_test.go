package render_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// exchangeCaps are the Exchange provider's capabilities: restoring a backup and
// rebuilding a server are manual.
var exchangeCaps = providers.Capabilities{MoveFiles: true, DeleteFiles: true, ReplayLogs: true}

func runbook(t testing.TB, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.PowerShell(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func planWith(t testing.TB, cfg *config.Config, st any, caps providers.Capabilities) *planner.Plan {
	t.Helper()
	p, diags := planner.Compute(cfg, plantestState(st), caps, planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return p
}

func TestPowerShellGoldens(t *testing.T) {
	for _, c := range []struct {
		file string
		cfg  *config.Config
		alt  bool
	}{
		{"powershell-same_server.ps1", plantest.Config(config.StageComplete), false},
		{"powershell-alternate_server.ps1", plantest.AltConfig(config.OptionAlternateServer, config.StageComplete, true), true},
		{"powershell-alternate_server_stay.ps1", plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, true), true},
		{"powershell-alternate_server_stay-merge_forward.ps1", plantest.AltConfig(config.OptionAlternateServerStay, config.StageComplete, false), true},
	} {
		t.Run(c.file, func(t *testing.T) {
			st := plantest.State(3)
			if c.alt {
				st = plantest.AltState(3)
			}
			p, diags := planner.Compute(c.cfg, st, exchangeCaps, planner.ComputeOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			out := runbook(t, p)
			golden(t, c.file, out)
			for _, want := range []string{"#Requires -Version 5.1\n", "\n$ErrorActionPreference = 'Stop'\n", "state lineage " + p.Lineage,
				"serial 7", "sha256 " + p.ConfigDigest, "Read-Host", "*** SERVICE BACK"} {
				if !strings.Contains(out, want) {
					t.Errorf("runbook lacks %q", want)
				}
			}
			for _, s := range p.Steps {
				if s.Outage == planner.OutageStarts && !strings.Contains(out, "*** USERS LOSE SERVICE") ||
					s.Outage == planner.OutageContinues && !strings.Contains(out, "are WITHOUT SERVICE during this step") {
					t.Errorf("runbook lacks the outage marker of %s (%s)", s.ID, s.Outage)
				}
				if !strings.Contains(out, s.ID) {
					t.Errorf("runbook lacks step %s", s.ID)
				}
			}
		})
	}
}

// TestPowerShellSameServerOrder checks that the same-server runbook runs the cmdlets of
// exchange-recovery.md 2.1 in the documented order.
func TestPowerShellSameServerOrder(t *testing.T) {
	out := runbook(t, planWith(t, plantest.Config(config.StageComplete), nil, exchangeCaps))
	order := []string{
		"New-MailboxDatabase -Name 'DTDB01'",
		"Set-Mailbox -Database 'DTDB01'",
		"Mount-Database -Identity 'DTDB01'",
		"New-MailboxDatabase -Recovery -Name 'RDB01'",
		"eseutil /r",
		"Mount-Database -Identity 'RDB01'",
		"Dismount-Database -Identity 'RDB01'",
		"Dismount-Database -Identity 'DTDB01'",
		"Set-MailboxDatabase -Identity 'DTDB01' -AllowFileRestore $true",
		"Mount-Database -Identity 'DTDB01'",
		"Mount-Database -Identity 'RDB01'",
		"New-MailboxRestoreRequest",
		"Remove-MailboxRestoreRequest",
		"Remove-MailboxDatabase -Identity 'RDB01'",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("%q does not follow the earlier cmdlets in the runbook (searching from byte %d)", want, at)
		}
		at += i + len(want)
	}
	// Never -Force on a mount; -Server on every New-MailboxDatabase; -ResultSize Unlimited on every Get-Mailbox.
	for _, l := range strings.Split(out, "\n") {
		code := strings.TrimSpace(l)
		if strings.HasPrefix(code, "#") {
			continue
		}
		if strings.Contains(code, "Mount-Database") && strings.Contains(code, "-Force") {
			t.Errorf("a mount with -Force: %s", code)
		}
		if strings.Contains(code, "New-MailboxDatabase") && !strings.Contains(code, "-Server ") {
			t.Errorf("New-MailboxDatabase without -Server: %s", code)
		}
		if strings.Contains(code, "Get-Mailbox ") && !strings.Contains(code, "-ResultSize Unlimited") {
			t.Errorf("Get-Mailbox without -ResultSize Unlimited: %s", code)
		}
	}
}

// TestPowerShellGuards: the idempotence guards of the same-server runbook.
func TestPowerShellGuards(t *testing.T) {
	out := runbook(t, planWith(t, plantest.Config(config.StageComplete), nil, exchangeCaps))
	for _, want := range []string{
		"if (-not (Get-MailboxDatabase -Identity 'DTDB01' -ErrorAction SilentlyContinue)) {\n    New-MailboxDatabase -Name 'DTDB01'",
		"if (-not (Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {\n    Mount-Database -Identity 'DTDB01'",
		"if ((Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {\n    Dismount-Database -Identity 'DTDB01'",
		"if (Get-MailboxRestoreRequest -TargetMailbox $dtM.Mailbox -Name ",
		"if (Get-MailboxDatabase -Identity 'RDB01' -ErrorAction SilentlyContinue) {\n    Remove-MailboxDatabase",
		"Write-Warning 'MANUAL STEP recovery.db01-outage.restore_backup: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("runbook lacks %q", want)
		}
	}
}

// TestPowerShellQuotingAgrees: the planner's command lines and the runbook quote every
// name the same way as providers.PSQuote, and an injected name stays one literal.
func TestPowerShellQuotingAgrees(t *testing.T) {
	names := []string{
		"DT'; Remove-MailboxDatabase -Identity DB02 -Confirm:$false; '",
		"DT$(Stop-Computer)",
		"DT; Stop-Service MSExchangeIS",
		"DT\u2019; Stop-Computer; \u2019",
		"DT\u2018\u201A\u201B''",
		"-Force",
	}
	for _, name := range names {
		cfg := plantest.Config(config.StageComplete)
		cfg.Recoveries["db01-outage"].DialTone.Name = name
		p := planWith(t, cfg, nil, exchangeCaps)
		want := providers.PSQuote(name)
		found := false
		for _, s := range p.Steps {
			for _, c := range s.Commands {
				if strings.Contains(c, "-Name "+want) || strings.Contains(c, "-Identity "+want) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%q: no planner command carries providers.PSQuote's literal %s", name, want)
		}
		out := runbook(t, p)
		if !strings.Contains(out, "Get-MailboxDatabase -Identity "+want+" -ErrorAction SilentlyContinue") {
			t.Errorf("%q: the runbook's guard does not quote it as %s", name, want)
		}
	}
}

func TestPowerShellEmptyPlan(t *testing.T) {
	st := plantest.State(2)
	p := planWith(t, plantest.Config(config.StageDialTone), st, exchangeCaps)
	fake := plantest.NewFake()
	if err := planner.Apply(context.Background(), p, fake, st, nil, nil, planner.ApplyOptions{}); err != nil {
		t.Skipf("the fake provider stops at a manual step: %v", err)
	}
	out := runbook(t, planWith(t, plantest.Config(config.StageDialTone), st, exchangeCaps))
	if !strings.Contains(out, "This plan has no steps") {
		t.Errorf("empty runbook:\n%s", out)
	}
}

func plantestState(st any) *stateT {
	if s, ok := st.(*stateT); ok && s != nil {
		return s
	}
	return plantest.State(3)
}

type stateT = state.State

// TestPowerShellPinsADomainControllerAndStopsOnStuckMerges: the runbook uses one domain
// controller for the whole run (as the provider pins -DomainController), and its merge
// wait ends on Suspended, AutoSuspended and Failed requests, naming each.
func TestPowerShellPinsADomainControllerAndStopsOnStuckMerges(t *testing.T) {
	out := runbook(t, planWith(t, plantest.Config(config.StageComplete), plantest.State(3), exchangeCaps))
	for _, want := range []string{
		"\nSet-ADServerSettings -PreferredServer $dtDC\n",
		"Where-Object { $_.Status -notin 'Completed','CompletedWithWarning','Failed','Suspended','AutoSuspended' }",
		"Where-Object { $_.Status -in 'Failed','Suspended','AutoSuspended' }",
		"$_.TargetMailbox + '\\' + $_.Name + ' ' + $_.Status",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("runbook lacks %q", want)
		}
	}
	if strings.Index(out, "Set-ADServerSettings") > strings.Index(out, "New-MailboxDatabase") {
		t.Error("the domain controller is pinned after the first cmdlet")
	}
}
