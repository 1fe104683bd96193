package state

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stepChanges are the changes a step records.
func stepChanges(n int) []Change {
	return []Change{
		{PutDatabase: &Database{Name: fmt.Sprintf("DTDB%02d", n), Server: "EX01"}},
		{StepDone: &StepDone{Recovery: "db01-outage", Record: StepRecord{ID: fmt.Sprintf("recovery.db01-outage.step%d", n), Finished: time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC), Result: "done"}}},
	}
}

// journaled writes a state and appends two steps without a final Write (a crash).
func journaled(t *testing.T) (path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	if err := l.Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		if err := l.AppendJournal(context.Background(), stepChanges(n)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestJournalReplayAfterCrash(t *testing.T) {
	path := journaled(t)
	l := NewLocal(path, LocalOptions{})
	s, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l.JournalPending() != 2 {
		t.Fatalf("JournalPending = %d, want 2", l.JournalPending())
	}
	steps := s.Recoveries["db01-outage"].Steps
	if s.Databases["DTDB01"] == nil || s.Databases["DTDB02"] == nil || steps["recovery.db01-outage.step1"] == nil || steps["recovery.db01-outage.step2"] == nil {
		t.Fatalf("journal not replayed: databases %v, steps %v", s.Databases, steps)
	}
	fi, err := os.Stat(path + ".journal")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal: %v, mode %v", err, fi.Mode().Perm())
	}

	// Write folds the journal into the file and removes it.
	if err := l.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".journal"); !os.IsNotExist(err) {
		t.Fatal("the journal survived a Write")
	}
	l2 := NewLocal(path, LocalOptions{})
	s2, err := l2.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l2.JournalPending() != 0 || s2.Databases["DTDB02"] == nil {
		t.Fatalf("after Write: pending %d, DTDB02 %v", l2.JournalPending(), s2.Databases["DTDB02"])
	}
}

func TestJournalTornLastLineIgnored(t *testing.T) {
	path := journaled(t)
	b, _ := os.ReadFile(path + ".journal")
	lines := bytes.SplitAfter(b, []byte("\n"))
	for _, torn := range [][]byte{
		lines[1][:len(lines[1])/2],                                     // cut mid-line
		lines[1][:len(lines[1])-1],                                     // only the newline missing
		bytes.Replace(lines[1], []byte("DTDB02"), []byte("DTDB03"), 1), // whole but garbled
	} {
		os.WriteFile(path+".journal", append(append([]byte{}, lines[0]...), torn...), 0o600)
		l := NewLocal(path, LocalOptions{})
		s, err := l.Read(context.Background())
		if err != nil {
			t.Fatalf("torn last line: %v", err)
		}
		if l.JournalPending() != 1 || s.Databases["DTDB01"] == nil || s.Databases["DTDB02"] != nil || s.Databases["DTDB03"] != nil {
			t.Fatalf("torn last line: pending %d, databases %v", l.JournalPending(), s.Databases)
		}
		// The next append cuts the torn tail off, so the journal stays readable.
		if err := l.AppendJournal(context.Background(), stepChanges(4)); err != nil {
			t.Fatal(err)
		}
		l2 := NewLocal(path, LocalOptions{})
		s, err = l2.Read(context.Background())
		if err != nil {
			t.Fatalf("after appending past a torn line: %v", err)
		}
		if l2.JournalPending() != 2 || s.Databases["DTDB04"] == nil {
			t.Fatalf("after appending past a torn line: pending %d, databases %v", l2.JournalPending(), s.Databases)
		}
	}
}

func TestJournalBadLineInTheMiddle(t *testing.T) {
	path := journaled(t)
	b, _ := os.ReadFile(path + ".journal")
	lines := bytes.SplitAfter(b, []byte("\n"))
	bad := append(append([]byte("{\"lineage\": garbage\n"), lines[0]...), lines[1]...)
	os.WriteFile(path+".journal", bad, 0o600)
	_, err := NewLocal(path, LocalOptions{}).Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), `journal "`+path+`.journal" is damaged at line 1`) {
		t.Fatalf("bad first line: %v", err)
	}
}

func TestJournalOtherSerialIgnored(t *testing.T) {
	path := journaled(t)
	old, _ := os.ReadFile(path + ".journal")
	// A Write whose journal removal was lost: the old records are for serial 8.
	l := NewLocal(path, LocalOptions{})
	s, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path+".journal", old, 0o600)
	l2 := NewLocal(path, LocalOptions{})
	if _, err := l2.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l2.JournalPending() != 0 {
		t.Fatalf("replayed %d records of another serial", l2.JournalPending())
	}
	// New records after the stale ones are replayed.
	if err := l2.AppendJournal(context.Background(), []Change{{DeleteDatabase: "DTDB01"}, {StepDone: &StepDone{Recovery: "r", Record: StepRecord{ID: "x"}}}}); err != nil {
		t.Fatal(err)
	}
	l3 := NewLocal(path, LocalOptions{})
	got, err := l3.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l3.JournalPending() != 1 || got.Databases["DTDB01"] != nil || got.Databases["DTDB02"] == nil {
		t.Fatalf("pending %d, databases %v", l3.JournalPending(), got.Databases)
	}
}

func TestJournalNeedsStoredState(t *testing.T) {
	l := NewLocal(filepath.Join(t.TempDir(), "s.json"), LocalOptions{})
	if err := l.AppendJournal(context.Background(), stepChanges(1)); err == nil {
		t.Fatal("AppendJournal before Read or Write must fail: it cannot know the serial")
	}
}

func TestJournalUnknownChangeRefused(t *testing.T) {
	path := journaled(t)
	b, _ := os.ReadFile(path + ".journal")
	// A well-formed record (right checksum) with a change this dialtone does not know.
	raw := `[{"frobnicate":"x"}]`
	line := fmt.Sprintf(`{"lineage":"%s","serial":8,"changes":%s,"crc32":%d}`+"\n", sampleState().Lineage, raw, crc(raw))
	os.WriteFile(path+".journal", append(b, line...), 0o600)
	if _, err := NewLocal(path, LocalOptions{}).Read(context.Background()); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("unknown change: %v", err)
	}
}

func FuzzJournalReplay(f *testing.F) {
	lineage := sampleState().Lineage
	raw := `[{"put_database":{"name":"D"}},{"rehome":{"from":"DB01","to":"D"}}]`
	f.Add([]byte(fmt.Sprintf(`{"lineage":"%s","serial":7,"changes":%s,"crc32":%d}`+"\n", lineage, raw, crc(raw))))
	f.Add([]byte("{\"lineage\":\"x\"}\n\n{"))
	f.Add([]byte(fmt.Sprintf(`{"lineage":"%s","serial":7,"changes":[{"step_done":{"recovery":"","record":{"id":""}}}],"crc32":0}`, lineage)))
	f.Fuzz(func(t *testing.T, journal []byte) {
		s := sampleState()
		var r Replay
		valid, err := replayRecords("j", journal, s, &r)
		n := r.Steps
		if err == nil && (valid < 0 || valid > int64(len(journal)) || n < 0) {
			t.Fatalf("replay: n=%d valid=%d of %d bytes", n, valid, len(journal))
		}
		if _, err := Encode(s); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkAppendJournal shows that a checkpoint costs the step, not the state: the
// figures at 1k and 100k mailboxes must be about the same.
func BenchmarkAppendJournal(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			l := NewLocal(filepath.Join(b.TempDir(), "s.json"), LocalOptions{})
			if err := l.Write(context.Background(), bigState(n)); err != nil {
				b.Fatal(err)
			}
			changes := stepChanges(1)
			b.ReportAllocs()
			for b.Loop() {
				if err := l.AppendJournal(context.Background(), changes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A batch is one record per step, as separate appends would make them: replay counts
// and applies each, and an empty element makes no record.
func TestJournalBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialtone.state.json")
	l := NewLocal(path, LocalOptions{})
	if err := l.Write(context.Background(), sampleState()); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendJournal(context.Background(), stepChanges(1)); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendJournalBatch(context.Background(), [][]Change{stepChanges(2), nil, stepChanges(3)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path + ".journal")
	if err != nil || bytes.Count(b, []byte("\n")) != 3 {
		t.Fatalf("journal: %v, %d lines", err, bytes.Count(b, []byte("\n")))
	}
	l2 := NewLocal(path, LocalOptions{})
	s, err := l2.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l2.JournalPending() != 3 || s.Databases["DTDB03"] == nil || s.Recoveries["db01-outage"].Steps["recovery.db01-outage.step3"] == nil {
		t.Fatalf("pending %d, databases %v", l2.JournalPending(), s.Databases)
	}
	if err := NewLocal(filepath.Join(t.TempDir(), "x.json"), LocalOptions{}).AppendJournalBatch(context.Background(), [][]Change{stepChanges(1)}); err == nil {
		t.Fatal("a batch before Read or Write was accepted")
	}
}
