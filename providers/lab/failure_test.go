package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

func TestCorruptDatabaseRefusesToMount(t *testing.T) {
	l := newLab(t, 2)
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}, nil)
	if err == nil || !strings.Contains(err.Error(), "JET error -1018") {
		t.Fatalf("mount of a corrupt database: %v", err)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := obs.Databases["DB01"]; d.Mounted || d.FilesOK {
		t.Fatalf("DB01 = %+v", d)
	}
	if acc := mustDeliver(t, l, "db01-user0001@contoso.com", 1); !acc[0].Queued {
		t.Fatal("mail for a corrupt database was delivered")
	}
}

func TestLostDatabaseRefusesEmptyMount(t *testing.T) {
	l := newLab(t, 1)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}, nil)
	if err == nil || !strings.Contains(err.Error(), "is missing; Mount-Database refuses without -Force") {
		t.Fatalf("mount of a lost database: %v", err)
	}
}

func TestQueuedMailDrainsOnMount(t *testing.T) {
	l := newLab(t, 2)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	acc, err := l.DeliverToDatabase("DB02", 5)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Queued) != 5 || len(rep.Missing) != 0 || rep.Queued[0] != acc[0].MessageID {
		t.Fatalf("verify while dismounted: %+v", rep)
	}
	obs, _ := l.Read(context.Background())
	if d := obs.Databases["DB02"]; !d.Clean || d.Mounted {
		t.Fatalf("dismounted DB02 = %+v", d)
	}
	res := mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB02"})
	if res.Count != 5 {
		t.Fatalf("mount delivered %d, want 5", res.Count)
	}
	if rep, _ = l.Verify(); !rep.OK() || rep.Delivered != 5 {
		t.Fatalf("verify after mount: %+v", rep)
	}
}

// restoredRDB builds a lab whose DB01 was backed up after mail arrived, then lost, with
// the backup restored into RDB01 at E:\Recovery\RDB01 and DB01's surviving logs at hand.
func restoredRDB(t *testing.T, before, after int) *Lab {
	t.Helper()
	l := newLab(t, 2)
	mustDeliver(t, l, "db01-user0001@contoso.com", before)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", after)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "full", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpCopyLogs, Database: "RDB01", Server: "EX01", Source: "DB01", SourceFolder: db1Logs, LogFolderPath: rdbLogs})
	return l
}

func TestLogGapStopsReplay(t *testing.T) {
	l := restoredRDB(t, 10, 300) // 300 records: about five generations after the backup
	folder := filepath.Join(l.dir, "servers", "EX01", "E", "Recovery", "RDB01", "Logs")
	gens, files, err := listLogs(folder, "E00")
	if err != nil || len(gens) < 6 {
		t.Fatalf("logs: %v %v", gens, err)
	}
	missing := gens[len(gens)-3]
	if err := os.Remove(files[missing]); err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs}
	_, err = l.Apply(context.Background(), op, nil)
	if err == nil || !strings.Contains(err.Error(), logFileName("E00", missing)) || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("replay across a gap: %v", err)
	}
	obs, _ := l.Read(context.Background())
	if obs.Databases["RDB01"].Clean {
		t.Fatal("a replay stopped by a gap left the database clean")
	}
	// Mount replays too, and stops at the same gap.
	_, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"}, nil)
	if err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("mount across a gap: %v", err)
	}
}

func TestDamagedAndForeignLogsStopReplay(t *testing.T) {
	l := restoredRDB(t, 5, 100)
	folder := filepath.Join(l.dir, "servers", "EX01", "E", "Recovery", "RDB01", "Logs")
	gens, files, _ := listLogs(folder, "E00")
	last := gens[len(gens)-1]
	data, _ := os.ReadFile(files[last])
	// Flip a byte inside the first record: its CRC no longer matches.
	i := strings.Index(string(data), "\n") + 20
	data[i] ^= 0x01
	os.WriteFile(files[last], data, 0o644)
	op := providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs}
	_, err := l.Apply(context.Background(), op, nil)
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), filepath.Base(files[last])) {
		t.Fatalf("replay of a damaged log: %v", err)
	}
	// A log of another stream under the same name.
	os.WriteFile(files[last], logHeader("E00", last, "another-stream"), 0o644)
	_, err = l.Apply(context.Background(), op, nil)
	if err == nil || !strings.Contains(err.Error(), "another log stream") {
		t.Fatalf("replay of a foreign log: %v", err)
	}
}

func TestMountLimits(t *testing.T) {
	topo := Topology{Servers: []ServerSpec{{Name: "EX01", Edition: "standard"}}}
	for _, n := range []string{"A1", "A2", "A3", "A4", "A5", "A6"} {
		topo.Databases = append(topo.Databases, DatabaseSpec{Name: n, Server: "EX01", EdbFilePath: `D:\` + n + `\` + n + `.edb`, LogFolderPath: `D:\` + n + `\Logs`})
	}
	_, err := Init(filepath.Join(t.TempDir(), "lab"), topo, 0)
	if err == nil || !strings.Contains(err.Error(), "limit of the standard edition") {
		t.Fatalf("sixth database on a standard server: %v", err)
	}
	l := newLab(t, 0)
	for _, n := range []string{"R1", "R2"} {
		mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: n, Server: "EX01", EdbFilePath: `E:\` + n + `\x.edb`, LogFolderPath: `E:\` + n + `\Logs`, Recovery: true})
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "R1"})
	_, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "R2"}, nil)
	if err == nil || !strings.Contains(err.Error(), "one per server") {
		t.Fatalf("second recovery database: %v", err)
	}
	_, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "R1"}, nil)
	if err == nil || !strings.Contains(err.Error(), "recovery database") {
		t.Fatalf("re-home to a recovery database: %v", err)
	}
}

func TestServerDown(t *testing.T) {
	l := newLab(t, 1)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}, nil)
	if err == nil || !strings.Contains(err.Error(), "is down") {
		t.Fatalf("mount on a down server: %v", err)
	}
}

func TestRefusesPathsOutsideTheLab(t *testing.T) {
	l := newLab(t, 0)
	for _, p := range []string{`D:\..\..\etc\x.edb`, `D:\a\\b.edb`, `relative\x.edb`, `D:\`, `D:\a\.\b.edb`, `\\server\share\x.edb`} {
		_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpCreateDatabase, Database: "X", Server: "EX01", EdbFilePath: p, LogFolderPath: `D:\X\Logs`}, nil)
		if err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpCreateDatabase, Database: "X", Server: "..", EdbFilePath: `D:\X\X.edb`, LogFolderPath: `D:\X\Logs`}, nil)
	if err == nil {
		t.Error("server .. accepted")
	}
}

func TestDamagedOrgFileIsNamed(t *testing.T) {
	l := newLab(t, 0)
	os.WriteFile(l.orgPath(), []byte(`{"version":1,"servers":[null]}`), 0o644)
	_, err := l.Status()
	if err == nil || !strings.Contains(err.Error(), "org.json") {
		t.Fatalf("damaged org: %v", err)
	}
}

func TestDamagedDatabaseFileIsNamed(t *testing.T) {
	l := newLab(t, 1)
	path := filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB02", "DB02.edb")
	os.WriteFile(path, []byte("not a database at all, just some bytes that are long enough to be read as a header page"), 0o644)
	_, err := l.DeliverToDatabase("DB02", 1)
	if err == nil || !strings.Contains(err.Error(), "DB02.edb") {
		t.Fatalf("delivery to a damaged file: %v", err)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if obs.Databases["DB02"].FilesOK {
		t.Fatal("a damaged file reads as FilesOK")
	}
}
