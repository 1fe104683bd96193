package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// BenchmarkRehome100k re-homes 100,000 mailboxes back and forth (target: well under 2 s).
func BenchmarkRehome100k(b *testing.B) {
	topo := Topology{
		Servers: []ServerSpec{{Name: "EX01", Edition: "enterprise"}},
		Databases: []DatabaseSpec{
			{Name: "DB01", Server: "EX01", EdbFilePath: `D:\DB01\DB01.edb`, LogFolderPath: `D:\DB01\Logs`},
			{Name: "DB02", Server: "EX01", EdbFilePath: `D:\DB02\DB02.edb`, LogFolderPath: `D:\DB02\Logs`},
		},
	}
	l, err := Init(filepath.Join(b.TempDir(), "lab"), topo, 50000)
	if err != nil {
		b.Fatal(err)
	}
	from, to := "DB01", "DB02"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Everything onto one database, then back: each run moves 100,000 mailboxes once.
		res, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpRehomeMailboxes, Database: from, Target: to}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if i > 0 && res.Count != 100000 {
			b.Fatalf("moved %d", res.Count)
		}
		if i == 0 {
			b.StopTimer()
			if _, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpRehomeMailboxes, Database: to, Target: from}, nil); err != nil {
				b.Fatal(err)
			}
			if _, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpRehomeMailboxes, Database: from, Target: to}, nil); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		from, to = to, from
	}
}

// BenchmarkMerge measures restore request throughput in items per second.
func BenchmarkMerge(b *testing.B) {
	const items = 20000
	l := newLab(b, 1)
	user := "db01-user0001@contoso.com"
	if _, err := l.Deliver(user, items); err != nil {
		b.Fatal(err)
	}
	if err := l.Backup("DB01", "full"); err != nil {
		b.Fatal(err)
	}
	for _, op := range []providers.Operation{
		{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true},
		{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "full", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs},
		{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs},
		{Kind: providers.OpMountDatabase, Database: "RDB01"},
	} {
		mustApply(b, l, op)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := mustApply(b, l, providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user),
			RequestName: fmt.Sprintf("r%d", i), ConflictResolution: "KeepSourceItem"})
		if res.Count != items {
			b.Fatalf("copied %d", res.Count)
		}
	}
	b.ReportMetric(float64(items*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkRead100k reads an organization of 100,000 mailboxes with a backup and a
// few hundred log generations (target: well under 1 s).
func BenchmarkRead100k(b *testing.B) {
	topo := Topology{
		Servers:   []ServerSpec{{Name: "EX01", Edition: "enterprise", CapacityBytes: 1 << 40}},
		Databases: []DatabaseSpec{{Name: "DB01", Server: "EX01", EdbFilePath: `D:\DB01\DB01.edb`, LogFolderPath: `D:\DB01\Logs`}},
	}
	l, err := Init(filepath.Join(b.TempDir(), "lab"), topo, 100000)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 20000); err != nil {
		b.Fatal(err)
	}
	if err := l.Backup("DB01", "full"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		obs, err := l.Read(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(obs.Mailboxes) != 100001 || obs.Databases["DB01"].Logs == nil || len(obs.Backups) != 1 {
			b.Fatalf("read %d mailboxes", len(obs.Mailboxes))
		}
	}
}
