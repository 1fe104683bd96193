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
// and the variable that raises it.
func TestLabReadLimits(t *testing.T) {
	t.Parallel() // the limits are options, not the environment
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
	read := map[string]struct {
		f   func() error
		set func(n int64) Limits
	}{
		EnvMaxOrgBytes: {func() error { _, err := l.loadOrg(); return err },
			func(n int64) Limits { return Limits{OrgBytes: n} }},
		EnvMaxLogBytes: {func() error { _, err := readLog(logFile, l.opts.Limits); return err },
			func(n int64) Limits { return Limits{LogBytes: n} }},
		EnvMaxBackupMetaBytes: {func() error { _, _, err := l.readBackup("nightly", "DB01"); return err },
			func(n int64) Limits { return Limits{BackupBytes: n} }},
	}
	for env, r := range read {
		f := r.f
		if err := f(); err != nil {
			t.Fatalf("%s unset: %v", env, err)
		}
		l.opts.Limits = r.set(16)
		err := f()
		var le *state.LimitError
		if !errors.As(err, &le) || le.Limit != 16 || le.Size <= 16 || le.Env != env {
			t.Fatalf("%s at 16: %v", env, err)
		}
		for _, want := range []string{"limit of 16 bytes", env + "=BYTES", l.dir} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s at 16: %q does not say %q", env, err, want)
			}
		}
		l.opts.Limits = r.set(1024)
		if err := f(); err != nil && errors.As(err, &le) && le.Limit != 1024 {
			t.Errorf("%s at 1 KiB: limit %d", env, le.Limit)
		}
		l.opts.Limits = Limits{}
	}
	// Through the public API: a delivery appends to the newest log, which it reads.
	l.opts.Limits = Limits{LogBytes: 16}
	if _, err := l.DeliverToDatabase("DB01", 1); err == nil || !strings.Contains(err.Error(), EnvMaxLogBytes) {
		t.Errorf("delivery with a log over the limit: %v", err)
	}
	l.opts.Limits = Limits{}
	small, err := Open(l.dir, Options{Limits: Limits{OrgBytes: 16}})
	if err == nil {
		_, err = small.Read(t.Context())
	}
	if err == nil || !strings.Contains(err.Error(), EnvMaxOrgBytes) {
		t.Errorf("Open and Read with org.json over the limit: %v", err)
	}
}
