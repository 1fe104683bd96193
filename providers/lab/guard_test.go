package lab

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// The lab refuses to delete or move another database's files however the path is
// written, deletes nothing outside the record it is given, and refuses servers it does
// not know (issue 12 §1, issue 19 §3).
func TestLabGuardsDeletesAndMoves(t *testing.T) {
	l := newLab(t, 2)
	// Dismounted, so that only the guard (not the mounted-database check) can refuse.
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02", Server: "EX01"})
	db2Edb, err := l.hostPath("EX01", `D:\Databases\DB02\DB02.edb`)
	if err != nil {
		t.Fatal(err)
	}
	db2Logs, err := l.hostPath("EX01", `D:\Databases\DB02\Logs`)
	if err != nil {
		t.Fatal(err)
	}
	mustSurvive := func(what string) {
		t.Helper()
		if _, err := os.Stat(db2Edb); err != nil {
			t.Fatalf("%s: DB02's file is gone: %v", what, err)
		}
		if names, err := listFiles(db2Logs); err != nil || len(names) == 0 {
			t.Fatalf("%s: DB02's logs are gone (%v, %v)", what, names, err)
		}
	}
	refused := func(what string, op providers.Operation, want string) {
		t.Helper()
		_, err := l.Apply(context.Background(), op, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want a refusal containing %q", what, err, want)
		}
		mustSurvive(what)
	}
	rec := func(kind, path string) []state.Written {
		return []state.Written{{Server: "EX01", Path: path, Kind: kind}}
	}
	del := func(edb, logs string, recorded []state.Written) providers.Operation {
		return providers.Operation{Kind: providers.OpDeleteFiles, Database: "RDB01", Server: "EX01",
			EdbFilePath: edb, LogFolderPath: logs, Recorded: recorded}
	}
	// A planner bug aiming a clean-up at DB02, with records naming its files by aliases.
	for kind, path := range map[string]string{
		"case":            `d:\databases\db02\db02.EDB`,
		"trailing dots":   `D:\Databases\DB02.\DB02.edb.`,
		"trailing spaces": `D:\Databases\DB02 \DB02.edb `,
		"slashes":         `D:/Databases/DB02/DB02.edb`,
	} {
		refused("delete, "+kind, del(`D:\Databases\DB02\DB02.edb`, `D:\Databases\DB02\Logs`, rec(state.WrittenFile, path)), "of database DB02")
	}
	refused("delete of DB02's log stream", del(`D:\Databases\DB02\DB02.edb`, `D:\Databases\DB02\Logs`,
		[]state.Written{{Server: "EX01", Path: `D:\DATABASES\DB02\LOGS`, Kind: state.WrittenLogStream, Prefix: "E01"}}), "DB02")
	refused("delete, 8.3 short name", del(`D:\DATABA~1\DB02\DB02.edb`, `D:\DATABA~1\DB02\Logs`, rec(state.WrittenFile, `D:\DATABA~1\DB02\DB02.edb`)), "short name")
	refused("delete, device name", del(`D:\Recovery\NUL.edb`, `D:\Recovery\CON`, rec(state.WrittenFile, `D:\Recovery\NUL.edb`)), "device name")

	// Without a record, nothing goes: not even what the operation's paths name.
	res, err := l.Apply(context.Background(), del(`D:\Databases\DB02\DB02.edb`, `D:\Databases\DB02\Logs`, nil), nil)
	if err != nil || !res.AlreadyDone || !strings.Contains(res.Detail, "dialtone did not write it") {
		t.Errorf("delete without a record: %+v, %v", res, err)
	}
	mustSurvive("delete without a record")

	// A move deletes its sources: refused for another database's files by any alias.
	for kind, src := range map[string][2]string{
		"case":           {`d:\databases\db02\DB02.EDB`, `d:\databases\db02\logs`},
		"trailing dots":  {`D:\Databases\DB02\DB02.edb.`, `D:\Databases\DB02\Logs..`},
		"holding folder": {`D:\Databases\DB02\DB02.edb`, `D:\Databases`},
	} {
		refused("move, "+kind, providers.Operation{Kind: providers.OpMoveFiles, Database: "RDB01", Server: "EX01",
			EdbFilePath: src[0], LogFolderPath: src[1], DestEdbFilePath: `E:\Stolen\DB02.edb`, DestLogFolderPath: `E:\Stolen\Logs`}, "of database DB02")
	}

	// Servers the lab does not know are refused.
	refused("unknown server", providers.Operation{Kind: providers.OpDeleteFiles, Database: "RDB01", Server: "EX99",
		EdbFilePath: `E:\R\R.edb`, LogFolderPath: `E:\R\Logs`}, "does not exist")
}
