package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// sameServerTopology is examples/same-server: EX01 with DB01 and DB02.
func sameServerTopology() Topology {
	return Topology{
		Servers: []ServerSpec{{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}},
		Databases: []DatabaseSpec{
			{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`},
			{Name: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`},
		},
	}
}

func newLab(t testing.TB, perDB int) *Lab {
	t.Helper()
	l, err := Init(filepath.Join(t.TempDir(), "lab"), sameServerTopology(), perDB)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustApply(t testing.TB, l *Lab, op providers.Operation) providers.Result {
	t.Helper()
	res, err := l.Apply(context.Background(), op, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", op.Kind, op.Database, err)
	}
	return res
}

func mustDeliver(t testing.TB, l *Lab, to string, n int) []Accepted {
	t.Helper()
	acc, err := l.Deliver(to, n)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func TestInitStatusDeliver(t *testing.T) {
	l := newLab(t, 5)
	st, err := l.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Databases) != 2 || !st.Databases[0].Mounted || st.Databases[0].Name != "DB01" {
		t.Fatalf("databases = %+v", st.Databases)
	}
	if len(st.Mailboxes) != 11 || st.Mailboxes[0].Address != "db01-user0001@contoso.com" || st.Mailboxes[9].Address != "db02-user0005@contoso.com" ||
		st.Mailboxes[10] != (MailboxStatus{Address: "systemmailbox-db01@contoso.com", Database: "DB01", Kind: "arbitration"}) {
		t.Fatalf("mailboxes = %+v", st.Mailboxes)
	}
	acc := mustDeliver(t, l, "db01-user0002@contoso.com", 3)
	if len(acc) != 3 || acc[0].MessageID != "00000001@lab.dialtone" || acc[2].Queued {
		t.Fatalf("accepted = %+v", acc)
	}
	acc, err = l.DeliverToDatabase("DB02", 7)
	if err != nil {
		t.Fatal(err)
	}
	if acc[0].To != "db02-user0001@contoso.com" || acc[5].To != "db02-user0001@contoso.com" || acc[6].MessageID != "00000010@lab.dialtone" {
		t.Fatalf("round robin = %+v", acc)
	}
	mb, err := l.Mailbox("DB01-user0002@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(mb.Items) != 3 || mb.Items[1].MessageID != "00000002@lab.dialtone" || mb.Items[1].Subject != "Lab message 2" || mb.Database != "DB01" {
		t.Fatalf("mailbox = %+v", mb)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Accepted != 10 || rep.Delivered != 10 {
		t.Fatalf("verify = %+v", rep)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db1 := obs.Databases["DB01"]
	if !db1.Mounted || db1.Clean || !db1.FilesOK || db1.LogFilePrefix != "E00" || obs.Databases["DB02"].LogFilePrefix != "E01" {
		t.Fatalf("DB01 = %+v, DB02 = %+v", db1, obs.Databases["DB02"])
	}
	m := obs.Mailboxes["db01-user0001@contoso.com"]
	if m == nil || m.ExchangeGuid != exchangeGuid("db01-user0001@contoso.com") || len(m.ExchangeGuid) != 36 || m.Database != "DB01" {
		t.Fatalf("mailbox = %+v", m)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB01", "DB01.edb")); err != nil {
		t.Fatal(err)
	}
}

func TestInitRefusesExistingLab(t *testing.T) {
	l := newLab(t, 1)
	_, err := Init(l.dir, sameServerTopology(), 1)
	if err == nil || !strings.Contains(err.Error(), "lab already exists at") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := Open(dir, Options{})
	want := `lab folder "` + dir + `" does not exist: run "dialtone lab init" first`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	l := newLab(t, 1)
	l2, err := Open(l.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l2.Status(); err != nil {
		t.Fatal(err)
	}
}
