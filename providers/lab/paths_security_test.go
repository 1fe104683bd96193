package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// Paths from the configuration are mapped under the lab folder; .. and absolute
// escapes are refused before anything is touched.
func TestPathEscapesRefused(t *testing.T) {
	l := newLab(t, 1)
	for _, p := range []string{`D:\..\x`, `D:\a\..\..\..\x.edb`, `D:\a/../../b`, `\\srv\share\x.edb`, `/etc/passwd`, `..\..\x`, `D:`, `D:\a\.\b`, "D:\\a\x00b"} {
		if got, err := l.hostPath("EX01", p); err == nil {
			t.Errorf("%q mapped to %s", p, got)
		}
	}
	if _, err := l.hostPath("..", `D:\a`); err == nil {
		t.Error("server name .. accepted")
	}
	op := providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01",
		EdbFilePath: `D:\..\..\..\..\tmp\x.edb`, LogFolderPath: `D:\DTDB01\Logs`}
	if _, err := l.Apply(context.Background(), op, nil); err == nil {
		t.Fatal("created a database outside the lab")
	}
	// Every mapped path is inside the lab folder.
	p, err := l.hostPath("EX01", `D:\Databases\DB01\DB01.edb`)
	if err != nil || !strings.HasPrefix(p, l.dir+string(filepath.Separator)) {
		t.Fatalf("%s %v", p, err)
	}
}

// A symbolic link planted inside the lab (a log folder replaced by a link to a folder
// outside) is refused for reads and writes: nothing outside is written or read.
func TestSymlinkOutOfLabRefused(t *testing.T) {
	l := newLab(t, 2)
	if _, err := l.DeliverToDatabase("DB01", 2); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	planted := filepath.Join(outside, "planted.txt")
	if err := os.WriteFile(planted, []byte("not a lab file"), 0o600); err != nil {
		t.Fatal(err)
	}
	logs, err := l.hostPath("EX01", `D:\Databases\DB01\Logs`)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(logs); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, logs); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if _, err := l.hostPath("EX01", `D:\Databases\DB01\Logs`); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("the link was followed: %v", err)
	}
	if _, err := l.hostPath("EX01", `D:\Databases\DB01\Logs\E0000000001.log`); err == nil {
		t.Fatal("a file under the link was mapped")
	}
	_, _ = l.DeliverToDatabase("DB01", 3) // a write: refused or queued, never outside
	if err := l.Backup("DB01", "nightly"); err == nil {
		t.Fatal("backed up through the link")
	}
	_, _ = l.Read(context.Background())
	ents, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "planted.txt" {
		t.Fatalf("the lab wrote outside its folder: %v", ents)
	}
	// A link higher up (the server's drive) is refused as well.
	drive := filepath.Join(l.dir, "servers", "EX01", "D")
	if err := os.Rename(drive, drive+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(drive+".moved", drive); err != nil {
		t.Fatal(err)
	}
	if _, err := l.hostPath("EX01", `D:\Databases\DB02\DB02.edb`); err == nil {
		t.Fatal("a linked drive folder was followed")
	}
	// And a backup folder replaced by a link.
	if err := os.MkdirAll(filepath.Join(l.dir, "backups"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(l.dir, "backups", "evil")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.backupDir("evil", "DB02"); err == nil {
		t.Fatal("a linked backup set was followed")
	}
}
