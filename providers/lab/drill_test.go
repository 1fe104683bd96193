package lab

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// twoServers: EX01 with DB01, EX02 with DB02 (each server's first database has a
// system mailbox).
func twoServers(t *testing.T, perDB int) *Lab {
	t.Helper()
	topo := Topology{
		Servers: []ServerSpec{{Name: "EX01", Edition: "standard"}, {Name: "EX02", Edition: "standard"}},
		Databases: []DatabaseSpec{
			{Name: "DB01", Server: "EX01", EdbFilePath: db1Edb, LogFolderPath: db1Logs},
			{Name: "DB02", Server: "EX02", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`},
		},
	}
	l, err := Init(filepath.Join(t.TempDir(), "lab"), topo, perDB)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func setCapacity(t *testing.T, l *Lab, server string, free int64) {
	t.Helper()
	err := l.run(false, func(s *session) error {
		used, err := l.usedBytes(server)
		if err != nil {
			return err
		}
		s.org.server(server).CapacityBytes = used + free
		return s.saveOrg()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiskFull(t *testing.T) {
	l := newLab(t, 2)
	user := "db01-user0001@contoso.com"
	mustDeliver(t, l, user, 5)
	setCapacity(t, l, "EX01", 300)
	// A copy that does not fit is refused before any byte is written.
	copyOp := providers.Operation{Kind: providers.OpCopyFiles, Database: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`, DestFolder: `E:\Keep`}
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	applyErr(t, l, copyOp, "disk full on server EX01: capacity")
	if exists(filepath.Join(l.dir, "servers", "EX01", "E", "Keep")) {
		t.Fatal("a refused copy wrote files")
	}
	// A log write that does not fit: DB01 stops cleanly, the mail queues.
	acc := mustDeliver(t, l, user, 20)
	if !acc[0].Queued || !acc[19].Queued {
		t.Fatalf("accepted = %+v", acc[0])
	}
	obs, _ := l.Read(context.Background())
	if d := obs.Databases["DB01"]; d.Mounted || !d.Clean || !d.FilesOK {
		t.Fatalf("DB01 after its log volume filled: %+v", d)
	}
	if obs.Servers["EX01"].UsedBytes > obs.Servers["EX01"].CapacityBytes {
		t.Fatalf("used %d > capacity %d", obs.Servers["EX01"].UsedBytes, obs.Servers["EX01"].CapacityBytes)
	}
	applyErr(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}, "disk full on server EX01")
	if rep, _ := l.Verify(); len(rep.Queued) != 20 || len(rep.Lost) != 0 { // the first 5 sit in the dismounted DB01
		t.Fatalf("verify: %+v", rep)
	}
	// Room again: mount, and the queue drains.
	setCapacity(t, l, "EX01", 1<<20)
	if res := mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}); res.Count != 20 {
		t.Fatalf("mount = %+v", res)
	}
	if rep, _ := l.Verify(); !rep.OK() || rep.Delivered != 25 {
		t.Fatalf("verify: %+v", rep)
	}
	mustApply(t, l, copyOp)
}

func TestServerDownAndCrossServerFiles(t *testing.T) {
	l := twoServers(t, 2)
	user := "db01-user0001@contoso.com"
	before := mustDeliver(t, l, user, 10)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	after := mustDeliver(t, l, user, 10)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup("DB01", "again"); err == nil || !strings.Contains(err.Error(), "server EX01 is down") {
		t.Fatalf("backup on a down server: %v", err)
	}
	keep := providers.Operation{Kind: providers.OpCopyFiles, Database: "DB01", Server: "EX01", EdbFilePath: db1Edb, LogFolderPath: db1Logs, DestFolder: `D:\Keep`}
	applyErr(t, l, keep, "server EX01 is down")
	applyErr(t, l, providers.Operation{Kind: providers.OpDeleteFiles, Database: "DB01", Server: "EX01", EdbFilePath: db1Edb, LogFolderPath: db1Logs}, "server EX01 is down")
	applyErr(t, l, providers.Operation{Kind: providers.OpReplayLogs, Database: "DB01", Server: "EX01", EdbFilePath: db1Edb, LogFolderPath: db1Logs}, "server EX01 is down")
	applyErr(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB01"}, "server EX01 is down")
	if err := l.FailItems("DB01", 1); err == nil || !strings.Contains(err.Error(), "down") {
		t.Fatalf("items on a down server: %v", err)
	}

	// Dial tone on EX02 (alternate_server 1-4).
	dt := providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX02", EdbFilePath: dtEdb, LogFolderPath: dtLogs}
	mustApply(t, l, dt)
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01"})
	queued := mustDeliver(t, l, user, 3)
	if !queued[0].Queued {
		t.Fatal("mail for a down server's database was delivered")
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"})
	applyTwice(t, l, providers.Operation{Kind: providers.OpResubmitQueues, Database: "DB01", Target: "DTDB01"})
	dialTone := mustDeliver(t, l, user, 4)

	// An RDB on EX02 fed from the backup and from the logs on EX01's disks: not while EX01 is down.
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX02", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX02", Source: "DB01", Backup: "full", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	copyLogs := providers.Operation{Kind: providers.OpCopyLogs, Database: "RDB01", Server: "EX02", SourceServer: "EX01", Source: "DB01", SourceFolder: db1Logs, LogFolderPath: rdbLogs}
	applyErr(t, l, copyLogs, "server EX01 is down")
	if err := l.RepairServer("EX01"); err != nil {
		t.Fatal(err)
	}
	if err := l.RepairServer("EX01"); err == nil || !strings.Contains(err.Error(), "is up") {
		t.Fatalf("repairing an up server: %v", err)
	}
	obs, _ := l.Read(context.Background())
	if d := obs.Databases["DB01"]; d.Mounted || d.Clean || !d.FilesOK || !obs.Servers["EX01"].Up {
		t.Fatalf("DB01 after the rebuild = %+v", d)
	}
	if res := applyTwice(t, l, copyLogs); res.Count == 0 {
		t.Fatalf("copy_logs = %+v", res)
	}
	if _, files, _ := listLogs(filepath.Join(l.dir, "servers", "EX02", "E", "Recovery", "RDB01", "Logs"), "E00"); files[2] == "" {
		t.Fatal("logs did not reach EX02")
	}
	applyTwice(t, l, providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX02", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"})
	res := applyTwice(t, l, providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user), RequestName: "r", BadItemLimit: 0})
	if res.Count != 20 {
		t.Fatalf("merge = %+v", res)
	}
	mb, _ := l.Mailbox(user)
	for _, period := range [][]Accepted{before, after, queued, dialTone} {
		for _, id := range ids(period) {
			if count(mb, id) != 1 {
				t.Fatalf("%s is in the mailbox %d times", id, count(mb, id))
			}
		}
	}
	// The dial tone database's files on EX02, copied into a folder on EX01.
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DTDB01"})
	cp := applyTwice(t, l, providers.Operation{Kind: providers.OpCopyFiles, Database: "DTDB01", Server: "EX02", DestServer: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs, DestFolder: `E:\FromEX02`})
	if cp.Count < 2 || !exists(filepath.Join(l.dir, "servers", "EX01", "E", "FromEX02", "DTDB01.edb")) {
		t.Fatalf("copy between servers = %+v", cp)
	}
	// A move between servers: the source goes, the destination holds the files.
	mv := applyTwice(t, l, providers.Operation{Kind: providers.OpMoveFiles, Database: "DTDB01", Server: "EX01", DestServer: "EX02",
		EdbFilePath: `E:\FromEX02\DTDB01.edb`, LogFolderPath: `E:\FromEX02`, DestEdbFilePath: `F:\Back\DTDB01.edb`, DestLogFolderPath: `F:\Back\Logs`})
	if mv.Count < 2 || exists(filepath.Join(l.dir, "servers", "EX01", "E", "FromEX02", "DTDB01.edb")) || !exists(filepath.Join(l.dir, "servers", "EX02", "F", "Back", "DTDB01.edb")) {
		t.Fatalf("move between servers = %+v", mv)
	}
}

// TestLogsLostAfterBackup is the 4.4 drill: DB01 lost with its newest logs. The
// messages whose only copy was in the destroyed generations are Lost, exactly; every
// other one comes back.
func TestLogsLostAfterBackup(t *testing.T) {
	l := newLab(t, 2)
	user := "db01-user0001@contoso.com"
	before := mustDeliver(t, l, user, 10)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	after := mustDeliver(t, l, user, 100) // generation 2 (64), generation 3 (36)
	if err := l.FailLogsAfter("DB01", 9); err == nil || !strings.Contains(err.Error(), "the newest is 3") {
		t.Fatalf("a generation past the end: %v", err)
	}
	if err := l.FailLogsAfter("DB01", 3); err != nil {
		t.Fatal(err)
	}
	wantLost := ids(after[64:])
	rep, _ := l.Verify()
	if !reflect.DeepEqual(rep.Lost, wantLost) || len(rep.Queued) != 0 || len(rep.Missing) != 10+64 {
		t.Fatalf("verify right after the failure: lost %d, missing %d", len(rep.Lost), len(rep.Missing))
	}
	if r := rep.LostReason[wantLost[0]]; !strings.Contains(r, "log generations 3 to 3") || !strings.Contains(r, "log generation 3") {
		t.Fatalf("reason = %q", r)
	}
	queued := mustDeliver(t, l, user, 2)

	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "full", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpCopyLogs, Database: "RDB01", Server: "EX01", Source: "DB01", SourceFolder: db1Logs, LogFolderPath: rdbLogs})
	replay := providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs}
	applyErr(t, l, replay, "accept losing them (eseutil /r /a, accept_data_loss)")
	if err := l.Check(context.Background(), providers.Check{Kind: providers.CheckClean, Database: "RDB01"}); err == nil || !strings.Contains(err.Error(), "tail is missing") {
		t.Fatalf("clean check: %v", err)
	}
	applyErr(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"}, "are missing")
	replay.AcceptDataLoss = true
	if res := applyTwice(t, l, replay); !strings.Contains(res.Detail, "data loss accepted: generation 3") {
		t.Fatalf("replay /a = %+v", res)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user), RequestName: "r"})
	rep, _ = l.Verify()
	if !reflect.DeepEqual(rep.Lost, wantLost) || !rep.OKExceptLost() || rep.OK() || rep.Delivered != 10+64+2 {
		t.Fatalf("verify after the recovery: %+v", rep)
	}
	mb, _ := l.Mailbox(user)
	for _, id := range append(ids(before), append(ids(after[:64]), ids(queued)...)...) {
		if count(mb, id) != 1 {
			t.Fatalf("%s is in the mailbox %d times", id, count(mb, id))
		}
	}
}

// TestGapReplayWithAcceptDataLoss: a gap in the middle stops eseutil /r; with /a the
// file is made clean at the gap.
func TestGapReplayWithAcceptDataLoss(t *testing.T) {
	l := restoredRDB(t, 10, 300)
	folder := filepath.Join(l.dir, "servers", "EX01", "E", "Recovery", "RDB01", "Logs")
	gens, files, _ := listLogs(folder, "E00")
	gap := gens[len(gens)-3]
	removeFile(t, files[gap])
	op := providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs}
	applyErr(t, l, op, "is missing")
	op.AcceptDataLoss = true
	res := applyTwice(t, l, op)
	if !strings.Contains(res.Detail, "Clean Shutdown at generation "+uitoa(gap-1)) {
		t.Fatalf("replay /a = %+v", res)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"})
	// Nothing was injected: a merge would miss what was after the gap, and Verify would
	// call it Missing, never Lost.
	if rep, _ := l.Verify(); len(rep.Lost) != 0 {
		t.Fatalf("lost = %v", rep.Lost)
	}
}

// TestBadItems is 4.5: a request Failed on bad items resumes with a raised limit,
// without duplicates; skipped items are Lost; within the limit it ends
// CompletedWithWarning.
func TestBadItems(t *testing.T) {
	l := dialToneWithRDB(t, 20)
	user := "db01-user0001@contoso.com"
	if err := l.FailItems("RDB01", 30); err == nil || !strings.Contains(err.Error(), "fewer than 30") {
		t.Fatalf("too many bad items: %v", err)
	}
	if err := l.FailItems("RDB01", 3); err != nil {
		t.Fatal(err)
	}
	l.opts.mergeBatch = 2
	resume := providers.Operation{Kind: providers.OpResumeRestoreRequest, Mailbox: user, RequestName: "r", BadItemLimit: 5}
	applyErr(t, l, resume, "resume never creates one")
	merge := providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user), RequestName: "r", BadItemLimit: 1}
	applyErr(t, l, merge, "Failed: 2 bad items exceed BadItemLimit 1")
	applyErr(t, l, merge, "Failed: 2 bad items exceed BadItemLimit 1") // the same limit fails again
	obs, _ := l.Read(context.Background())
	if r := obs.RestoreRequests[user+`\r`]; r == nil || r.Status != "Failed" || r.BadItems != 2 || r.BadItemLimit != 1 || r.SourceDatabase != "RDB01" {
		t.Fatalf("request = %+v", r)
	}
	res := mustApply(t, l, resume)
	if res.Count != 17 || !strings.Contains(res.Detail, "CompletedWithWarning") {
		t.Fatalf("resume = %+v", res)
	}
	if res := mustApply(t, l, resume); !res.AlreadyDone {
		t.Fatalf("second resume = %+v", res)
	}
	obs, _ = l.Read(context.Background())
	if r := obs.RestoreRequests[user+`\r`]; r.Status != "CompletedWithWarning" || r.BadItems != 3 || r.BadItemLimit != 5 {
		t.Fatalf("request = %+v", r)
	}
	rep, _ := l.Verify()
	want := []string{"00000001@lab.dialtone", "00000002@lab.dialtone", "00000003@lab.dialtone"}
	if !reflect.DeepEqual(rep.Lost, want) || !rep.OKExceptLost() || rep.Delivered != 17 || !strings.Contains(rep.LostReason[want[0]], "bad item in RDB01") {
		t.Fatalf("verify: %+v", rep)
	}

	// Within the limit from the start: CompletedWithWarning at once.
	l = dialToneWithRDB(t, 5)
	if err := l.FailItems("RDB01", 2); err != nil {
		t.Fatal(err)
	}
	merge.BadItemLimit = 2
	res = applyTwice(t, l, merge)
	if res.Count != 3 || !strings.Contains(res.Detail, "2 bad items skipped") {
		t.Fatalf("merge = %+v", res)
	}
	rep, _ = l.Verify()
	if len(rep.Lost) != 2 || !rep.OKExceptLost() || rep.Delivered != 3 {
		t.Fatalf("verify: %+v", rep)
	}
	applyTwice(t, l, providers.Operation{Kind: providers.OpRemoveRestoreRequests, Source: "RDB01"})
}

// TestDestroyedWithoutBackup: a database lost with no backup loses every message only it
// held; a lost backup makes a lost database's old mail Lost; a dial tone database can
// fail too (4.7).
func TestDestroyedWithoutBackup(t *testing.T) {
	l := newLab(t, 1)
	acc := mustDeliver(t, l, "db02-user0001@contoso.com", 5)
	if err := l.FailDatabase("DB02", "lost"); err != nil {
		t.Fatal(err)
	}
	rep, _ := l.Verify()
	if !reflect.DeepEqual(rep.Lost, ids(acc)) || len(rep.Missing) != 0 || !strings.Contains(rep.LostReason[acc[0].MessageID], "database DB02 lost") {
		t.Fatalf("verify: %+v", rep)
	}

	l = newLab(t, 1)
	old := mustDeliver(t, l, "db01-user0001@contoso.com", 3)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	if rep, _ := l.Verify(); len(rep.Lost) != 0 || len(rep.Missing) != 3 {
		t.Fatalf("with a backup nothing is lost yet: %+v", rep)
	}
	if err := l.FailBackup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	if err := l.FailBackup("DB01", "full"); err == nil {
		t.Fatal("a deleted backup was deleted again")
	}
	if err := l.Check(context.Background(), providers.Check{Kind: providers.CheckBackupExists, Database: "DB01", Backup: "full"}); err == nil {
		t.Fatal("the deleted backup still exists")
	}
	if rep, _ := l.Verify(); !reflect.DeepEqual(rep.Lost, ids(old)) || len(rep.Missing) != 0 {
		t.Fatalf("after the backup went: %+v", rep)
	}

	l = dialToneWithRDB(t, 2)
	dialTone := mustDeliver(t, l, "db01-user0001@contoso.com", 4)
	if err := l.FailDatabase("DTDB01", "lost"); err != nil {
		t.Fatal(err)
	}
	rep, _ = l.Verify()
	if !reflect.DeepEqual(rep.Lost, ids(dialTone)) {
		t.Fatalf("dial tone database lost: %+v", rep)
	}
}

func removeFile(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func uitoa(n uint64) string { return strconv.FormatUint(n, 10) }
