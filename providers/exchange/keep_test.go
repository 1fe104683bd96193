package exchange_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
)

// keep_files through the double (issue 12 §5): the failed .edb is renamed in place with
// Move-Item (the same file, not a copy: the time to dial tone does not grow with its
// size), its logs copied and verified; a file in the way is never overwritten; only the
// database's own file, as Get-MailboxDatabase reports it, is ever moved.
func TestExchangeKeepFilesRenamesInPlace(t *testing.T) {
	r := newRig(t, exampleTopology, 2, rigOpts{})
	ctx := context.Background()
	if _, err := r.lab.DeliverToDatabase("DB01", 4); err != nil {
		t.Fatal(err)
	}
	if err := r.lab.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	host := func(p string) string {
		return filepath.Join(append([]string{r.dir, "lab", "servers", "EX01", p[:1]}, strings.Split(p[3:], `\`)...)...)
	}
	edb, dest := host(`D:\Databases\DB01\DB01.edb`), host(`D:\Databases\DB01-preserved`)
	before, err := os.Stat(edb)
	if err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpKeepFiles, Database: "DB01", Server: "EX01",
		EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DestFolder: `D:\Databases\DB01-preserved`}

	refused := func(what string, op providers.Operation, want string) {
		t.Helper()
		if _, err := r.prov.Apply(ctx, op, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want a refusal containing %q", what, err, want)
		}
		if n := len(r.callsOf(t, "Move-Item")); n != 0 {
			t.Fatalf("%s: %d Move-Item sent", what, n)
		}
	}
	// Not the database's own file, or not out of every database's files.
	other := op
	other.EdbFilePath = `D:\Databases\DB02\DB02.edb`
	if err := dismountDB02(ctx, r); err != nil {
		t.Fatal(err)
	}
	refused("another database's .edb", other, "is not its database file")
	into := op
	into.DestFolder = `D:\Databases\DB02`
	refused("into another database's folder", into, "of database DB02")
	// Something in the way: both files stay, byte for byte.
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	inWay := []byte("a file that was there first")
	if err := os.WriteFile(filepath.Join(dest, "DB01.edb"), inWay, 0o644); err != nil {
		t.Fatal(err)
	}
	refused("a file in the way", op, "refusing to overwrite")
	if got, _ := os.ReadFile(filepath.Join(dest, "DB01.edb")); !bytes.Equal(got, inWay) {
		t.Fatal("the file in the way was overwritten")
	}
	if err := os.Remove(filepath.Join(dest, "DB01.edb")); err != nil {
		t.Fatal(err)
	}

	res, err := r.prov.Apply(ctx, op, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.Stat(filepath.Join(dest, "DB01.edb"))
	if err != nil || !os.SameFile(before, kept) {
		t.Fatalf("the .edb was not renamed in place (same file): %v", err)
	}
	if _, err := os.Stat(edb); !os.IsNotExist(err) {
		t.Fatalf("the .edb is still in place: %v", err)
	}
	moves := r.callsOf(t, "Move-Item")
	if len(moves) != 1 || moves[0].Server != "EX01" || moves[0].Args["literalpath"] != `D:\Databases\DB01\DB01.edb` ||
		moves[0].Args["destination"] != `D:\Databases\DB01-preserved\DB01.edb` {
		t.Fatalf("Move-Item calls: %+v", moves)
	}
	for _, c := range r.callsOf(t, "Copy-Item") {
		if strings.Contains(strings.ToLower(strings.Join(strs(c.Args["literalpath"]), " ")), ".edb") {
			t.Fatalf("the .edb was copied: %+v", c)
		}
	}
	if n := len(r.callsOf(t, "Remove-Item")); n != 0 {
		t.Fatalf("%d Remove-Item sent", n)
	}
	logs, _ := os.ReadDir(host(`D:\Databases\DB01\Logs`))
	if len(logs) == 0 || res.Count != int64(len(logs)+1) || len(res.Wrote) != 0 {
		t.Fatalf("%d logs, result %+v", len(logs), res)
	}
	for _, l := range logs {
		a, _ := os.ReadFile(filepath.Join(host(`D:\Databases\DB01\Logs`), l.Name()))
		if b, err := os.ReadFile(filepath.Join(dest, l.Name())); err != nil || !bytes.Equal(a, b) {
			t.Fatalf("log %s not kept: %v", l.Name(), err)
		}
	}
	if again, err := r.prov.Apply(ctx, op, nil); err != nil || !again.AlreadyDone {
		t.Fatalf("re-run: %+v, %v", again, err)
	}
}

// strs is a bound argument as strings (one value or a list).
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestDialToneRepairKeepsDamagedFileThroughExchange: the dial tone database's file is
// damaged after its own backup; before the backup software restores it in place (a
// manual step with this provider), keep_files renames the damaged file aside into the
// -preserved folder (the same file: it may still hold mail), so the restore overwrites
// nothing. Every message comes back (issue 12 §1 and §2).
func TestDialToneRepairKeepsDamagedFileThroughExchange(t *testing.T) {
	sc := newScenario(t, "../../examples/alternate-server", 4)
	l := sc.r.lab
	rec := sc.cfg.Recoveries["db01-outage"]
	sc.deliver("before the backup", "DB01", 8)
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	sc.stage(config.StageDialTone)
	sc.deliver("on the dial tone database, before its backup", rec.DialTone.Name, 4)
	if err := l.Backup(rec.DialTone.Name, "dtbackup"); err != nil {
		t.Fatal(err)
	}
	sc.deliver("on the dial tone database, after its backup", rec.DialTone.Name, 3)
	if err := l.FailDatabase(rec.DialTone.Name, "corrupt"); err != nil {
		t.Fatal(err)
	}
	// The exchange provider does not read backup sets (the backup software has them): the
	// state learns of dtbackup as the lab took it.
	labObs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sc.st.Backups = labObs.Backups
	damaged := filepath.Join(sc.r.dir, "lab", "servers", "EX02", "E", "DialTone", "DTDB01", "DTDB01.edb")
	before, err := os.Stat(damaged)
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range config.Stages[1:] {
		sc.stage(stage)
	}
	sc.verify()
	if sc.manualDone[providers.OpRestoreBackup] == 0 {
		t.Fatalf("no backup was restored by hand: %v", sc.manualDone)
	}
	var moved bool
	for _, c := range sc.r.callsOf(t, "Move-Item") {
		if c.Server == "EX02" && c.Args["literalpath"] == `E:\DialTone\DTDB01\DTDB01.edb` && c.Args["destination"] == `E:\DialTone\DTDB01-preserved\DTDB01.edb` {
			moved = true
		}
	}
	if !moved {
		t.Fatalf("the damaged DTDB01.edb was not renamed aside before the restore: %+v", sc.r.callsOf(t, "Move-Item"))
	}
	kept, err := os.Stat(filepath.Join(sc.r.dir, "lab", "servers", "EX02", "E", "DialTone", "DTDB01-preserved", "DTDB01.edb"))
	if err != nil || !os.SameFile(before, kept) {
		t.Fatalf("the damaged file is not kept as it was (same file): %v", err)
	}
}
