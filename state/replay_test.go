package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A stage mark is replayed only when it names its steps and each is recorded finished,
// in the state or earlier in its record; a refused record changes nothing.
func TestReplayChangesStageMarks(t *testing.T) {
	done := func(id string) Change {
		return Change{StepDone: &StepDone{Recovery: "r", Record: StepRecord{ID: id, Finished: time.Unix(1, 0).UTC(), Result: "done"}}}
	}
	mark := func(steps ...string) Change {
		return Change{Stage: &StageMark{Recovery: "r", Stage: "merged", Steps: steps}}
	}
	for _, tc := range []struct {
		name    string
		prior   []string // steps recorded before
		changes []Change
		want    string // "" accepted, else part of the error
	}{
		{"a mark alone", nil, []Change{mark()}, "without naming the steps"},
		{"a mark whose steps are not recorded", nil, []Change{mark("a", "b")}, "not all the steps of that stage are recorded finished (a, b)"},
		{"one step missing", []string{"a"}, []Change{mark("a", "b")}, "(b)"},
		{"its last step in the same record", []string{"a"}, []Change{done("b"), mark("a", "b")}, ""},
		{"a step after the mark does not count", []string{"a"}, []Change{mark("a", "b"), done("b")}, "(b)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New("l")
			for _, id := range tc.prior {
				s.ApplyChange(done(id))
			}
			var r Replay
			err := ReplayChanges(s, tc.changes, &r)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			stage := ""
			if rec := s.Recoveries["r"]; rec != nil {
				stage = rec.Stage
			}
			switch {
			case tc.want != "" && (stage != "" || r.Records != 0 || len(stepsOf(s.Recoveries["r"])) != len(tc.prior)):
				t.Errorf("a refused record changed the state (stage %q) or was counted (%d)", stage, r.Records)
			case tc.want == "" && (stage != "merged" || r.Records != 1 || len(r.Stages) != 1):
				t.Errorf("stage %q, replay %+v", stage, r)
			}
		})
	}
}

// stepsOf is r's finished steps; nil for a nil r.
func stepsOf(r *Recovery) map[string]*StepRecord {
	if r == nil {
		return nil
	}
	return r.Steps
}

// A state file without its checksum line is refused by the local backend unless it was
// told to accept one; accepted, it reads as Unsealed, and the next write seals it.
func TestLocalUnsealed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	if err := NewLocal(path, LocalOptions{}).Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var kept []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, `  "checksum": `) {
			kept = append(kept, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	var ue *UnsealedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "-accept-unsealed-state") {
		t.Fatalf("got %v, want *UnsealedError", err)
	}
	b := NewLocal(path, LocalOptions{AcceptUnsealed: true})
	s, err := b.Read(context.Background())
	if err != nil || !s.Unsealed {
		t.Fatalf("accepted read: %v, unsealed %v", err, s != nil && s.Unsealed)
	}
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if s, err := NewLocal(path, LocalOptions{}).Read(context.Background()); err != nil || s.Unsealed {
		t.Fatalf("after a write: %v", err)
	}
}
