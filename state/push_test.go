package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pushFixture is a local backend holding sampleState written once (serial 8), and a
// copy of that state to push.
func pushFixture(t *testing.T) (path string, pushed *State) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "dialtone.state.json")
	if err := NewLocal(path, LocalOptions{}).Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	pushed = sampleState()
	pushed.Serial = 8
	return path, pushed
}

// reopen is PushOptions.Reopen for the local state at path.
func reopen(path string) func() (Backend, error) {
	return func() (Backend, error) { return NewLocal(path, LocalOptions{}), nil }
}

func storedSerial(t *testing.T, path string) (string, uint64) {
	t.Helper()
	s, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Lineage, s.Serial
}

func TestPushNewerSerialKeepsIt(t *testing.T) {
	path, pushed := pushFixture(t)
	pushed.Serial = 12
	res, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{})
	if err != nil || len(res.Forced) > 0 {
		t.Fatalf("Push: %v, forced %v", err, res.Forced)
	}
	if _, serial := storedSerial(t, path); serial != 12 || pushed.Serial != 12 {
		t.Fatalf("stored serial %d, pushed.Serial %d: want 12 (a newer serial is kept)", serial, pushed.Serial)
	}
	if res.Stored == nil || res.Stored.Serial != 8 {
		t.Fatalf("Stored = %+v, want the state found (serial 8)", res.Stored)
	}
}

func TestPushRefusesSerialNotNewer(t *testing.T) {
	for _, serial := range []uint64{8, 3} {
		path, pushed := pushFixture(t)
		pushed.Serial = serial
		pushed.Servers["EX09"] = &Server{Name: "EX09"}
		_, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{})
		var refused *PushRefusedError
		if !errors.As(err, &refused) || len(refused.Problems) != 1 || !strings.Contains(refused.Problems[0], "is not newer than the stored state's 8") {
			t.Fatalf("serial %d: err = %v, want a refusal for the serial", serial, err)
		}
		if s, _ := NewLocal(path, LocalOptions{}).Read(context.Background()); s.Servers["EX09"] != nil {
			t.Fatalf("serial %d: a refused push changed the state", serial)
		}
	}
}

func TestPushRefusesAnotherLineage(t *testing.T) {
	path, _ := pushFixture(t)
	other := New(NewLineage())
	other.Serial = 20
	_, err := Push(context.Background(), NewLocal(path, LocalOptions{}), other, PushOptions{Reopen: reopen(path)})
	var refused *PushRefusedError
	if !errors.As(err, &refused) || len(refused.Problems) != 1 || !strings.Contains(refused.Problems[0], "its lineage "+other.Lineage+" is not the stored state's") {
		t.Fatalf("err = %v, want a refusal for the lineage", err)
	}
	if lineage, _ := storedSerial(t, path); lineage == other.Lineage {
		t.Fatal("a refused push replaced the state")
	}
}

func TestPushRefusesUnreadableState(t *testing.T) {
	path, pushed := pushFixture(t)
	if err := os.WriteFile(path, []byte("{damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	pushed.Serial = 30
	_, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{Reopen: reopen(path)})
	var refused *PushRefusedError
	if !errors.As(err, &refused) || refused.ReadErr == nil {
		t.Fatalf("err = %v, want a refusal naming the read error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{damaged" {
		t.Fatal("a refused push wrote the state")
	}
}

// A forced push overrides every problem, says which, and still moves the serial past
// the stored one (plans made against it go stale).
func TestPushForceOverridesAndRaisesSerial(t *testing.T) {
	path, _ := pushFixture(t)
	other := New(NewLineage())
	other.Serial = 2
	res, err := Push(context.Background(), NewLocal(path, LocalOptions{}), other, PushOptions{Force: true, Reopen: reopen(path)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Forced) != 2 {
		t.Fatalf("Forced = %q, want the lineage and the serial", res.Forced)
	}
	lineage, serial := storedSerial(t, path)
	if lineage != other.Lineage || serial != 9 || other.Serial != 9 {
		t.Fatalf("stored lineage %s serial %d (pushed.Serial %d), want %s serial 9", lineage, serial, other.Serial, other.Lineage)
	}
}

// Over another lineage the push writes through Reopen: the backend that read the
// stored state refuses another lineage.
func TestPushForceOtherLineageNeedsReopen(t *testing.T) {
	path, _ := pushFixture(t)
	other := New(NewLineage())
	other.Serial = 20
	_, err := Push(context.Background(), NewLocal(path, LocalOptions{}), other, PushOptions{Force: true})
	var werr *PushWriteError
	if !errors.As(err, &werr) {
		t.Fatalf("err = %v, want a write error without Reopen", err)
	}
	if lineage, _ := storedSerial(t, path); lineage == other.Lineage {
		t.Fatal("the state was replaced")
	}
}

func TestPushForceOverUnreadableState(t *testing.T) {
	path, pushed := pushFixture(t)
	if err := os.WriteFile(path, []byte("{damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	pushed.Serial = 30
	res, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{Force: true, Reopen: reopen(path)})
	if err != nil || len(res.Forced) != 1 || !strings.Contains(res.Forced[0], "could not be read") {
		t.Fatalf("Push: %v, forced %q", err, res.Forced)
	}
	if _, serial := storedSerial(t, path); serial != 30 {
		t.Fatalf("stored serial %d, want 30", serial)
	}
}

func TestPushOntoNoState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialtone.state.json")
	pushed := sampleState()
	res, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{})
	if err != nil || res.Stored != nil {
		t.Fatalf("Push: %v, stored %v", err, res.Stored)
	}
	if _, serial := storedSerial(t, path); serial != 7 {
		t.Fatalf("stored serial %d, want 7", serial)
	}
}

// The result says what reading the stored state replayed from its journal, for the
// command to report.
func TestPushReportsReplay(t *testing.T) {
	path := journaled(t)
	pushed := sampleState()
	pushed.Serial = 8
	res, err := Push(context.Background(), NewLocal(path, LocalOptions{}), pushed, PushOptions{})
	var refused *PushRefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("err = %v, want a refusal (serial 8 is the stored one)", err)
	}
	if res.Replay.Steps != 2 {
		t.Fatalf("Replay = %+v, want 2 steps", res.Replay)
	}
}
