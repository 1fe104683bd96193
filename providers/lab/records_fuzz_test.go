package lab

import (
	"context"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
)

// recordBuckets are the directory's record buckets FuzzDirectoryRecords writes into:
// the transport's ledger and queue, the restore requests, where delivery made messages
// durable, the lost set and the destroyed logs.
var recordBuckets = [][]byte{bucketLedger, bucketQueue, bucketRequests, bucketWritten, bucketLost, bucketDestroyed}

// FuzzDirectoryRecords plants one record (any key, any bytes) in one of the lab's
// record buckets and reads the lab through everything that decodes them: Read, Status,
// Verify, a mailbox listing, a queue flush on mount and the restore request operations.
// Damage must come back as an error, never a panic.
func FuzzDirectoryRecords(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "lab")
	l, err := Init(dir, sameServerTopology(), 2)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 3); err != nil {
		f.Fatal(err)
	}
	if err := l.Backup("DB01", "nightly"); err != nil {
		f.Fatal(err)
	}
	if _, err := l.Apply(context.Background(), providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"}, nil); err != nil {
		f.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB02", 2); err != nil { // queued
		f.Fatal(err)
	}
	addr := MailboxAddress("DB01", 1)
	// Seeds: the records the lab wrote itself, and a restore request.
	db, err := bolt.Open(filepath.Join(dir, directoryFile), 0o600, nil)
	if err != nil {
		f.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		for i, name := range recordBuckets {
			tx.Bucket(name).ForEach(func(k, v []byte) error {
				f.Add(uint8(i), string(k), v)
				return nil
			})
		}
		return nil
	})
	db.Close()
	f.Add(uint8(2), string(requestKey(addr, "dialtone-r")), []byte(`{"name":"dialtone-r","source_database":"DB01","target_mailbox":"`+addr+`","source_store_mailbox":"`+exchangeGuid(addr)+`","status":"InProgress","conflict_resolution":"KeepSourceItem","bad_item_limit":10,"cursor":"x","copied":1}`))
	f.Add(uint8(2), "no-separator", []byte(`{}`))
	f.Add(uint8(0), "", []byte(`null`))
	f.Add(uint8(5), "sig", []byte(`{"database":"DB01","prefix":"E00","gens":[3,1,18446744073709551615]}`))

	f.Fuzz(func(t *testing.T, which uint8, key string, value []byte) {
		if key == "" {
			key = "\x00"
		}
		bucket := recordBuckets[int(which)%len(recordBuckets)]
		db, err := bolt.Open(filepath.Join(dir, directoryFile), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		var old []byte
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if v := b.Get([]byte(key)); v != nil {
				old = append([]byte(nil), v...)
			}
			return b.Put([]byte(key), value)
		})
		db.Close()
		if err != nil {
			return // bbolt refuses the key
		}
		defer func() { // put the record back as it was, for the next input
			db, err := bolt.Open(filepath.Join(dir, directoryFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Update(func(tx *bolt.Tx) error {
				if old != nil {
					return tx.Bucket(bucket).Put([]byte(key), old)
				}
				return tx.Bucket(bucket).Delete([]byte(key))
			})
		}()
		ctx := context.Background()
		l, err := Open(dir, Options{})
		if err != nil {
			return
		}
		_, _ = l.Read(ctx)
		_, _ = l.Status()
		_, _ = l.Verify()
		_, _ = l.Mailbox(addr)
		_, _ = l.Apply(ctx, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB02"}, nil)
		_, _ = l.Apply(ctx, providers.Operation{Kind: providers.OpDismountDatabase, Database: "DB02"}, nil)
		_, _ = l.Apply(ctx, providers.Operation{Kind: providers.OpResumeRestoreRequest, Mailbox: addr, Database: "DB01"}, nil)
		_, _ = l.Apply(ctx, providers.Operation{Kind: providers.OpRemoveRestoreRequests, Database: "DB01"}, nil)
	})
}
