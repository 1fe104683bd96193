package lab

import (
	"context"
	"path/filepath"
	"testing"
)

func TestGenerate(t *testing.T) {
	spec := GenerateSpec{Servers: 2, DatabasesPerServer: 3, MailboxesPerDatabase: 4, MessagesPerMailbox: 2}
	dir := filepath.Join(t.TempDir(), "lab")
	l, err := Generate(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 6 databases of 4 users, plus one system mailbox per server.
	if len(obs.Servers) != 2 || len(obs.Databases) != 6 || len(obs.Mailboxes) != 6*4+2 {
		t.Fatalf("servers %d databases %d mailboxes %d", len(obs.Servers), len(obs.Databases), len(obs.Mailboxes))
	}
	db := obs.Databases["DB0004"]
	if db == nil || db.Server != "EX002" || !db.Mounted || !db.FilesOK || db.EdbFilePath != `D:\Databases\DB0004\DB0004.edb` {
		t.Fatalf("DB0004: %+v", db)
	}
	if m := obs.Mailboxes[MailboxAddress("DB0006", 4)]; m == nil || m.Database != "DB0006" {
		t.Fatalf("mailbox: %+v", m)
	}
	if lst, err := l.Mailbox(MailboxAddress("DB0002", 3)); err != nil || len(lst.Items) != 2 {
		t.Fatalf("mailbox listing %+v %v", lst, err)
	}
	// Same spec, same organization as Init with the spec's topology.
	init, err := Init(filepath.Join(t.TempDir(), "init"), spec.Topology(), spec.MailboxesPerDatabase)
	if err != nil {
		t.Fatal(err)
	}
	obs2, err := init.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for a, m := range obs2.Mailboxes {
		if g := obs.Mailboxes[a]; g == nil || *g != *m {
			t.Fatalf("mailbox %s: generated %+v, Init %+v", a, g, m)
		}
	}
	if rep, err := l.Verify(); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	if _, err := Generate(dir, spec); err == nil {
		t.Fatal("generated over an existing lab")
	}
}
