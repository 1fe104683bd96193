package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// migrateEnds is a previous local backend holding a state with two steps still in
// its journal, and an empty new one.
func migrateEnds(t *testing.T) (fromPath, toPath string) {
	t.Helper()
	fromPath = journaled(t)
	toPath = filepath.Join(t.TempDir(), "new.state.json")
	return fromPath, toPath
}

func migrateErr(t *testing.T, err error) *MigrateError {
	t.Helper()
	var me *MigrateError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *MigrateError", err)
	}
	return me
}

// The journal is folded into the previous state first, and the copy is that whole
// document, lineage and serial kept.
func TestMigrateFoldsJournalAndKeepsSerial(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	res, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: NewLocal(toPath, LocalOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Folded || res.Pending != 2 || res.Replay.Steps != 2 {
		t.Fatalf("Folded %v, Pending %d, Replay %+v: want the 2 journal steps folded", res.Folded, res.Pending, res.Replay)
	}
	if _, err := os.Stat(fromPath + ".journal"); !os.IsNotExist(err) {
		t.Fatalf("the previous journal is still there: %v", err)
	}
	from, _ := NewLocal(fromPath, LocalOptions{}).Read(context.Background())
	to, err := NewLocal(toPath, LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Encode(from)
	b, _ := Encode(to)
	if !bytes.Equal(a, b) || to.Serial != 9 || to.Databases["DTDB02"] == nil {
		t.Fatalf("copy (serial %d) differs from the previous state (serial %d), or lacks the journal's steps", to.Serial, from.Serial)
	}
}

func TestMigrateNoState(t *testing.T) {
	dir := t.TempDir()
	_, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(filepath.Join(dir, "a"), LocalOptions{}), To: NewLocal(filepath.Join(dir, "b"), LocalOptions{})})
	if me := migrateErr(t, err); me.Stage != MigrateNoState {
		t.Fatalf("stage %d, want MigrateNoState", me.Stage)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Fatal("a migration of no state wrote the new backend")
	}
}

func TestMigrateRefusesToOverwriteAnotherState(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	other := New(NewLineage())
	if err := NewLocal(toPath, LocalOptions{}).Write(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(toPath)
	_, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: NewLocal(toPath, LocalOptions{})})
	me := migrateErr(t, err)
	if me.Stage != MigrateOccupied || me.Other == nil || me.Other.Lineage != other.Lineage {
		t.Fatalf("stage %d, other %+v: want MigrateOccupied naming the state found", me.Stage, me.Other)
	}
	if after, _ := os.ReadFile(toPath); !bytes.Equal(before, after) {
		t.Fatal("the new backend's state was overwritten")
	}
}

// A second migration finds its own copy: nothing to write.
func TestMigrateAlreadyThere(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	if _, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: NewLocal(toPath, LocalOptions{})}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(toPath)
	res, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: NewLocal(toPath, LocalOptions{})})
	if err != nil || !res.AlreadyThere || res.Folded {
		t.Fatalf("second migration: %v, already there %v, folded %v", err, res.AlreadyThere, res.Folded)
	}
	if _, err := os.Stat(toPath + ".backup"); !os.IsNotExist(err) {
		t.Fatalf("the second migration wrote the new backend again (fi %v)", fi.ModTime())
	}
}

func TestMigrateRefusesSerialZero(t *testing.T) {
	dir := t.TempDir()
	fromPath := filepath.Join(dir, "a")
	s := New(NewLineage())
	if err := NewLocal(fromPath, LocalOptions{}).WriteExact(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	_, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: NewLocal(filepath.Join(dir, "b"), LocalOptions{})})
	if me := migrateErr(t, err); me.Stage != MigrateSerialZero {
		t.Fatalf("stage %d, want MigrateSerialZero", me.Stage)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Fatal("a state of serial 0 was copied")
	}
}

// A backend that cannot keep the serial (plainBackend has only the Backend methods) is not written: the copy would not be the
// same state.
func TestMigrateNeedsExactWrite(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	_, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: plainBackend{NewLocal(toPath, LocalOptions{})}})
	if me := migrateErr(t, err); me.Stage != MigrateWrite {
		t.Fatalf("stage %d, want MigrateWrite", me.Stage)
	}
	if _, err := os.Stat(toPath); !os.IsNotExist(err) {
		t.Fatal("the new backend was written")
	}
}

// alteringBackend reads back something other than what was written.
type alteringBackend struct {
	*Local
	written bool
}

func (a *alteringBackend) WriteExact(ctx context.Context, s *State) error {
	a.written = true
	return a.Local.WriteExact(ctx, s)
}

func (a *alteringBackend) Read(ctx context.Context) (*State, error) {
	s, err := a.Local.Read(ctx)
	if err == nil && a.written {
		delete(s.Mailboxes, "amy@contoso.com")
	}
	return s, err
}

func TestMigrateChecksReadBack(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	_, err := Migrate(context.Background(), MigrateOptions{From: NewLocal(fromPath, LocalOptions{}), To: &alteringBackend{Local: NewLocal(toPath, LocalOptions{})}})
	if me := migrateErr(t, err); me.Stage != MigrateDiffers || me.Other == nil {
		t.Fatalf("stage %d, want MigrateDiffers with the state read back", me.Stage)
	}
}

// failingWrite fails every Write (the fold).
type failingWrite struct{ *Local }

func (f failingWrite) Write(context.Context, *State) error { return errors.New("disk full") }

func TestMigrateStopsWhenTheFoldFails(t *testing.T) {
	fromPath, toPath := migrateEnds(t)
	res, err := Migrate(context.Background(), MigrateOptions{From: failingWrite{NewLocal(fromPath, LocalOptions{})}, To: NewLocal(toPath, LocalOptions{})})
	if me := migrateErr(t, err); me.Stage != MigrateFold || res.Folded || res.Pending != 2 {
		t.Fatalf("stage %d, folded %v, pending %d: want MigrateFold of 2 steps", me.Stage, res.Folded, res.Pending)
	}
	if _, err := os.Stat(toPath); !os.IsNotExist(err) {
		t.Fatal("the new backend was written after a failed fold")
	}
}
