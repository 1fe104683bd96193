package state

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A state copied with WriteExact keeps its serial (migrate-state), where Write raises it;
// the lineage rule holds as for Write.
func TestWriteExactKeepsSerial(t *testing.T) {
	t.Parallel()
	l := NewLocal(filepath.Join(t.TempDir(), "dialtone.state.json"), LocalOptions{})
	s := New(NewLineage())
	s.Serial = 41
	if err := WriteExact(context.Background(), l, s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 41 {
		t.Fatalf("WriteExact moved the serial to %d", s.Serial)
	}
	back, err := l.Read(context.Background())
	if err != nil || back.Serial != 41 || back.Lineage != s.Lineage {
		t.Fatalf("read back serial %v, %v", back, err)
	}
	if err := l.Write(context.Background(), back); err != nil || back.Serial != 42 {
		t.Fatalf("Write after WriteExact: serial %d, %v", back.Serial, err)
	}
	other := New(NewLineage())
	other.Serial = 7
	if err := WriteExact(context.Background(), l, other); err == nil || !strings.Contains(err.Error(), "refusing to overwrite another state") {
		t.Fatalf("WriteExact of another lineage: %v", err)
	}
}

type plainBackend struct{ Backend }

// A backend that cannot write exactly is an error, never a write with a moved serial.
func TestWriteExactNeedsExactWriter(t *testing.T) {
	t.Parallel()
	if err := WriteExact(context.Background(), plainBackend{}, New(NewLineage())); err == nil {
		t.Fatal("WriteExact through a backend without WriteExact succeeded")
	}
}
