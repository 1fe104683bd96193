package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// restoredRDBBeforeCopy is restoredRDB without the copy_logs: the logs of DB01 past
// the backup are still in DB01's folder, returned with their files.
func restoredRDBBeforeCopy(t *testing.T) (*Lab, []uint64, map[uint64]string) {
	t.Helper()
	l := newLab(t, 2)
	mustDeliver(t, l, "db01-user0001@contoso.com", 5)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", 300)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "full", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	gens, files, err := listLogs(filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB01", "Logs"), "E00")
	if err != nil || len(gens) < 5 {
		t.Fatalf("logs of DB01: %v %v", gens, err)
	}
	return l, gens, files
}

// unreadableLogReachesAdmin runs copy_logs, Read, replay_logs and mount on RDB01 and
// checks that each reports the unreadable log (want in the detail or error) instead
// of going on silently.
func unreadableLogReachesAdmin(t *testing.T, l *Lab, want string) {
	t.Helper()
	res := mustApply(t, l, providers.Operation{Kind: providers.OpCopyLogs, Database: "RDB01", Server: "EX01", Source: "DB01", SourceFolder: db1Logs, LogFolderPath: rdbLogs})
	if !strings.Contains(res.Detail, "damaged or unreadable") || !strings.Contains(res.Detail, want) {
		t.Fatalf("copy_logs said nothing of %s: %q", want, res.Detail)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatalf("Read failed for one unreadable log: %v", err)
	}
	if d := obs.Databases["RDB01"]; d.Logs != nil {
		t.Fatalf("Read reports RDB01's logs as usable: %+v", d.Logs)
	}
	if d := obs.Databases["DB02"]; d.Logs == nil || !d.FilesOK {
		t.Fatalf("DB02 was not touched: %+v", d)
	}
	_, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs}, nil)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("replay_logs: %v, want an error naming %s", err, want)
	}
	_, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"}, nil)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("mount: %v, want an error naming %s", err, want)
	}
}

func TestDamagedLogMidStreamReachesAdmin(t *testing.T) {
	l, gens, files := restoredRDBBeforeCopy(t)
	mid := gens[len(gens)/2]
	data, err := os.ReadFile(files[mid])
	if err != nil {
		t.Fatal(err)
	}
	data[strings.Index(string(data), "\n")+20] ^= 0x01 // the first record fails its checksum
	if err := os.WriteFile(files[mid], data, 0o600); err != nil {
		t.Fatal(err)
	}
	unreadableLogReachesAdmin(t, l, logFileName("E00", mid))
}

func TestOversizedLogReachesAdmin(t *testing.T) {
	l, gens, files := restoredRDBBeforeCopy(t)
	var smallest int64 = -1
	for _, g := range gens {
		st, err := os.Stat(files[g])
		if err != nil {
			t.Fatal(err)
		}
		if smallest < 0 || st.Size() < smallest {
			smallest = st.Size()
		}
	}
	l.opts.Limits = Limits{LogBytes: smallest - 1} // every log is over the limit
	unreadableLogReachesAdmin(t, l, EnvMaxLogBytes)
}
