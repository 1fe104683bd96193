package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// TestRestoreSaysWhatItFound: a restore into a database whose own file is there,
// intact and newer than the backup (a server back with its disks), does not claim
// "backup already restored": it says no restore ran and what it found; a re-run after
// a real restore says that (issue 12 §7).
func TestRestoreSaysWhatItFound(t *testing.T) {
	l := newLab(t, 2)
	mustDeliver(t, l, "db01-user0001@contoso.com", 4)
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", 3*recordsPerGeneration)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB01", Server: "EX01"})
	restore := providers.Operation{Kind: providers.OpRestoreBackup, Database: "DB01", Server: "EX01", Source: "DB01", Backup: "nightly",
		EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`}
	res := mustApply(t, l, restore)
	if res.AlreadyDone || strings.Contains(res.Detail, "already restored") || !res.Skipped ||
		!strings.Contains(res.Detail, `no restore ran: D:\Databases\DB01\DB01.edb is DB01's own file, intact (Clean Shutdown`) {
		t.Fatalf("restore over DB01's own newer file: %+v", res)
	}
	// After a real restore (into a recovery database), a re-run says it was ours.
	rdb := providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01",
		EdbFilePath: `E:\Recovery\RDB01\DB01.edb`, LogFolderPath: `E:\Recovery\RDB01\Logs`, Recovery: true}
	mustApply(t, l, rdb)
	into := providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "nightly",
		EdbFilePath: rdb.EdbFilePath, LogFolderPath: rdb.LogFolderPath}
	if res := mustApply(t, l, into); res.AlreadyDone || res.Skipped {
		t.Fatalf("first restore into RDB01: %+v", res)
	}
	if res := mustApply(t, l, into); !res.AlreadyDone || !strings.Contains(res.Detail, "backup set nightly already restored") {
		t.Fatalf("re-run of the restore into RDB01: %+v", res)
	}
}

// TestRestoreKeepsOwnOlderFile: a restore into a database whose own file is there,
// intact but older than the backup (its checkpoint before the backup's, as with
// replay_logs = false after the server came back with an old disk), does not delete it:
// the file is renamed into the "-preserved" folder beside it, byte for byte, and the
// result says where (issue 12 §1).
func TestRestoreKeepsOwnOlderFile(t *testing.T) {
	l := newLab(t, 2)
	mustDeliver(t, l, "db01-user0001@contoso.com", 4)
	edbWin := `D:\Databases\DB01\DB01.edb`
	edb, err := l.hostPath("EX01", edbWin)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB01", Server: "EX01"})
	old := filepath.Join(t.TempDir(), "old.edb")
	if err := copyFile(edb, old); err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01", Server: "EX01"})
	mustDeliver(t, l, "db01-user0001@contoso.com", 3*recordsPerGeneration)
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB01", Server: "EX01"})
	if err := os.Remove(edb); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(old, edb); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(edb)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: "DB01", Server: "EX01", Value: true})
	res := mustApply(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "DB01", Server: "EX01", Source: "DB01", Backup: "nightly",
		EdbFilePath: edbWin, LogFolderPath: `D:\Databases\DB01\Logs`})
	keptWin := `D:\Databases\DB01-preserved\DB01.edb`
	if res.Skipped || !strings.Contains(res.Detail, "restored DB01.edb from backup set nightly") || !strings.Contains(res.Detail, "kept as "+keptWin) {
		t.Fatalf("restore over DB01's own older file: %+v", res)
	}
	kept, err := l.hostPath("EX01", keptWin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(kept)
	if err != nil {
		t.Fatalf("DB01's own file was not kept: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the file that was in DB01's place", keptWin)
	}
	for _, w := range res.Wrote {
		if strings.Contains(w.Path, "preserved") {
			t.Fatalf("the kept file is recorded as written by dialtone (clean-up could delete it): %+v", w)
		}
	}
}
