package lab

import (
	"bytes"
	"path/filepath"
	"sort"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
)

// checkHomeIndex compares the by_home index with what a scan of the directory gives.
func checkHomeIndex(t *testing.T, l *Lab) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(l.dir, directoryFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		var want, got []string
		if err := tx.Bucket(bucketMailboxes).ForEach(func(k, v []byte) error {
			m, err := decodeMailbox(k, v)
			if err != nil {
				return err
			}
			for _, key := range m.indexKeys() {
				want = append(want, string(key))
			}
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByHome).ForEach(func(k, _ []byte) error {
			got = append(got, string(k))
			return nil
		}); err != nil {
			return err
		}
		sort.Strings(want)
		if len(got) != len(want) {
			t.Fatalf("index has %d keys, directory gives %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("index key %d = %q, want %q", i, got[i], want[i])
			}
		}
		if string(tx.Bucket(bucketMeta).Get(metaIndexed)) != indexVersion {
			t.Fatal("index not marked built")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHomeIndexFollowsEveryWrite(t *testing.T) {
	l := newLab(t, 5)
	checkHomeIndex(t, l)
	if err := l.EnableArchive("db01-user0002@contoso.com", "DB02"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.MoveMailbox("db01-user0003@contoso.com", "DB02"); err != nil {
		t.Fatal(err)
	}
	checkHomeIndex(t, l)
	mustApply(t, l, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB01"})
	res := mustApply(t, l, providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "db01", Target: "DB02"})
	if res.Count != 4 {
		t.Fatalf("re-homed %d, want the 4 users left on DB01", res.Count)
	}
	checkHomeIndex(t, l)
	if _, err := l.DeliverToDatabase("DB02", 20); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 1); err == nil {
		t.Fatal("DeliverToDatabase found users on DB01 after the re-home")
	}
	res = mustApply(t, l, providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: "DB01", Target: "DB02"})
	if res.Count != 1 {
		t.Fatalf("system re-home moved %d, want the arbitration mailbox", res.Count)
	}
	checkHomeIndex(t, l)
}

// A lab written before the index (no by_home bucket, no meta key) gets it built on open.
func TestHomeIndexBuiltForOldLab(t *testing.T) {
	l := newLab(t, 3)
	if err := l.EnableArchive("db01-user0001@contoso.com", "DB02"); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(l.dir, directoryFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketByHome); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(metaIndexed)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := l.Status() // any call opens the directory
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Mailboxes) != 7 {
		t.Fatalf("%d mailboxes", len(st.Mailboxes))
	}
	checkHomeIndex(t, l)
	acc, err := l.DeliverToDatabase("DB01", 3)
	if err != nil || len(acc) != 3 || !bytes.HasPrefix([]byte(acc[0].To), []byte("db01-user0001")) {
		t.Fatalf("DeliverToDatabase = %+v, %v", acc, err)
	}
}
