package lab

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// checkPrivate fails unless every file under dir is 0600 and every folder 0700: the lab
// holds mailbox content, readable by its owner only.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	files, dirs := 0, 0
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case e.IsDir():
			dirs++
			if m := info.Mode().Perm(); m != 0o700 {
				t.Errorf("folder %s: mode %04o, want 0700", p, m)
			}
		case e.Type().IsRegular():
			files++
			if m := info.Mode().Perm(); m != 0o600 {
				t.Errorf("file %s: mode %04o, want 0600", p, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 || dirs < 3 {
		t.Fatalf("%s: only %d files and %d folders: the test proves nothing", dir, files, dirs)
	}
}

// TestLabFilesPrivate: a lab built, delivered to, backed up, failed, then generated in
// bulk, has every file 0600 and every folder 0700 (the one-shot recovery steps are
// covered end to end by cmd/dialtone's TestFileModes).
func TestLabFilesPrivate(t *testing.T) {
	l := newLab(t, 3)
	if _, err := l.DeliverToDatabase("DB01", 5); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup("DB01", "nightly"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 3); err != nil {
		t.Fatal(err)
	}
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB02", 3); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, l.dir)

	g, err := Generate(filepath.Join(t.TempDir(), "gen"), GenerateSpec{Servers: 1, DatabasesPerServer: 2, MailboxesPerDatabase: 3, MessagesPerMailbox: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, g.dir)
}
