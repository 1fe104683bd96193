package exchange_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers/exchange"
)

func TestReadMatchesLab(t *testing.T) {
	r := newRig(t, exampleTopology, 3, rigOpts{})
	got, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.lab.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	compareObserved(t, got, want)
	// Every Exchange cmdlet carried the pinned domain controller (the double refuses
	// one without it), and every Get-Mailbox asked for -ResultSize Unlimited.
	for _, c := range r.callsOf(t, "Get-Mailbox") {
		if c.Args["resultsize"] != "Unlimited" {
			t.Errorf("Get-Mailbox without -ResultSize Unlimited: %+v", c)
		}
	}
}

func TestResponseSizeLimit(t *testing.T) {
	r := newRig(t, exampleTopology, 50, rigOpts{settings: func(s *exchange.Settings) { s.MaxResponseBytes = 2000 }})
	_, err := r.prov.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than the limit of 2000 bytes") {
		t.Fatalf("a response over the limit: %v", err)
	}
}

func TestWrongCredentialRefused(t *testing.T) {
	t.Setenv("DTW_USERNAME", "CONTOSO\\admin")
	t.Setenv("DTW_PASSWORD", "wrong")
	r := newRig(t, exampleTopology, 1, rigOpts{
		settings: func(s *exchange.Settings) { s.CredentialEnv = "DTW" },
		env:      []string{"FAKESHELL_USER=CONTOSO\\admin", "FAKESHELL_PASSWORD=right"},
	})
	_, err := r.prov.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Access is denied") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	t.Setenv("DTW_PASSWORD", "right")
	r2 := newRig(t, exampleTopology, 1, rigOpts{
		settings: func(s *exchange.Settings) { s.CredentialEnv = "DTW" },
		env:      []string{"FAKESHELL_USER=CONTOSO\\admin", "FAKESHELL_PASSWORD=right"},
	})
	if _, err := r2.prov.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range r2.calls(t) {
		if strings.Contains(strings.ToLower(c.Cmd), "invoke") {
			if c.Args["credential"] != "<credential>" {
				t.Errorf("Invoke-Command without the credential: %+v", c)
			}
		}
	}
}

// TestDoubleRefusesWhatItDoesNotKnow feeds the double framed lines directly: unknown
// cmdlets and parameters (Mount-Database -Force among them), syntax outside the subset,
// a filter Exchange would refuse and a missing pinned domain controller are errors, and
// an unframed line stops it.
func TestDoubleRefusesWhatItDoesNotKnow(t *testing.T) {
	r := newRig(t, exampleTopology, 1, rigOpts{})
	head := `try { $dtR = @(`
	tail := `); '@@dialtone:ab:%d ' + '{"ok":true,"data":' + (ConvertTo-Json -InputObject $dtR -Depth 6 -Compress) + '}' } catch { '@@dialtone:ab:%d ' + '{"ok":false,"error":' + (ConvertTo-Json -InputObject ([string]$_.Exception.Message) -Compress) + '}' }`
	bodies := []struct{ body, want string }{
		{"Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'", `"ok":true`},
		{"Mount-Database -Identity 'DB02' -Force -DomainController 'dc01.contoso.com'", "dialtone never mounts with -Force"},
		// The reference decides what exists, for the organization's version (2019 here).
		{"Get-Mailbox -Database 'DB02' -ResultSize Unlimited -Monitoring -DomainController 'dc01.contoso.com' | Set-Mailbox -Monitoring -Database 'DB01' -DomainController 'dc01.contoso.com'", "Set-Mailbox: has no parameter -Monitoring"},
		{"Get-Mailbox -Identity 'x' -Database 'DB02' -DomainController 'dc01.contoso.com'", "fit no single parameter set"},
		{"Get-MailboxRestoreRequest -Status 'Done' -ResultSize Unlimited -DomainController 'dc01.contoso.com' | Remove-MailboxRestoreRequest -Confirm:$false -DomainController 'dc01.contoso.com'", `"ok":true`},
		{"New-MailboxRestoreRequest -Name 'n' -SourceDatabase 'DB02' -SourceStoreMailbox 'g' -TargetMailbox 'a' -ConflictResolutionOption KeepNothing -DomainController 'dc01.contoso.com'", "-ConflictResolutionOption KeepNothing is not a valid value in Exchange 2019"},
		// The reference lists only $false for -MountAtStartup (an extraction error): a
		// Boolean takes both, and nothing else.
		{"Set-MailboxDatabase -Identity 'DB02' -MountAtStartup $true -DomainController 'dc01.contoso.com'", `"ok":true`},
		{"Set-MailboxDatabase -Identity 'DB02' -MountAtStartup 'yes' -DomainController 'dc01.contoso.com'", "-MountAtStartup yes is not a valid value"},
		{"Mount-Datbase -Identity 'DB02' -DomainController 'dc01.contoso.com'", "is not recognized"},
		{"Get-MailboxDatabase -Identity \"DB02\" -DomainController 'dc01.contoso.com'", "double-quoted string"},
		{"Get-MailboxDatabase -Identity $(Stop-Computer) -DomainController 'dc01.contoso.com'", "without a variable name"},
		// A double-quoted string only as an OPATH filter that names a variable (Microsoft's
		// form); ArchiveDatabase takes a database's distinguished name, not its name.
		{"Get-Mailbox -ResultSize Unlimited -Filter \"Name -eq '$(Stop-Computer)'\" -DomainController 'dc01.contoso.com'", "neither a $name variable"},
		{"Get-Mailbox -ResultSize Unlimited -Filter \"Name -eq '$x`'\" -DomainController 'dc01.contoso.com'", "only constant text"},
		{"$dtArchiveDN = 'DB02'; Get-Mailbox -ResultSize Unlimited -Filter \"ArchiveDatabase -eq '$($dtArchiveDN -replace \"'\",\"''\")'\" -DomainController 'dc01.contoso.com'", "is not a distinguished name"},
		{"$dtArchiveDN = 'DB02'; Get-Mailbox -ResultSize Unlimited -Filter \"Database -eq '$dtArchiveDN'\" -DomainController 'dc01.contoso.com'", "only ArchiveDatabase -eq"},
		{"$dtArchiveDN = Get-MailboxDatabase -Identity 'DB02' -DomainController 'dc01.contoso.com' | Select-Object -ExpandProperty DistinguishedName; Get-Mailbox -ResultSize Unlimited -Filter \"ArchiveDatabase -eq '$($dtArchiveDN -replace \"'\",\"''\")'\" -DomainController 'dc01.contoso.com'", `"ok":true`},
		{"Get-MailboxDatabase -Identity 'DB02'", "without -DomainController"},
		{"Get-MailboxDatabase -Identity 'DB02' -DomainController 'dc01.contoso.com' # x", "comment"},
		// Inside single quotes a backtick is a plain character: one literal, no such database.
		{"Get-MailboxDatabase -Identity 'DB02`' -DomainController 'dc01.contoso.com'", "object 'DB02`' couldn't be found"},
		{"Get-MailboxDatabase -Identity 'DB02 -DomainController 'dc01.contoso.com'", "unterminated"},
	}
	var in strings.Builder
	for i, b := range bodies {
		in.WriteString(head + b.body + fmt.Sprintf(tail, i+1, i+1) + "\n")
	}
	in.WriteString("Get-Mailbox\n")
	cmd := exec.Command(fakeshell(t))
	cmd.Env = append(os.Environ(), "FAKESHELL_LAB="+filepath.Join(r.dir, "lab"), "FAKESHELL_DC=dc01.contoso.com")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("an unframed line: exit %v, stderr %s", err, stderr.String())
	}
	for i, b := range bodies {
		marker := fmt.Sprintf("@@dialtone:ab:%d ", i+1)
		j := strings.Index(string(out), marker)
		if j < 0 {
			t.Fatalf("no answer to %q", b.body)
		}
		line := string(out[j:])
		line = line[:strings.IndexByte(line, '\n')]
		if !strings.Contains(line, b.want) {
			t.Errorf("%q: answer %s, want %q", b.body, line, b.want)
		}
	}
}
