package exchange_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// The exchange provider refuses to delete or move another database's files however the
// path is written, sends no Remove-Item for anything outside the record, and refuses
// servers Get-ExchangeServer does not list (issue 12 §1, issue 19 §3).
func TestExchangeGuardsDeletesAndMoves(t *testing.T) {
	r := newRig(t, exampleTopology, 1, rigOpts{})
	ctx := context.Background()
	refused := func(what string, op providers.Operation, want string) {
		t.Helper()
		_, err := r.prov.Apply(ctx, op, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want a refusal containing %q", what, err, want)
		}
		if n := len(r.callsOf(t, "Remove-Item")); n != 0 {
			t.Fatalf("%s: %d Remove-Item sent", what, n)
		}
	}
	del := func(server string, recorded ...state.Written) providers.Operation {
		return providers.Operation{Kind: providers.OpDeleteFiles, Database: "RDB01", Server: server,
			EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`, Recorded: recorded}
	}
	for kind, path := range map[string]string{
		"case":            `d:\databases\db02\db02.EDB`,
		"trailing dots":   `D:\Databases\DB02.\DB02.edb.`,
		"trailing spaces": `D:\Databases\DB02 \DB02.edb `,
	} {
		refused("delete, "+kind, del("EX01", state.Written{Server: "EX01", Path: path, Kind: state.WrittenFile}), "of database DB02")
	}
	refused("delete, 8.3 short name", del("EX01", state.Written{Server: "EX01", Path: `D:\DATABA~1\DB02\DB02.edb`, Kind: state.WrittenFile}), "short name")
	refused("delete, device name", del("EX01", state.Written{Server: "EX01", Path: `D:\Databases\DB02\Logs\CON`, Kind: state.WrittenFile}), "device name")
	refused("delete on an unknown server", del("EVIL01"), "Get-ExchangeServer does not list it")

	// Without a record nothing is removed, whatever the operation's paths.
	res, err := r.prov.Apply(ctx, del("EX01"), nil)
	if err != nil || !res.AlreadyDone {
		t.Errorf("delete without a record: %+v, %v", res, err)
	}
	if n := len(r.callsOf(t, "Remove-Item")); n != 0 {
		t.Fatalf("delete without a record sent %d Remove-Item", n)
	}

	move := providers.Operation{Kind: providers.OpMoveFiles, Database: "RDB01", Server: "EX01",
		EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\DATABASES\DB02\LOGS.`, DestEdbFilePath: `E:\Stolen\DB02.edb`, DestLogFolderPath: `E:\Stolen\Logs`}
	if err := dismountDB02(ctx, r); err != nil {
		t.Fatal(err)
	}
	refused("move of DB02's files", move, "of database DB02")
	move.Server = "EVIL01"
	refused("move on an unknown server", move, "Get-ExchangeServer does not list it")
}

func dismountDB02(ctx context.Context, r *rig) error {
	_, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02", Server: "EX01"}, nil)
	return err
}
