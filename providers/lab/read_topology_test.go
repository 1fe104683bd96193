package lab

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// TestReadTopologyAgreesWithRead: the cheap reads say what Read says of servers,
// databases (mounted, size, settings) and each database's mailboxes, also after a
// dismount and the re-homes, archives included (org.json read again, not its last decoding), and with a
// server down; sizes only of the databases asked for.
func TestReadTopologyAgreesWithRead(t *testing.T) {
	l := newLab(t, 4)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		full, err := l.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		topo, err := l.ReadTopology(ctx, AllSizes)
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range full.Servers {
			got := *topo.Servers[name]
			want := *s
			want.UsedBytes = 0 // the files' total is Read's
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: server %s: topology %+v, Read %+v", when, name, got, want)
			}
		}
		for name, d := range full.Databases {
			got := topo.Databases[name]
			if got == nil || got.Mounted != d.Mounted || got.SizeBytes != d.SizeBytes || got.Server != d.Server ||
				got.EdbFilePath != d.EdbFilePath || got.LogFilePrefix != d.LogFilePrefix || !reflect.DeepEqual(got.Settings, d.Settings) {
				t.Errorf("%s: database %s: topology %+v, Read %+v", when, name, got, d)
			}
			on, err := l.MailboxesOn(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			var want []state.Mailbox
			for _, m := range full.Mailboxes {
				if m.Database == name {
					want = append(want, *m)
				}
			}
			sort.Slice(want, func(i, j int) bool { return want[i].Address < want[j].Address })
			var got2 []state.Mailbox
			for _, m := range on {
				got2 = append(got2, *m)
			}
			if !reflect.DeepEqual(got2, want) {
				t.Errorf("%s: mailboxes on %s: index %v, Read %v", when, name, got2, want)
			}
			arch, err := l.ArchivesOn(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			var wantArch, gotArch []string
			for _, m := range full.Mailboxes {
				if m.ArchiveDatabase == name {
					wantArch = append(wantArch, m.Address)
				}
			}
			sort.Strings(wantArch)
			for _, m := range arch {
				gotArch = append(gotArch, m.Address)
				if !reflect.DeepEqual(*m, *full.Mailboxes[m.Address]) {
					t.Errorf("%s: archive on %s: index %+v, Read %+v", when, name, *m, full.Mailboxes[m.Address])
				}
			}
			if !reflect.DeepEqual(gotArch, wantArch) {
				t.Errorf("%s: archives on %s: index %v, Read %v", when, name, gotArch, wantArch)
			}
		}
		all, err := l.AllMailboxes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(full.Mailboxes) {
			t.Errorf("%s: AllMailboxes lists %d, Read %d", when, len(all), len(full.Mailboxes))
		}
		for _, m := range all {
			if !reflect.DeepEqual(*m, *full.Mailboxes[m.Address]) {
				t.Errorf("%s: AllMailboxes %+v, Read %+v", when, *m, full.Mailboxes[m.Address])
			}
		}
		// Sizes only where asked: none, or one database's.
		bare, err := l.ReadTopology(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		one, err := l.ReadTopology(ctx, func(db string) bool { return db == "DB01" })
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range bare.Databases {
			if d.SizeBytes != 0 || d.Mounted != full.Databases[name].Mounted {
				t.Errorf("%s: %s read without sizes: %+v", when, name, d)
			}
			if want := map[bool]int64{true: full.Databases[name].SizeBytes}[name == "DB01"]; one.Databases[name].SizeBytes != want {
				t.Errorf("%s: %s read with DB01's size only: size %d, want %d", when, name, one.Databases[name].SizeBytes, want)
			}
		}
		if len(topo.Databases) != len(full.Databases) || len(topo.Servers) != len(full.Servers) {
			t.Errorf("%s: topology has %d servers and %d databases, Read %d and %d", when, len(topo.Servers), len(topo.Databases), len(full.Servers), len(full.Databases))
		}
	}
	if err := l.EnableArchive("db01-user0001@contoso.com", "DB02"); err != nil {
		t.Fatal(err)
	}
	check("fresh")
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB02", Target: "DB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: "DB02", Target: "DB01"})
	check("after a dismount and a re-home")
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	check("server down")
}
