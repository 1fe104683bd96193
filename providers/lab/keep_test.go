package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// TestKeepFilesRenamesNeverOverwrites: keep_files moves the failed .edb aside by a
// rename (the same file, not a copy), copies the logs, refuses to overwrite a file of
// another content in the way, and converges on a re-run.
func TestKeepFilesRenamesNeverOverwrites(t *testing.T) {
	l := newLab(t, 3)
	mustDeliver(t, l, "db01-user0001@contoso.com", 5)
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	edb, _ := l.hostPath("EX01", `D:\Databases\DB01\DB01.edb`)
	logs, _ := l.hostPath("EX01", `D:\Databases\DB01\Logs`)
	dest, _ := l.hostPath("EX01", `D:\Databases\DB01-preserved`)
	before, err := os.Stat(edb)
	if err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpKeepFiles, Database: "DB01", Server: "EX01",
		EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: `D:\Databases\DB01-preserved`}

	// Something else already in the way: both files stay, byte for byte.
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	other := []byte("another database's file")
	if err := os.WriteFile(filepath.Join(dest, "DB01.edb"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	applyErr(t, l, op, "refusing to overwrite")
	if got, _ := os.ReadFile(filepath.Join(dest, "DB01.edb")); !bytes.Equal(got, other) {
		t.Fatal("the file in the way was overwritten")
	}
	if _, err := os.Stat(edb); err != nil {
		t.Fatalf("the failed .edb is gone after a refusal: %v", err)
	}
	if err := os.Remove(filepath.Join(dest, "DB01.edb")); err != nil {
		t.Fatal(err)
	}

	res := mustApply(t, l, op)
	kept, err := os.Stat(filepath.Join(dest, "DB01.edb"))
	if err != nil || !os.SameFile(before, kept) {
		t.Fatalf("the .edb was not renamed (same file): %v", err)
	}
	if _, err := os.Stat(edb); !os.IsNotExist(err) {
		t.Fatalf("the .edb is still in place: %v", err)
	}
	names, _ := listFiles(logs)
	for _, n := range names {
		a, _ := os.ReadFile(filepath.Join(logs, n))
		b, err := os.ReadFile(filepath.Join(dest, n))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("log %s not kept: %v", n, err)
		}
	}
	if len(names) == 0 || res.Count != int64(len(names)+1) {
		t.Fatalf("%d logs, result %+v", len(names), res)
	}
	if again := mustApply(t, l, op); !again.AlreadyDone {
		t.Fatalf("re-run: %+v", again)
	}
}

// TestKeepFilesOnlyTheDatabasesOwnFile: keep_files moves a file dialtone did not write,
// so the lab moves only the database's own .edb (as its organization records it), to a
// place outside every database's files (issue 12 §5): a forged or buggy operation
// naming another file leaves it where it is.
func TestKeepFilesOnlyTheDatabasesOwnFile(t *testing.T) {
	l := newLab(t, 2)
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	db02, _ := l.hostPath("EX01", `D:\Databases\DB02\DB02.edb`)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02", Server: "EX01"})
	before, err := os.Stat(db02)
	if err != nil {
		t.Fatal(err)
	}
	for what, op := range map[string]providers.Operation{
		"another database's .edb": {Kind: providers.OpKeepFiles, Database: "DB01", Server: "EX01",
			EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: `D:\Databases\DB01-preserved`},
		"into another database's folder": {Kind: providers.OpKeepFiles, Database: "DB01", Server: "EX01",
			EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: `D:\Databases\DB02`},
		"to another volume": {Kind: providers.OpKeepFiles, Database: "DB01", Server: "EX01",
			EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: `E:\Kept`},
	} {
		t.Run(what, func(t *testing.T) { applyErr(t, l, op, "refusing to keep the files of DB01") })
	}
	if after, err := os.Stat(db02); err != nil || !os.SameFile(before, after) {
		t.Fatalf("DB02's file moved: %v", err)
	}
	edb, _ := l.hostPath("EX01", `D:\Databases\DB01\DB01.edb`)
	if _, err := os.Stat(edb); err != nil {
		t.Fatalf("DB01's file moved after a refusal: %v", err)
	}
}
