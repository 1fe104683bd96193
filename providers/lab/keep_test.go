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
