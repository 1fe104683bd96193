package exchange_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange"
)

// Names built to inject: each must reach the cmdlet as one literal argument, exactly.
// (The lab refuses the characters Windows forbids in names, such as : and ", so the
// payloads do without them.)
var injected = []string{
	"DT'; Remove-MailboxDatabase -Identity DB02 -Confirm $false; '",
	"DT$(Stop-Computer)",
	"DT`$x`",
	"DT; Stop-Service MSExchangeIS",
	"DT) ; Remove-Mailbox -Identity x (",
	"DT\u2019; Stop-Computer; \u2019",
	"DT\u2018\u201A\u201B''",
	"-Force",
	"@{n='x';e={[string]$_.y}}",
	"DT); '@@dialtone 00 1 {ok}'; Stop-Computer",
}

func TestInjectedNamesArriveAsOneLiteral(t *testing.T) {
	r := newRig(t, exampleTopology, 2, rigOpts{})
	ctx := context.Background()
	for i, name := range injected {
		op := providers.Operation{Kind: providers.OpCreateDatabase, Database: name, Server: "EX01",
			EdbFilePath: fmt.Sprintf(`D:\Inj\%d\x.edb`, i), LogFolderPath: fmt.Sprintf(`D:\Inj\%d\Logs`, i)}
		if _, err := r.prov.Apply(ctx, op, nil); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		creates := r.callsOf(t, "New-MailboxDatabase")
		if got := creates[len(creates)-1].Args["name"]; got != name {
			t.Fatalf("%q arrived as -Name %q", name, got)
		}
		// Again: found in place, not created twice.
		res, err := r.prov.Apply(ctx, op, nil)
		if err != nil || !res.AlreadyDone {
			t.Fatalf("%q again: %+v %v", name, res, err)
		}
		if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: name, Value: true}, nil); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		sets := r.callsOf(t, "Set-MailboxDatabase")
		if got := sets[len(sets)-1].Args["identity"]; got != name {
			t.Fatalf("%q arrived as -Identity %q", name, got)
		}
	}
	obs, err := r.lab.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range injected {
		if d := obs.Databases[name]; d == nil || !d.AllowFileRestore {
			t.Errorf("database %q: %+v", name, d)
		}
	}
	if obs.Databases["DB02"] == nil {
		t.Fatal("DB02 was removed by an injected name")
	}
	// Nothing but the expected cmdlets ran.
	for _, c := range r.calls(t) {
		switch c.Cmd {
		case "Remove-MailboxDatabase", "Stop-Computer", "Stop-Service", "Remove-Mailbox":
			t.Fatalf("an injected cmdlet ran: %+v", c)
		}
	}
}

func TestInjectedPathsAndMailboxes(t *testing.T) {
	r := newRig(t, exampleTopology, 2, rigOpts{})
	ctx := context.Background()
	// A file path with quotes and $(...) is copied as that one file.
	edb := `D:\Databases\DB02\DB02.edb`
	if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"}, nil); err != nil {
		t.Fatal(err)
	}
	dest := `D:\Keep\it's $(here); ` + "\u2019x\u2019"
	res, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpCopyFiles, Database: "DB02", Server: "EX01", EdbFilePath: edb,
		LogFolderPath: `D:\Databases\DB02\Logs`, DestFolder: dest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count == 0 {
		t.Fatalf("copied nothing: %+v", res)
	}
	found := false
	for _, c := range r.callsOf(t, "Copy-Item") {
		if c.Args["destination"] == dest {
			found = true
		}
	}
	if !found {
		t.Fatalf("no Copy-Item to %q", dest)
	}
	again, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpCopyFiles, Database: "DB02", Server: "EX01", EdbFilePath: edb,
		LogFolderPath: `D:\Databases\DB02\Logs`, DestFolder: dest}, nil)
	if err != nil || !again.AlreadyDone {
		t.Fatalf("copy again: %+v %v", again, err)
	}
}

func TestControlCharactersRefused(t *testing.T) {
	r := newRig(t, exampleTopology, 1, rigOpts{})
	ctx := context.Background()
	for _, name := range []string{"DT\nRemove-MailboxDatabase DB02", "DT\r", "DT\x00", "DT\u2028x", "DT\x1b[31m"} {
		_, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpCreateDatabase, Database: name, Server: "EX01",
			EdbFilePath: `D:\X\x.edb`, LogFolderPath: `D:\X\Logs`}, nil)
		if err == nil || !strings.Contains(err.Error(), "database name") || !strings.Contains(err.Error(), "control character") {
			t.Fatalf("%q: %v", name, err)
		}
	}
	for _, c := range r.calls(t) {
		if c.Cmd == "New-MailboxDatabase" {
			t.Fatalf("a refused name reached PowerShell: %+v", c)
		}
	}
	_, err := exchange.New(exchange.Settings{DomainController: "dc01\nStop-Computer"}, nil)
	if err == nil || !strings.Contains(err.Error(), "domain_controller") {
		t.Fatalf("a domain controller with a line break: %v", err)
	}
}
