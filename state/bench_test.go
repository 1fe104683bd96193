package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func benchEncode(tb testing.TB, n int, loop func() bool) int {
	s := bigState(n)
	size := 0
	for loop() {
		out, err := Encode(s)
		if err != nil {
			tb.Fatal(err)
		}
		size = len(out)
	}
	return size
}

func benchDecode(tb testing.TB, n int, loop func() bool) int {
	enc, err := Encode(bigState(n))
	if err != nil {
		tb.Fatal(err)
	}
	for loop() {
		s, err := Decode(enc)
		if err != nil {
			tb.Fatal(err)
		}
		if len(s.Mailboxes) != n {
			tb.Fatalf("%d mailboxes", len(s.Mailboxes))
		}
	}
	return len(enc)
}

// benchCheckpoint appends one step's record to the journal of a state of n mailboxes.
func benchCheckpoint(tb testing.TB, n int, loop func() bool) {
	l := NewLocal(filepath.Join(tb.TempDir(), "s.json"), LocalOptions{})
	if err := l.Write(context.Background(), bigState(n)); err != nil {
		tb.Fatal(err)
	}
	changes := stepChanges(1)
	for loop() {
		if err := l.AppendJournal(context.Background(), changes); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkStateEncode and BenchmarkStateDecode write and read states of 250,000 and
// 500,000 mailboxes (doubling must at most double the time).
func BenchmarkStateEncode(b *testing.B) {
	for _, n := range []int{250_000, 500_000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			size := benchEncode(b, n, b.Loop)
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

func BenchmarkStateDecode(b *testing.B) {
	for _, n := range []int{250_000, 500_000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			size := benchDecode(b, n, b.Loop)
			b.SetBytes(int64(size))
		})
	}
}

// BenchmarkCheckpoint is the cost of one checkpoint (AppendJournal of a step's changes)
// as the state grows: the figures at 1,000 and 500,000 mailboxes must be the same.
func BenchmarkCheckpoint(b *testing.B) {
	for _, n := range []int{1_000, 500_000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			benchCheckpoint(b, n, b.Loop)
		})
	}
}

// TestBenchmarksSmall runs the benchmark bodies once at a tiny size, so that plain
// "go test" proves they still work (no timing is checked).
func TestBenchmarksSmall(t *testing.T) {
	benchEncode(t, 10, once())
	benchDecode(t, 10, once())
	benchCheckpoint(t, 10, once())
}

func once() func() bool {
	done := false
	return func() bool { r := !done; done = true; return r }
}

// BenchmarkDecodeV1500k decodes a version 1 document (the upgrade path).
func BenchmarkDecodeV1500k(b *testing.B) {
	enc, err := encodeV1(bigState(500_000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
