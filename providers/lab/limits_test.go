package lab

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// TestLabReadLimits: org.json, a transaction log file and a backup description over
// their limits are refused before they are read, naming the file, the size, the limit
// and the variable; a bad value of the variable is an error naming it.
func TestLabReadLimits(t *testing.T) {
	l := newLab(t, 2)
	if _, err := l.DeliverToDatabase("DB01", 3); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	var logFile string
	filepath.WalkDir(l.dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() && strings.HasSuffix(p, ".log") && logFile == "" {
			logFile = p
		}
		return nil
	})
	if logFile == "" {
		t.Fatal("no log file in the lab")
	}
	read := map[string]func() error{
		EnvMaxOrgBytes:        func() error { _, err := l.loadOrg(); return err },
		EnvMaxLogBytes:        func() error { _, err := readLog(logFile); return err },
		EnvMaxBackupMetaBytes: func() error { _, _, err := l.readBackup("nightly", "DB01"); return err },
	}
	for env, f := range read {
		if err := f(); err != nil {
			t.Fatalf("%s unset: %v", env, err)
		}
		t.Setenv(env, "16")
		err := f()
		var le *state.LimitError
		if !errors.As(err, &le) || le.Limit != 16 || le.Size <= 16 || le.Env != env {
			t.Fatalf("%s=16: %v", env, err)
		}
		for _, want := range []string{"limit of 16 bytes", env + "=BYTES", l.dir} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s=16: %q does not say %q", env, err, want)
			}
		}
		t.Setenv(env, "1KiB")
		if err := f(); err != nil && errors.As(err, &le) && le.Limit != 1024 {
			t.Errorf("%s=1KiB: limit %d", env, le.Limit)
		}
		t.Setenv(env, "lots")
		if err := f(); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=lots: %v", env, err)
		}
		t.Setenv(env, "")
	}
	// Through the public API: a delivery appends to the newest log, which it reads.
	t.Setenv(EnvMaxLogBytes, "16")
	if _, err := l.DeliverToDatabase("DB01", 1); err == nil || !strings.Contains(err.Error(), EnvMaxLogBytes) {
		t.Errorf("delivery with a log over the limit: %v", err)
	}
	t.Setenv(EnvMaxLogBytes, "")
	t.Setenv(EnvMaxOrgBytes, "16")
	if _, err := Open(l.dir, Options{}); err == nil || !strings.Contains(err.Error(), EnvMaxOrgBytes) {
		if _, rerr := l.Read(t.Context()); rerr == nil || !strings.Contains(rerr.Error(), EnvMaxOrgBytes) {
			t.Errorf("Open and Read with org.json over the limit: %v, %v", err, rerr)
		}
	}
}
