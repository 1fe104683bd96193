package lab

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

var dagTopo = Topology{
	Servers: []ServerSpec{
		{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
		{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
		{Name: "EX03", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
	},
	Databases: []DatabaseSpec{
		{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, Copies: []string{"EX02", "EX03"}},
	},
}

// copyEdb is the host path of DB01's .edb on server.
func copyEdb(t *testing.T, l *Lab, server string) string {
	t.Helper()
	p, err := l.hostPath(server, `D:\Databases\DB01\DB01.edb`)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dagLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Init(filepath.Join(t.TempDir(), "lab"), dagTopo, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 30); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCopySurvivesHoldsTheMail: the active copy is lost; the copies on EX02 and EX03
// hold the .edb and logs as replicated; nothing is recorded lost, and activating the
// copy on EX02 mounts it from its own files with every message, the mail queued while
// it was down delivered too.
func TestCopySurvivesHoldsTheMail(t *testing.T) {
	l := dagLab(t)
	if err := l.FailDatabaseOn("DB01", "lost", "EX01"); err != nil {
		t.Fatal(err)
	}
	if exists(copyEdb(t, l, "EX01")) {
		t.Fatal("the active copy's .edb survived -mode=lost")
	}
	for _, srv := range []string{"EX02", "EX03"} {
		if !exists(copyEdb(t, l, srv)) {
			t.Fatalf("the copy on %s holds no .edb", srv)
		}
	}
	if _, err := l.DeliverToDatabase("DB01", 5); err != nil { // queued while down
		t.Fatal(err)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Lost) != 0 {
		t.Fatalf("mail recorded lost although copies hold it: %v", rep.Lost)
	}
	if _, err := l.ActivateCopy("DB01", "EX01"); err == nil {
		t.Fatal("activating the lost copy on EX01 was accepted")
	}
	if _, err := l.ActivateCopy("DB01", "EX02"); err != nil {
		t.Fatal(err)
	}
	rep, err = l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Accepted != 35 {
		t.Fatalf("after activating EX02's copy: %+v", rep)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := obs.Databases["DB01"]
	if d.Server != "EX02" || !d.Mounted {
		t.Fatalf("DB01 after the activation: %+v", d)
	}
	got := map[string]string{}
	for _, c := range d.Copies {
		got[c.Server] = c.Status
	}
	if got["EX01"] != "Failed" || got["EX03"] != "Healthy" || len(got) != 2 {
		t.Fatalf("copies after the activation: %v", got)
	}
	// EX03's files of the failure's moment are stale now: the copy follows EX02 again.
	if exists(copyEdb(t, l, "EX03")) {
		t.Fatal("EX03 keeps the stale files it was seeded with")
	}
}

// TestFailOneCopyLosesOnlyItsFiles: -server=EX03 loses EX03's copy files only; the active
// database and EX02's copy keep theirs; a later loss of the active seeds EX02 only.
func TestFailOneCopyLosesOnlyItsFiles(t *testing.T) {
	l := dagLab(t)
	if err := l.FailDatabaseOn("DB01", "corrupt", "EX01"); err != nil { // EX02 and EX03 seeded
		t.Fatal(err)
	}
	if err := l.FailDatabaseOn("DB01", "lost", "EX03"); err != nil {
		t.Fatal(err)
	}
	if exists(copyEdb(t, l, "EX03")) || !exists(copyEdb(t, l, "EX02")) || !exists(copyEdb(t, l, "EX01")) {
		t.Fatal("-server=EX03 did not lose exactly EX03's copy")
	}
	logs, err := l.hostPath("EX03", `D:\Databases\DB01\Logs`)
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(logs); len(names) != 0 {
		t.Fatalf("EX03 keeps log files of its lost copy: %v", names)
	}
	if _, err := l.ActivateCopy("DB01", "EX02"); err != nil {
		t.Fatal(err)
	}
	if rep, err := l.Verify(); err != nil || !rep.OK() {
		t.Fatalf("after activating EX02: %+v %v", rep, err)
	}
}

// TestEveryCopyLostHoldsNoFiles: without -server every copy is lost with the active one.
func TestEveryCopyLostHoldsNoFiles(t *testing.T) {
	l := dagLab(t)
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	for _, srv := range []string{"EX01", "EX02", "EX03"} {
		if exists(copyEdb(t, l, srv)) {
			t.Fatalf("%s holds DB01's .edb after every copy was lost", srv)
		}
	}
	if _, err := l.ActivateCopy("DB01", "EX02"); err == nil {
		t.Fatal("a lost copy was activated")
	}
}
