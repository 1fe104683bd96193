package ems

import (
	"strings"
	"testing"
)

// describe writes invocations as "Cmd -Param=value -Switch -Code=?".
func describe(invs []Invocation) []string {
	var got []string
	for _, inv := range invs {
		s := inv.Cmd
		for _, p := range inv.Params {
			s += " -" + p.Name
			if p.HasValue {
				if p.Literal {
					s += "=" + strings.Join(p.Values, ",")
				} else {
					s += "=?"
				}
			}
		}
		got = append(got, s)
	}
	return got
}

func TestScriptInvocations(t *testing.T) {
	src := `#Requires -Version 5.1
<# a header
Get-Mailbox -Monitoring in a comment is not a command #>
$ErrorActionPreference = 'Stop'
if (-not (Get-MailboxDatabase -Identity 'DB''01' -Status).Mounted) {
    Mount-Database -Identity 'DB01' # a comment
} else { Write-Host 'skip: x' }
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -Arbitration | Set-Mailbox -Arbitration -Database 'DTDB01' -Confirm:$false
foreach ($dtM in $dtMerges) {
    New-MailboxRestoreRequest -Name 'dialtone' -SourceStoreMailbox $dtM.Guid -ConflictResolutionOption KeepAll -BadItemLimit 10 | Out-Null
}
Invoke-Command -ComputerName 'EX01' -ScriptBlock { robocopy 'a' 'b' /E; Remove-Item -LiteralPath 'x','y' -Recurse }
`
	invs, err := ScriptInvocations(src)
	if err != nil {
		t.Fatal(err)
	}
	got := describe(invs)
	want := []string{
		"Get-MailboxDatabase -Identity=DB'01 -Status",
		"Mount-Database -Identity=DB01",
		"Write-Host",
		"Get-Mailbox -Database=DB01 -ResultSize=Unlimited -Arbitration",
		"Set-Mailbox -Arbitration -Database=DTDB01 -Confirm=?",
		"New-MailboxRestoreRequest -Name=dialtone -SourceStoreMailbox=? -ConflictResolutionOption=KeepAll -BadItemLimit=10",
		"Out-Null",
		"Remove-Item -LiteralPath=x,y -Recurse",
		"Invoke-Command -ComputerName=EX01 -ScriptBlock=?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, v := range Versions {
		probs, err := CheckScript(src, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) != 0 {
			t.Errorf("%s: %v", v, probs)
		}
	}
}

func TestCheckFindsWhatTheReferenceRefuses(t *testing.T) {
	for _, c := range []struct {
		line string
		v    Version
		want string
	}{
		{"Get-Mailbox -Database 'DB01' -ResultSize Unlimited -Monitoring | Set-Mailbox -Monitoring -Database 'DTDB01'", V2019, "Set-Mailbox: has no parameter -Monitoring"},
		{"Get-Mailbox -Database 'DB01' -AuditLog", V2013, "-AuditLog does not exist in Exchange 2013"},
		{"New-MailboxRestoreRequest -SourceDatabase 'RDB01' -SourceStoreMailbox 'g' -TargetMailbox 'a' -ConflictResolutionOption ForceCopy", V2013, "-ConflictResolutionOption ForceCopy is not a valid value in Exchange 2013"},
		{"Set-MailboxDatabase -Identity 'DTDB01' -IsExcludedFromProvisioningReason 'temporary dial tone'", V2013, "does not exist in Exchange 2013"},
		{"Get-Queue -Identity 'EX01\\1' -Server 'EX01'", V2019, "fit no single parameter set"},
		{"New-MailboxDatabase -Recovery -Name 'RDB01' -Server 'EX01' -IsExcludedFromProvisioning $true", V2019, "fit no single parameter set"},
		{"Mount-Database -Identity 'DB01' -Recovery", V2019, "has no parameter -Recovery"},
		{"Get-Mailboxes -Database 'DB01'", V2019, "not in Microsoft's Exchange cmdlet reference"},
		{"Mount-Database -Identity 'DB01' -NewCapacity", V2013, "-NewCapacity does not exist in Exchange 2013"},
	} {
		probs, err := CheckScript(c.line, c.v)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Error())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("%s (%s): problems %q, want one saying %q", c.line, c.v, msgs, c.want)
		}
	}
}

func TestVersionOf(t *testing.T) {
	for build, want := range map[string]Version{"15.0.1497.2": V2013, "15.1.2507.6": V2016, "15.2.1544.4": V2019, "15.2.2562.17": VSE, "15.2": V2019} {
		if got, ok := VersionOf(build); !ok || got != want {
			t.Errorf("VersionOf(%s) = %s, %t; want %s", build, got, ok, want)
		}
	}
	for _, build := range []string{"", "14.3.123", "16.0.1", "x.y"} {
		if _, ok := VersionOf(build); ok {
			t.Errorf("VersionOf(%q) accepted", build)
		}
	}
}

func TestSetupLicenseSwitchFollowsTheBuild(t *testing.T) {
	for build, want := range map[string]string{
		"15.0.1497.2":  "Setup.exe /IAcceptExchangeServerLicenseTerms /Mode:RecoverServer",
		"15.1.2308.8":  "Setup.exe /IAcceptExchangeServerLicenseTerms /Mode:RecoverServer", // 2016 CU21
		"15.1.2375.7":  "Setup.exe /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF /Mode:RecoverServer",
		"15.2.922.7":   "Setup.exe /IAcceptExchangeServerLicenseTerms /Mode:RecoverServer", // 2019 CU10
		"15.2.986.5":   "Setup.exe /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF /Mode:RecoverServer",
		"15.2.2562.17": "Setup.exe /IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF /Mode:RecoverServer",
	} {
		if got := SetupRecoverServer(build, "").String(); got != want {
			t.Errorf("%s: %s, want %s", build, got, want)
		}
	}
	if got := SetupRecoverServer("15.2.986.5", `C:\Program Files\Microsoft\Exchange Server\V15`).String(); !strings.HasSuffix(got, ` /TargetDir:'C:\Program Files\Microsoft\Exchange Server\V15'`) {
		t.Errorf("with the install path: %s", got)
	}
}

// TestCheckScriptReadsScriptBlocks: the runbook's Invoke-Command blocks hide nothing
// from the checker. An Exchange cmdlet written inside one (where it would not even
// exist) is still checked against the reference, and an unknown Verb-Noun there is
// refused; native programs and the PowerShell cmdlets dialtone writes pass.
func TestCheckScriptReadsScriptBlocks(t *testing.T) {
	src := `Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (Test-Path -LiteralPath 'D:\a') {
        robocopy 'D:\a' 'D:\b' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE) }
        Set-Mailbox -Monitoring -Database 'DB01'
    } else {
        Write-Warning 'gone'
        Remove-Everything -Now
    }
}
Start-Transcript -LiteralPath $dtTranscript -Append
`
	probs, err := CheckScript(src, V2019)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"line 6: Set-Mailbox: ", "Monitoring", "line 9: Remove-Everything: not in Microsoft's Exchange cmdlet reference"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	for _, bad := range []string{"robocopy", "Test-Path", "Write-Warning", "Invoke-Command", "Start-Transcript"} {
		if strings.Contains(all, bad) {
			t.Errorf("%s refused:\n%s", bad, all)
		}
	}
}

// TestBooleanTakesBothValues: the reference lists a single valid value for some Boolean
// parameters (Set-MailboxDatabase -MountAtStartup ["$false"]), taken from the sentence
// of their description that names the value changing the default. The checker accepts
// $true and $false for them, and still refuses what is not a Boolean.
func TestBooleanTakesBothValues(t *testing.T) {
	p := Ref().Cmdlet("Set-MailboxDatabase").Param("MountAtStartup")
	if len(p.ValidValues) != 1 {
		t.Logf("the reference now lists %q for -MountAtStartup", p.ValidValues)
	}
	for _, v := range Versions {
		for _, b := range []bool{true, false} {
			for _, param := range []string{"MountAtStartup", "CircularLoggingEnabled", "IndexEnabled"} {
				line := New("Set-MailboxDatabase").Str("Identity", "DB01").Bool(param, b).Line()
				if probs := CheckLines([]Line{line}, v); len(probs) > 0 {
					t.Errorf("%s (%s): %v", line, v, probs)
				}
				if probs, err := CheckScript(line.String(), v); err != nil || len(probs) > 0 {
					t.Errorf("%s (%s) as a script: %v %v", line, v, probs, err)
				}
			}
		}
		probs, _ := CheckScript("Set-MailboxDatabase -Identity 'DB01' -MountAtStartup 'yes'", v)
		if len(probs) == 0 || !strings.Contains(probs[0].Msg, "valid: $true, $false") {
			t.Errorf("%s: -MountAtStartup 'yes' gave %v, want it refused as not a Boolean", v, probs)
		}
	}
}

// The archives' filter names its variable inside a double-quoted string whose
// subexpression holds quotes of its own: the reader takes the string whole, and finds
// the commands around it.
func TestArchiveFilterReadsAsOneString(t *testing.T) {
	var src []string
	for _, l := range RehomeArchives("DB'01", "DT\"01") {
		src = append(src, l.String())
	}
	invs, err := ScriptInvocations(strings.Join(src, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "Get-MailboxDatabase -Identity=DB'01|Select-Object -ExpandProperty=DistinguishedName|Get-Mailbox -ResultSize=Unlimited -Filter=?|Set-Mailbox -ArchiveDatabase=DT\"01 -Confirm=?"
	if got := strings.Join(describe(invs), "|"); got != want {
		t.Errorf("read\n  %s\nwant\n  %s", got, want)
	}
	for _, v := range Versions {
		if probs := CheckLines(RehomeArchives("DB01", "DT01"), v); len(probs) > 0 {
			t.Errorf("%s: %v", v, probs)
		}
	}
}
