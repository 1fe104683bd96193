package providers

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

var guardDBs = []FileSet{
	{Database: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`},
	{Database: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`},
}

// TestGuardPathAliases: every way of writing DB02's files (or a folder holding them) is
// refused for a delete or move on behalf of another database, one test per alias kind
// (issue 19 §3).
func TestGuardPathAliases(t *testing.T) {
	for kind, path := range map[string]string{
		"exact file":            `D:\Databases\DB02\DB02.edb`,
		"case":                  `d:\DATABASES\db02\db02.EDB`,
		"forward slashes":       `D:/Databases/DB02/DB02.edb`,
		"trailing dots":         `D:\Databases\DB02.\DB02.edb..`,
		"trailing spaces":       `D:\Databases \DB02 \DB02.edb `,
		"doubled separators":    `D:\\Databases\\DB02\DB02.edb`,
		"holding folder":        `D:\Databases\DB02`,
		"holding folder, case":  `d:\databases\`,
		"log folder":            `D:\Databases\DB02\Logs\`,
		"inside the log folder": `D:\Databases\DB02\Logs\E0100000001.log`,
		"a log, trailing dot":   `D:\Databases\DB02\Logs.\E01.log.`,
	} {
		err := GuardPath("EX01", path, "RDB01", guardDBs)
		if err == nil || !strings.Contains(err.Error(), "DB02") && !strings.Contains(err.Error(), "DB01") {
			t.Errorf("%s: GuardPath(%q) = %v; want a refusal naming the database", kind, path, err)
		}
	}
	for kind, path := range map[string]string{
		"8.3 short name": `D:\DATABA~1\DB02\DB02.edb`,
		"device CON":     `D:\Recovery\CON`,
		"device NUL.edb": `D:\Recovery\NUL.edb`,
		"device COM1":    `D:\Recovery\com1\Logs`,
		"stream":         `D:\Recovery\x.edb:stream`,
		"UNC":            `\\EX01\D$\Databases\DB02`,
	} {
		if err := GuardPath("EX01", path, "RDB01", guardDBs); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: GuardPath(%q) = %v; want it refused as unsafe to compare", kind, path, err)
		}
	}
	// Its own files, a sibling, and another server's same path are not another database's.
	for _, c := range []struct{ server, path, own string }{
		{"EX01", `D:\Databases\DB02\DB02.edb`, "DB02"},
		{"EX01", `D:\Databases\DB02-Recovery\X.edb`, "RDB01"},
		{"EX02", `D:\Databases\DB02\DB02.edb`, "RDB01"},
	} {
		if err := GuardPath(c.server, c.path, c.own, guardDBs); err != nil {
			t.Errorf("GuardPath(%s, %q, own %s) = %v; want allowed", c.server, c.path, c.own, err)
		}
	}
}

// TestPlanCleanupOnlyRecorded: a clean-up deletes only records inside the database's own
// paths; a record that names another database's file is refused outright; a folder
// holding another database's files is kept, with the reason.
func TestPlanCleanupOnlyRecorded(t *testing.T) {
	op := Operation{Kind: OpDeleteFiles, Database: "RDB01", Server: "EX01",
		EdbFilePath: `E:\Recovery\DTDB01.edb`, LogFolderPath: `E:\Recovery\RDB01-Logs`}
	rec := func(kind, path string) state.Written {
		return state.Written{Server: "EX01", Path: path, Kind: kind}
	}
	op.Recorded = []state.Written{
		rec(state.WrittenFile, `E:\Recovery\DTDB01.edb`),
		rec(state.WrittenFile, `e:\recovery\rdb01-logs\E0000000001.log`),
		rec(state.WrittenFile, `E:\Recovery\OTHER-RDB\OTHER.edb`), // outside the op's paths: not its to delete
		rec(state.WrittenFolder, `E:\Recovery\RDB01-Logs`),
		rec(state.WrittenFolder, `E:\Recovery`),
		{Server: "EX02", Path: `E:\Recovery\DTDB01.edb`, Kind: state.WrittenFile}, // another server
	}
	c, kept, err := PlanCleanup(op, "EX01", guardDBs)
	if err != nil || len(c.Files) != 2 || len(c.Folders) != 2 || len(kept) != 0 {
		t.Fatalf("PlanCleanup = %+v, kept %v, %v", c, kept, err)
	}
	if c.Folders[0].Path != `E:\Recovery\RDB01-Logs` {
		t.Errorf("folders %v: the deepest goes first", c.Folders)
	}
	// E:\Recovery now holds a database of the organization: kept, with the reason.
	dbs := append([]FileSet{{Database: "OTHER", Server: "EX01", EdbFilePath: `E:\Recovery\OTHER-RDB\OTHER.edb`, LogFolderPath: `E:\Recovery\OTHER-RDB\Logs`}}, guardDBs...)
	c, kept, err = PlanCleanup(op, "EX01", dbs)
	if err != nil || len(c.Folders) != 1 || len(kept) != 1 || !strings.Contains(kept[0], "OTHER") {
		t.Fatalf("with OTHER: %+v, kept %v, %v", c, kept, err)
	}
	// A recorded file that is another database's: refused, nothing deleted.
	op.EdbFilePath = `D:\Databases\DB02\DB02.edb`
	op.Recorded = []state.Written{rec(state.WrittenFile, `D:\Databases\db02\DB02.EDB.`)}
	if _, _, err := PlanCleanup(op, "EX01", guardDBs); err == nil || !strings.Contains(err.Error(), "DB02") {
		t.Errorf("a record of DB02's file: %v; want refused", err)
	}
	// No record, nothing to delete, whatever the paths.
	op = Operation{Kind: OpDeleteFiles, Database: "RDB01", Server: "EX01", EdbFilePath: `E:\Recovery\DTDB01.edb`, LogFolderPath: `E:\Recovery`}
	if c, _, err := PlanCleanup(op, "EX01", guardDBs); err != nil || len(c.Files)+len(c.Folders)+len(c.Streams) != 0 {
		t.Errorf("no record: %+v, %v; want nothing", c, err)
	}
}

func TestIsStreamFile(t *testing.T) {
	for name, want := range map[string]bool{
		"E01.log": true, "E0100000A1F.log": true, "e01.chk": true, "E01res00001.jrs": true, "E01tmp.log": true,
		"E02.log": false, "E01.edb": false, "notes.txt": false, "E01000001.log": false, "E01ZZZZZZZZ.log": false,
	} {
		if got := IsStreamFile(name, "E01"); got != want {
			t.Errorf("IsStreamFile(%q) = %t", name, got)
		}
	}
}

// TestGuardKeep: keep_files moves a file dialtone did not write, so it may move only the
// database's own .edb as the organization knows it, within its volume, to a place
// outside every database's files (issue 12 §5).
func TestGuardKeep(t *testing.T) {
	keep := func(edb, dest string) Operation {
		return Operation{Kind: OpKeepFiles, Database: "DB01", Server: "EX01", EdbFilePath: edb,
			LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: dest}
	}
	got, err := GuardKeep("EX01", keep(`d:\databases\DB01\db01.edb`, `D:\Databases\DB01-preserved`), guardDBs)
	if err != nil || got != `D:\Databases\DB01-preserved\db01.edb` {
		t.Fatalf("the database's own file: %q, %v", got, err)
	}
	for what, c := range map[string]struct {
		op     Operation
		server string
		want   string
	}{
		"another database's file":   {keep(`D:\Databases\DB02\DB02.edb`, `D:\Databases\DB01-preserved`), "EX01", "is not its database file"},
		"a file of no database":     {keep(`D:\Databases\DB01\other.edb`, `D:\Databases\DB01-preserved`), "EX01", "is not its database file"},
		"its file, as a short name": {keep(`D:\DATABA~1\DB01\DB01.edb`, `D:\Databases\DB01-preserved`), "EX01", "short name"},
		"another volume":            {keep(`D:\Databases\DB01\DB01.edb`, `E:\Kept`), "EX01", "not on the volume"},
		"into another database":     {keep(`D:\Databases\DB01\DB01.edb`, `D:\Databases\DB02`), "EX01", "of database DB02"},
		"over another database":     {keep(`D:\Databases\DB01\DB01.edb`, `D:\Databases\DB02\DB02.edb`), "EX01", "of database DB02"},
		"a folder holding others":   {keep(`D:\Databases\DB01\DB01.edb`, `D:\`), "EX01", "it is, or holds"},
		"into its own log folder":   {keep(`D:\Databases\DB01\DB01.edb`, `D:\Databases\DB01\Logs`), "EX01", "log folder"},
		"where it is":               {keep(`D:\Databases\DB01\DB01.edb`, `D:\Databases\DB01`), "EX01", "already is"},
		"on a server without it":    {keep(`D:\Databases\DB01\DB01.edb`, `D:\Databases\DB01-preserved`), "EX02", "has no database DB01"},
		"no folder":                 {keep(`D:\Databases\DB01\DB01.edb`, ``), "EX01", "no folder"},
	} {
		if _, err := GuardKeep(c.server, c.op, guardDBs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want a refusal containing %q", what, err, c.want)
		}
	}
}
