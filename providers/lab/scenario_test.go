package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// fingerprint captures everything an operation could change: what Read and Verify
// report, and every file of the lab by content.
func fingerprint(t *testing.T, l *Lab) string {
	t.Helper()
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, root := range []string{"servers", "backups"} {
		filepath.WalkDir(filepath.Join(l.dir, root), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(p)
			sum := sha256.Sum256(data)
			files = append(files, p+" "+hex.EncodeToString(sum[:8]))
			return nil
		})
	}
	sort.Strings(files)
	a, _ := json.Marshal(obs)
	b, _ := json.Marshal(rep)
	return string(a) + string(b) + strings.Join(files, "\n")
}

// applyTwice applies op, then applies it again and checks that the second run found
// the effect in place and changed nothing.
func applyTwice(t *testing.T, l *Lab, op providers.Operation) providers.Result {
	t.Helper()
	res := mustApply(t, l, op)
	before := fingerprint(t, l)
	again, err := l.Apply(context.Background(), op, nil)
	if err != nil {
		t.Fatalf("%s %s again: %v", op.Kind, op.Database, err)
	}
	if !again.AlreadyDone && !again.Skipped {
		t.Fatalf("%s %s again: not AlreadyDone: %+v", op.Kind, op.Database, again)
	}
	if after := fingerprint(t, l); after != before {
		t.Fatalf("%s %s again changed the lab", op.Kind, op.Database)
	}
	return res
}

const (
	dtEdb   = `D:\DialTone\DTDB01\DTDB01.edb`
	dtLogs  = `D:\DialTone\DTDB01\Logs`
	rdbEdb  = `E:\Recovery\RDB01\DB01.edb`
	rdbLogs = `E:\Recovery\RDB01\Logs`
	db1Edb  = `D:\Databases\DB01\DB01.edb`
	db1Logs = `D:\Databases\DB01\Logs`
)

func ids(acc []Accepted) []string {
	var out []string
	for _, a := range acc {
		out = append(out, a.MessageID)
	}
	return out
}

// TestSameServerRecovery runs exchange-recovery.md 2.1 step by step against a lost DB01
// and proves that no message was lost or duplicated.
func TestSameServerRecovery(t *testing.T) {
	l := newLab(t, 5)
	user := "db01-user0003@contoso.com"
	guid := exchangeGuid(user)

	beforeBackup := mustDeliver(t, l, user, 30) // spans generations: 64 records each
	if _, err := l.DeliverToDatabase("DB01", 20); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB02", 10); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	afterBackup := mustDeliver(t, l, user, 70) // only in the logs
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	queued := mustDeliver(t, l, user, 4)
	for _, a := range queued {
		if !a.Queued {
			t.Fatalf("mail for a lost database was not queued: %+v", a)
		}
	}
	if _, err := l.Mailbox(user); err == nil || !strings.Contains(err.Error(), "DB01") {
		t.Fatalf("mailbox of a lost database: %v", err)
	}

	// Restore service.
	applyTwice(t, l, providers.Operation{Kind: providers.OpCopyFiles, Database: "DB01", Server: "EX01", EdbFilePath: db1Edb, LogFolderPath: db1Logs, DestFolder: `D:\Preserve\DB01`})
	applyTwice(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs})
	if res := applyTwice(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"}); res.Count != 5 {
		t.Fatalf("re-homed %d mailboxes, want 5", res.Count)
	}
	if res := applyTwice(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01", Server: "EX01"}); res.Count != 4 {
		t.Fatalf("mount delivered %d queued messages, want 4: %+v", res.Count, res)
	}
	dialTone := mustDeliver(t, l, user, 6)

	// Restore data.
	applyTwice(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs, Recovery: true})
	applyTwice(t, l, providers.Operation{Kind: providers.OpRestoreBackup, Database: "RDB01", Server: "EX01", Source: "DB01", Backup: "nightly", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	applyTwice(t, l, providers.Operation{Kind: providers.OpCopyLogs, Database: "RDB01", Server: "EX01", Source: "DB01", SourceFolder: `D:\Preserve\DB01`, LogFolderPath: rdbLogs})
	applyTwice(t, l, providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	applyTwice(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01", Server: "EX01"})
	applyTwice(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "RDB01", Server: "EX01"})

	// Swap.
	hold := providers.Operation{Kind: providers.OpMoveFiles, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs,
		DestEdbFilePath: `E:\Hold\DB01.edb`, DestLogFolderPath: `E:\Hold\Logs`}
	applyTwice(t, l, hold)
	applyTwice(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DTDB01", Server: "EX01"})
	duringSwap := mustDeliver(t, l, user, 3)
	applyTwice(t, l, providers.Operation{Kind: providers.OpMoveFiles, Database: "DTDB01", Server: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs,
		DestEdbFilePath: rdbEdb, DestLogFolderPath: rdbLogs})
	applyTwice(t, l, providers.Operation{Kind: providers.OpMoveFiles, Database: "DTDB01", Server: "EX01", EdbFilePath: `E:\Hold\DB01.edb`, LogFolderPath: `E:\Hold\Logs`,
		DestEdbFilePath: dtEdb, DestLogFolderPath: dtLogs})
	_, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01", Server: "EX01"}, nil)
	if err == nil || !strings.Contains(err.Error(), "AllowFileRestore") {
		t.Fatalf("mounting swapped files without AllowFileRestore: %v", err)
	}
	applyTwice(t, l, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: "DTDB01", Value: true})
	if res := applyTwice(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01", Server: "EX01"}); res.Count != 3 {
		t.Fatalf("mount delivered %d queued messages, want 3", res.Count)
	}
	applyTwice(t, l, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: "DTDB01", Value: false})

	// Old mail is back, dial tone mail is not there yet.
	mb, err := l.Mailbox(user)
	if err != nil {
		t.Fatal(err)
	}
	if has(mb, dialTone[0].MessageID) || !has(mb, beforeBackup[0].MessageID) || !has(mb, afterBackup[69].MessageID) {
		t.Fatalf("after the swap the mailbox holds %d items", len(mb.Items))
	}

	// Merge.
	applyTwice(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01", Server: "EX01"})
	st, err := l.Status()
	if err != nil {
		t.Fatal(err)
	}
	merged := 0
	for _, m := range st.Mailboxes {
		if m.Database != "DTDB01" {
			continue
		}
		res := applyTwice(t, l, providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: m.Address, ExchangeGuid: exchangeGuid(m.Address),
			RequestName: "db01-outage", ConflictResolution: "KeepSourceItem", BadItemLimit: 10})
		if !res.Skipped {
			merged++
		}
	}
	if merged != 1 { // only user received mail during dial tone
		t.Fatalf("merged %d mailboxes, want 1", merged)
	}
	_ = guid
	applyTwice(t, l, providers.Operation{Kind: providers.OpRemoveRestoreRequests, Source: "RDB01"})

	// Clean up.
	applyTwice(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "RDB01", Server: "EX01"})
	applyTwice(t, l, providers.Operation{Kind: providers.OpRemoveDatabase, Database: "RDB01"})
	applyTwice(t, l, providers.Operation{Kind: providers.OpDeleteFiles, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})

	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Accepted != 30+20+10+70+4+6+3 || rep.Delivered != rep.Accepted {
		t.Fatalf("verify: %+v", rep)
	}
	mb, err = l.Mailbox(user)
	if err != nil {
		t.Fatal(err)
	}
	for _, period := range [][]Accepted{beforeBackup, afterBackup, queued, dialTone, duringSwap} {
		for _, id := range ids(period) {
			if n := count(mb, id); n != 1 {
				t.Fatalf("%s is in %s %d times", id, user, n)
			}
		}
	}
	if mb.Database != "DTDB01" {
		t.Fatalf("mailbox served by %s", mb.Database)
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := obs.Databases["DTDB01"]; !d.Mounted || !d.FilesOK || d.AllowFileRestore {
		t.Fatalf("DTDB01 = %+v", d)
	}
	if _, ok := obs.Databases["RDB01"]; ok {
		t.Fatal("RDB01 still exists")
	}
}

func has(mb *MailboxListing, id string) bool { return count(mb, id) > 0 }

func count(mb *MailboxListing, id string) int {
	n := 0
	for _, it := range mb.Items {
		if it.MessageID == id {
			n++
		}
	}
	return n
}
