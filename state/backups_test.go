package state

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLocalKeepsNBackups writes seven versions with three backups kept: the backups
// are the three versions before the current one, newest in FILE.backup.
func TestLocalKeepsNBackups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	l := NewLocal(path, LocalOptions{Backups: 3})
	s := sampleState()
	for range 7 {
		if err := l.Write(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	n := s.Serial
	want := map[string]uint64{path + ".backup": n - 1, path + ".backup.1": n - 2, path + ".backup.2": n - 3}
	for p, serial := range want {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got.Serial != serial {
			t.Errorf("%s holds serial %d, want %d", p, got.Serial, serial)
		}
	}
	if _, err := os.Stat(path + ".backup.3"); !os.IsNotExist(err) {
		t.Errorf("a fourth backup was kept: %v", err)
	}
	if got := l.BackupPaths(); len(got) != 3 || got[0] != path+".backup" {
		t.Errorf("BackupPaths = %v", got)
	}
}

// TestLocalDamagedNamesNewestGoodBackup damages the state and its newest backup: the
// error names the newest backup that reads back whole, with the command to restore it.
func TestLocalDamagedNamesNewestGoodBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	s := sampleState()
	for range 4 {
		if err := l.Write(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(path, []byte("{\n  \"format_version\": 1,"), 0o600)
	os.WriteFile(path+".backup", []byte("garbage"), 0o600)
	_, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	if err == nil {
		t.Fatal("a damaged state was accepted")
	}
	for _, want := range []string{
		`is damaged`,
		`the newest good backup is "` + path + `.backup.1"`,
		`cp "` + path + `.backup.1" "` + path + `"`,
		`older versions: "` + path + `.backup.1", "` + path + `.backup.2"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
}

// TestLocalLeaseRenewedAndExpired: the holder renews its lease while it holds the lock;
// a lock file whose lease ran out is stale even when written from another host.
func TestLocalLeaseRenewedAndExpired(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	l := NewLocal(path, LocalOptions{Lease: 1500 * time.Millisecond})
	unlock, err := l.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	readInfo := func() LockInfo {
		var info LockInfo
		b, _ := os.ReadFile(path + ".lock")
		if err := json.Unmarshal(b, &info); err != nil {
			t.Fatalf("lock file %q: %v", b, err)
		}
		return info
	}
	first := readInfo().Expires
	if first.IsZero() {
		t.Fatal("the lock file has no lease")
	}
	time.Sleep(1600 * time.Millisecond)
	if renewed := readInfo().Expires; !renewed.After(first) {
		t.Fatalf("lease not renewed: %v then %v", first, renewed)
	}
	_, err = NewLocal(path, LocalOptions{}).Lock(context.Background(), "apply")
	le, ok := err.(*LockError)
	if !ok || le.Stale {
		t.Fatalf("a held, renewed lock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}

	// A lock file from another host whose lease ran out an hour ago.
	info := LockInfo{ID: "abc", Operation: "apply", Who: "admin@ex-mgmt-02", PID: 4242, Host: "ex-mgmt-02",
		Created: time.Now().Add(-2 * time.Hour).UTC(), Expires: time.Now().Add(-time.Hour).UTC()}
	b, _ := json.Marshal(info)
	os.WriteFile(path+".lock", b, 0o600)
	f, _ := os.Open(path + ".lock")
	defer f.Close()
	if err := lockFile(f); err != nil { // held by "someone": only the lease tells
		t.Fatal(err)
	}
	_, err = NewLocal(path, LocalOptions{}).Lock(context.Background(), "apply")
	le, ok = err.(*LockError)
	if !ok || !le.Stale || le.Gone {
		t.Fatalf("expired lease: %#v", err)
	}
	for _, want := range []string{"lease ran out", `dialtone force-unlock abc`} {
		if !strings.Contains(le.Error(), want) {
			t.Errorf("%q does not contain %q", le.Error(), want)
		}
	}
}
