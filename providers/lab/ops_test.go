package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

func applyErr(t *testing.T, l *Lab, op providers.Operation, want string) {
	t.Helper()
	_, err := l.Apply(context.Background(), op, nil)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: err = %v, want it to contain %q", op.Kind, err, want)
	}
}

func TestSystemMailboxesAndRemoveRefusal(t *testing.T) {
	l := newLab(t, 7)
	sys := "systemmailbox-db01@contoso.com"
	if _, err := l.Deliver(sys, 1); err == nil || !strings.Contains(err.Error(), "arbitration system mailbox") {
		t.Fatalf("delivery to a system mailbox: %v", err)
	}
	acc, err := l.DeliverToDatabase("DB01", 14)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acc {
		if a.To == sys {
			t.Fatal("DeliverToDatabase sent mail to the system mailbox")
		}
	}
	if err := l.EnableArchive("db02-user0001@contoso.com", "DB01"); err != nil {
		t.Fatal(err)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m := obs.Mailboxes[sys]; m == nil || m.Kind != "arbitration" || m.Database != "DB01" {
		t.Fatalf("system mailbox = %+v", m)
	}
	if _, ok := obs.Mailboxes["systemmailbox-db02@contoso.com"]; ok {
		t.Fatal("the second database of EX01 got a system mailbox too")
	}
	if !obs.Mailboxes["db01-user0007@contoso.com"].NoAutodiscover || obs.Mailboxes["db01-user0006@contoso.com"].NoAutodiscover {
		t.Fatal("user0007, and only it, has no Autodiscover")
	}
	if m := obs.Mailboxes["db02-user0001@contoso.com"]; m.ArchiveDatabase != "DB01" || m.Database != "DB02" {
		t.Fatalf("archive = %+v", m)
	}

	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01"})
	if res := applyTwice(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"}); res.Count != 7 {
		t.Fatalf("re-homed %d, want the 7 users only", res.Count)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB01"})
	applyErr(t, l, providers.Operation{Kind: providers.OpRemoveDatabase, Database: "DB01"}, "1 arbitration mailbox, 1 archive point at it")
	if res := applyTwice(t, l, providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: "DB01", Target: "DTDB01"}); res.Count != 2 {
		t.Fatalf("system re-home = %+v", res)
	}
	obs, _ = l.Read(context.Background())
	if obs.Mailboxes[sys].Database != "DTDB01" || obs.Mailboxes["db02-user0001@contoso.com"].ArchiveDatabase != "DTDB01" ||
		obs.Mailboxes["db02-user0001@contoso.com"].Database != "DB02" || !obs.Mailboxes["db01-user0007@contoso.com"].NoAutodiscover {
		t.Fatalf("after system re-home: %+v %+v", obs.Mailboxes[sys], obs.Mailboxes["db02-user0001@contoso.com"])
	}
	applyTwice(t, l, providers.Operation{Kind: providers.OpRemoveDatabase, Database: "DB01"})
	applyErr(t, l, providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: "DB02", Target: "NOPE"}, "does not exist")
	// Users of DB02 still count: a user mailbox, then several kinds together.
	applyErr(t, l, providers.Operation{Kind: providers.OpRemoveDatabase, Database: "DB02"}, "is mounted")
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	applyErr(t, l, providers.Operation{Kind: providers.OpRemoveDatabase, Database: "DB02"}, "7 user mailboxes point at it")
}

func TestResubmitProvisioningAndManualOps(t *testing.T) {
	l := newLab(t, 2)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	mustDeliver(t, l, "db02-user0001@contoso.com", 3)
	res := mustApply(t, l, providers.Operation{Kind: providers.OpResubmitQueues, Database: "DB02"})
	if res.Count != 0 || !res.AlreadyDone || !strings.Contains(res.Detail, "3 stay queued") {
		t.Fatalf("resubmit while DB02 is down = %+v", res)
	}
	// Mount without draining, as if the mount had crashed before its drain.
	l.run(false, func(s *session) error {
		s.org.database("DB02").Mounted = true
		return s.saveOrg()
	})
	res = mustApply(t, l, providers.Operation{Kind: providers.OpResubmitQueues, Database: "DB02", Target: "DB02"})
	if res.Count != 3 || res.AlreadyDone {
		t.Fatalf("resubmit = %+v", res)
	}
	if res := mustApply(t, l, providers.Operation{Kind: providers.OpResubmitQueues, Database: "DB02"}); !res.AlreadyDone || res.Count != 0 {
		t.Fatalf("second resubmit = %+v", res)
	}
	if rep, _ := l.Verify(); !rep.OK() || rep.Delivered != 3 {
		t.Fatalf("verify: %+v", rep)
	}

	applyTwice(t, l, providers.Operation{Kind: providers.OpSetExcludedFromProvisioning, Database: "DB02", Value: true})
	st, _ := l.Status()
	if !st.Databases[1].ExcludedFromProvisioning || st.Databases[0].ExcludedFromProvisioning {
		t.Fatalf("status = %+v", st.Databases)
	}
	applyErr(t, l, providers.Operation{Kind: providers.OpRecoverServer, Server: "EX01"}, "manual step")
	applyErr(t, l, providers.Operation{Kind: providers.OpRepointProfiles, Server: "EX01", Mailboxes: []string{"a"}}, "manual step")
	if l.Capabilities().RecoverServer {
		t.Fatal("the lab claims to rebuild servers")
	}
}

func TestReadReportsNewFields(t *testing.T) {
	topo := sameServerTopology()
	topo.Servers[0].SchemaVersion, topo.Servers[0].CapacityBytes, topo.Servers[0].MaximumActiveDatabases = "0.5", 1<<30, 4
	l, err := Init(filepath.Join(t.TempDir(), "lab"), topo, 3)
	if err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", 10)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", 200) // generations after the backup
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sv := obs.Servers["EX01"]
	used, _ := treeSize(filepath.Join(l.dir, "servers", "EX01"))
	if sv.SchemaVersion != "0.5" || sv.CapacityBytes != 1<<30 || sv.MaximumActiveDatabases != 4 || sv.UsedBytes != used || used == 0 {
		t.Fatalf("server = %+v (used %d)", sv, used)
	}
	d := obs.Databases["DB01"]
	b := obs.Backups["DB01/full"]
	if b == nil || b.Set != "full" || b.Database != "DB01" || b.SizeBytes == 0 || b.Taken.IsZero() || b.Generation != 1 {
		t.Fatalf("backup = %+v", b)
	}
	if d.SizeBytes == 0 || d.Logs == nil || d.Logs.First != 1 || d.Logs.Last != b.Generation+4 || len(d.Logs.Missing) != 0 {
		t.Fatalf("DB01 = %+v logs %+v", d, d.Logs)
	}
	folder := filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB01", "Logs")
	os.Remove(filepath.Join(folder, logFileName("E00", b.Generation+1)))
	os.Remove(filepath.Join(folder, logFileName("E00", b.Generation+2)))
	obs, _ = l.Read(context.Background())
	if m := obs.Databases["DB01"].Logs.Missing; len(m) != 2 || m[0] != b.Generation+1 || m[1] != b.Generation+2 {
		t.Fatalf("missing = %v", m)
	}
	if obs.RestoreRequests == nil || len(obs.RestoreRequests) != 0 {
		t.Fatalf("requests = %v", obs.RestoreRequests)
	}
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	obs, _ = l.Read(context.Background())
	if d := obs.Databases["DB02"]; d.FilesOK || d.Logs != nil || d.SizeBytes != 0 || obs.Servers["EX01"].UsedBytes != 0 {
		t.Fatalf("a down server's files read as %+v", d)
	}
}

func TestLogRangeIsBounded(t *testing.T) {
	r := logRange([]uint64{1, 1 << 40})
	if len(r.Missing) != maxMissingReported || r.Missing[0] != 2 || r.Last != 1<<40 {
		t.Fatalf("range = %d missing, first %v", len(r.Missing), r.Missing[:1])
	}
}

func TestChecks(t *testing.T) {
	topo := sameServerTopology()
	topo.Servers[0].MaximumActiveDatabases = 2
	topo.Servers[0].CapacityBytes = 1 << 30
	l, err := Init(filepath.Join(t.TempDir(), "lab"), topo, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(c providers.Check, want string) {
		t.Helper()
		err := l.Check(ctx, c)
		if want == "" && err != nil {
			t.Fatalf("%s: %v", c.Kind, err)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Fatalf("%s: err = %v, want %q", c.Kind, err, want)
		}
	}
	check(providers.Check{Kind: providers.CheckServerUp, Server: "EX01"}, "")
	check(providers.Check{Kind: providers.CheckServerUp, Server: "EX09"}, `server "EX09" does not exist`)
	check(providers.Check{Kind: providers.CheckMountSlot, Server: "EX01"}, "server EX01 has no mount slot: 2 databases mounted, the limit is 2 (its MaximumActiveDatabases (the enterprise edition allows 100))")
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "X", Server: "EX01", EdbFilePath: `D:\X\X.edb`, LogFolderPath: `D:\X\Logs`})
	applyErr(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "X"}, "already has 2 mounted databases, its MaximumActiveDatabases")
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	check(providers.Check{Kind: providers.CheckMountSlot, Server: "EX01"}, "")
	check(providers.Check{Kind: providers.CheckRecoverySlot, Server: "EX01"}, "")
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "R1", Server: "EX01", EdbFilePath: `E:\R1\x.edb`, LogFolderPath: `E:\R1\Logs`, Recovery: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "R1"})
	check(providers.Check{Kind: providers.CheckRecoverySlot, Server: "EX01"}, "recovery database R1 is mounted there (the limit is one per server)")
	check(providers.Check{Kind: providers.CheckRecoverySlot, Server: "EX01", Database: "r1"}, "")
	check(providers.Check{Kind: providers.CheckDiskRoom, Server: "EX01", Bytes: 1 << 20}, "")
	check(providers.Check{Kind: providers.CheckDiskRoom, Server: "EX01", Bytes: 1 << 31}, "disk full on server EX01: capacity 1073741824 bytes")
	check(providers.Check{Kind: providers.CheckBackupExists, Database: "DB01", Backup: "full"}, `backup set "full" holds no backup of DB01`)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	check(providers.Check{Kind: providers.CheckBackupExists, Database: "db01", Backup: "full"}, "")
	check(providers.Check{Kind: providers.CheckDatabaseMounted, Database: "DB01"}, "")
	check(providers.Check{Kind: providers.CheckDatabaseMounted, Database: "DB02"}, "database DB02 is not mounted")
	check(providers.Check{Kind: providers.CheckNotMounted, Database: "DB02"}, "")
	check(providers.Check{Kind: providers.CheckNotMounted, Database: "DB01"}, "database DB01 is mounted")
	check(providers.Check{Kind: providers.CheckClean, Database: "DB02"}, "")
	check(providers.Check{Kind: providers.CheckClean, Database: "DB01"}, "") // dirty, every log present
	mustDeliver(t, l, "db01-user0001@contoso.com", 100)
	folder := filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB01", "Logs")
	gens, files, _ := listLogs(folder, "E00")
	os.Remove(files[gens[len(gens)-2]])
	l.run(false, func(s *session) error { // the store's checkpoint is older than the gap
		return s.updateHeader(filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB01", "DB01.edb"), func(h *edbHeader) { h.Checkpoint = gens[0] })
	})
	check(providers.Check{Kind: providers.CheckClean, Database: "DB01"}, "is missing from")
	if err := l.FailDatabase("DB02", "corrupt"); err != nil {
		t.Fatal(err)
	}
	check(providers.Check{Kind: providers.CheckClean, Database: "DB02"}, "corrupt")
	if err := l.FailDatabase("DB02", "lost"); err != nil {
		t.Fatal(err)
	}
	check(providers.Check{Kind: providers.CheckClean, Database: "DB02"}, "is missing")
	check(providers.Check{Kind: "weather"}, `check kind "weather" is unknown`)
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	check(providers.Check{Kind: providers.CheckServerUp, Server: "EX01"}, "server EX01 is down")
	check(providers.Check{Kind: providers.CheckDiskRoom, Server: "EX01", Bytes: 1}, "server EX01 is down")
}
