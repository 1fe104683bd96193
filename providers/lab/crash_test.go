package lab

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// TestMoveFilesInterruptedAfterCopy leaves both copies in place, as a crash between the
// copy and the delete would, and checks that the re-run finishes the move.
func TestMoveFilesInterruptedAfterCopy(t *testing.T) {
	l := newLab(t, 2)
	acc := mustDeliver(t, l, "db02-user0001@contoso.com", 100)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"})
	op := providers.Operation{Kind: providers.OpMoveFiles, Database: "DB02", Server: "EX01",
		EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`,
		DestEdbFilePath: `F:\DB02\DB02.edb`, DestLogFolderPath: `F:\DB02\Logs`}
	err := l.run(false, func(s *session) error {
		pairs, _, err := s.movePlan(op)
		if err != nil {
			return err
		}
		// Half the files only: the crash came in the middle of the copy.
		_, err = moveCopy(pairs[:len(pairs)/2])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, l, op)
	if res.AlreadyDone || res.Count < 3 {
		t.Fatalf("re-run = %+v", res)
	}
	if exists(filepath.Join(l.dir, "servers", "EX01", "D", "Databases", "DB02", "DB02.edb")) {
		t.Fatal("source left behind")
	}
	if res := mustApply(t, l, op); !res.AlreadyDone {
		t.Fatalf("third run = %+v", res)
	}
	// The moved files are the database: point DB02 at them through a new object.
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "DB02B", Server: "EX01", EdbFilePath: `F:\DB02\DB02.edb`, LogFolderPath: `F:\DB02\Logs`})
	mustApply(t, l, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: "DB02B", Value: true})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB02B"})
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB02", Target: "DB02B"})
	mb, err := l.Mailbox("db02-user0001@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(mb.Items) != 100 || mb.Items[99].MessageID != acc[99].MessageID {
		t.Fatalf("moved mailbox holds %d items", len(mb.Items))
	}
}

// dialToneWithRDB: DB01's users were re-homed to an empty DTDB01, and RDB01 holds
// DB01's restored data (mounted), to merge into the dial tone mailboxes.
func dialToneWithRDB(t *testing.T, before int) *Lab {
	t.Helper()
	l := restoredRDB(t, before, 0)
	mustApply(t, l, providers.Operation{Kind: providers.OpReplayLogs, Database: "RDB01", Server: "EX01", EdbFilePath: rdbEdb, LogFolderPath: rdbLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01", EdbFilePath: dtEdb, LogFolderPath: dtLogs})
	mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"})
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DTDB01"})
	return l
}

func TestMergeResumesWithoutDuplicates(t *testing.T) {
	for _, option := range []string{"KeepSourceItem", "KeepAll", "KeepTargetItem"} {
		t.Run(option, func(t *testing.T) {
			l := dialToneWithRDB(t, 20)
			user := "db01-user0001@contoso.com"
			// The user also got one message during dial tone.
			mustDeliver(t, l, user, 1)
			l.opts.mergeBatch = 3
			batches := 0
			l.opts.afterMergeWrite = func() error {
				if batches++; batches == 2 {
					return errors.New("simulated crash")
				}
				return nil
			}
			op := providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user),
				RequestName: "restore", ConflictResolution: option, BadItemLimit: 0}
			if _, err := l.Apply(context.Background(), op, nil); err == nil {
				t.Fatal("the simulated crash did not stop the merge")
			}
			l.opts.afterMergeWrite = nil
			var last, total int64
			res, err := l.Apply(context.Background(), op, func(done, tot int64) { last, total = done, tot })
			if err != nil {
				t.Fatal(err)
			}
			if res.AlreadyDone || last != 20 || total != 20 {
				t.Fatalf("resumed merge = %+v, progress %d/%d", res, last, total)
			}
			rep, err := l.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.Delivered != 21 {
				t.Fatalf("verify: %+v", rep)
			}
			if res, _ := l.Apply(context.Background(), op, nil); !res.AlreadyDone {
				t.Fatalf("completed request re-run = %+v", res)
			}
			// A mailbox absent from the RDB is skipped, with no request created.
			other := "db02-user0001@contoso.com"
			res, err = l.Apply(context.Background(), providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: other, ExchangeGuid: exchangeGuid(other), RequestName: "restore"}, nil)
			if err != nil || !res.Skipped {
				t.Fatalf("merge of an absent mailbox = %+v, %v", res, err)
			}
		})
	}
}

func TestMergeConflictResolution(t *testing.T) {
	user := "db01-user0001@contoso.com"
	for option, dups := range map[string]int{"KeepAll": 1, "KeepSourceItem": 0, "KeepTargetItem": 0} {
		t.Run(option, func(t *testing.T) {
			l := dialToneWithRDB(t, 4)
			// The target already holds the first message, from somewhere else.
			err := l.run(false, func(s *session) error {
				return s.writeRecords(s.org.database("DTDB01"), []logRecord{{Op: opPut, Guid: exchangeGuid(user), Key: "00000001@lab.dialtone",
					Item: item{MessageID: "00000001@lab.dialtone", Subject: "target copy"}}})
			})
			if err != nil {
				t.Fatal(err)
			}
			op := providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user), RequestName: "a", ConflictResolution: option}
			mustApply(t, l, op)
			op.RequestName = "b" // a second request meets its own earlier copies: nothing new
			mustApply(t, l, op)
			rep, _ := l.Verify()
			if len(rep.Duplicated) != dups || rep.Delivered != 4 {
				t.Fatalf("verify: %+v", rep)
			}
			mb, _ := l.Mailbox(user)
			subject := mb.Items[0].Subject
			if want := map[string]string{"KeepAll": mb.Items[0].Subject, "KeepSourceItem": "Lab message 1", "KeepTargetItem": "target copy"}[option]; subject != want {
				t.Fatalf("first item subject %q, want %q", subject, want)
			}
		})
	}
}

func TestMergeBadItemLimit(t *testing.T) {
	l := dialToneWithRDB(t, 5)
	user := "db01-user0001@contoso.com"
	err := l.run(false, func(s *session) error {
		db := s.org.database("RDB01")
		return s.writeRecords(db, []logRecord{{Op: opPut, Guid: exchangeGuid(user), Key: "bad1", Item: item{MessageID: "bad1", Bad: true}},
			{Op: opPut, Guid: exchangeGuid(user), Key: "bad2", Item: item{MessageID: "bad2", Bad: true}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpMergeMailbox, Source: "RDB01", Mailbox: user, ExchangeGuid: exchangeGuid(user), RequestName: "r", BadItemLimit: 1}
	if _, err := l.Apply(context.Background(), op, nil); err == nil {
		t.Fatal("two bad items passed a limit of one")
	}
	op.BadItemLimit = 2 // raised and resumed, as Set-MailboxRestoreRequest would
	res := mustApply(t, l, op)
	if res.Count != 5 {
		t.Fatalf("merge = %+v", res)
	}
}
