package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalReadMissing(t *testing.T) {
	l := NewLocal(filepath.Join(t.TempDir(), "dialtone.state.json"), LocalOptions{})
	if s, err := l.Read(context.Background()); !errors.Is(err, ErrNoState) || s != nil {
		t.Fatalf("Read of no file = %v, %v; want nil, ErrNoState", s, err)
	}
}

func TestLocalWriteRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	s := sampleState()
	s.Serial = 0
	if err := l.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 1 {
		t.Fatalf("serial after the first Write = %d, want 1", s.Serial)
	}
	if _, err := os.Stat(path + ".backup"); !os.IsNotExist(err) {
		t.Fatal("a first write has no previous version to back up")
	}
	first, _ := os.ReadFile(path)

	s.ApplyChange(Change{Stage: &StageMark{Recovery: "db01-outage", Stage: "restored"}})
	if err := l.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2 {
		t.Fatalf("serial after the second Write = %d, want 2", s.Serial)
	}
	backup, err := os.ReadFile(path + ".backup")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(backup, first) {
		t.Fatal(".backup does not hold the previous version")
	}

	got, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 2 || got.Lineage != s.Lineage || got.Recoveries["db01-outage"].Stage != "restored" {
		t.Fatalf("Read = serial %d stage %q", got.Serial, got.Recoveries["db01-outage"].Stage)
	}

	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if strings.Join(names, " ") != "dialtone.state.json dialtone.state.json.backup" {
		t.Fatalf("files left in the folder: %v", names)
	}
}

func TestLocalWriteRefusesAnotherLineage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	l := NewLocal(path, LocalOptions{})
	if err := l.Write(context.Background(), New(NewLineage())); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	other := New(NewLineage())
	if err := l.Write(context.Background(), other); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("Write of another lineage: %v", err)
	}
	if other.Serial != 0 {
		t.Fatal("a refused Write must not raise the serial")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a refused Write changed the file")
	}
}

func TestLocalWriteFailureLeavesFileAndSerial(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	l := NewLocal(path, LocalOptions{})
	s := sampleState()
	if err := l.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	serial := s.Serial
	// The backup cannot be renamed into place (a folder is in the way): the Write must
	// fail before touching the state file, and clean up its temp file.
	if err := os.Mkdir(path+".backup", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), s); err == nil {
		t.Fatal("Write succeeded without a backup")
	}
	if s.Serial != serial {
		t.Fatalf("serial %d after a failed Write, want %d", s.Serial, serial)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a failed Write changed the state file")
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(tmps) != 0 {
		t.Fatalf("temp files left: %v", tmps)
	}
}

func TestLocalDamagedStateNamesBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	s := sampleState()
	for range 2 {
		if err := l.Write(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)/3], 0o600); err != nil { // truncated
		t.Fatal(err)
	}
	_, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	if err == nil {
		t.Fatal("a truncated state file was accepted")
	}
	for _, want := range []string{`state file "` + path + `" is damaged`, "invalid JSON at line", `"` + path + `.backup"`, "copy it over the state file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	// Without a backup the message says so.
	os.Remove(path + ".backup")
	_, err = NewLocal(path, LocalOptions{}).Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "there is no backup") {
		t.Fatalf("error without backup: %v", err)
	}

	// A file edited by hand (valid JSON) is caught by its checksum.
	edited := bytes.Replace(b, []byte(`"mounted": true`), []byte(`"mounted": false`), 1)
	os.WriteFile(path, edited, 0o600)
	if _, err := NewLocal(path, LocalOptions{}).Read(context.Background()); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("hand edit: %v", err)
	}

	// A newer format is not damage: the message says to upgrade.
	os.WriteFile(path, []byte(`{"format_version": 3, "lineage": "x"}`), 0o600)
	if _, err := NewLocal(path, LocalOptions{}).Read(context.Background()); err == nil || strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "upgrade dialtone") {
		t.Fatalf("newer version: %v", err)
	}
}
