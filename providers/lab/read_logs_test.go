package lab

import (
	"context"
	"reflect"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// TestReadReportsDestroyedLogTail: generations an injection destroyed at the end of a
// stream are part of the database's log range, as missing; a plan sees the loss.
func TestReadReportsDestroyedLogTail(t *testing.T) {
	l := newLab(t, 2)
	user := "db01-user0001@contoso.com"
	mustDeliver(t, l, user, 10)
	if err := l.Backup("DB01", "full"); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, user, 100) // generations 2 and 3
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before := *obs.Databases["DB01"].Logs
	if before.Last != 3 || len(before.Missing) != 0 {
		t.Fatalf("before the failure: %+v", before)
	}
	if err := l.FailLogsAfter("DB01", 3); err != nil {
		t.Fatal(err)
	}
	obs, err = l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := obs.Databases["DB01"].Logs
	want := &state.LogRange{First: before.First, Last: 3, Missing: []uint64{3}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after losing generation 3: %+v, want %+v", got, want)
	}
	// DB02 was not touched.
	if d := obs.Databases["DB02"].Logs; d != nil && len(d.Missing) != 0 {
		t.Fatalf("DB02: %+v", d)
	}
}

// TestReadReportsEveryLogDestroyed: when every generation of the stream is destroyed
// (no file and no .edb left to name the stream), the record naming the database gives
// the range, all of it missing.
func TestReadReportsEveryLogDestroyed(t *testing.T) {
	l := newLab(t, 2)
	user := "db01-user0001@contoso.com"
	mustDeliver(t, l, user, 100)
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before := *obs.Databases["DB01"].Logs
	if err := l.FailLogsAfter("DB01", before.First); err != nil {
		t.Fatal(err)
	}
	obs, err = l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := obs.Databases["DB01"].Logs
	if got == nil || got.First != before.First || got.Last != before.Last || len(got.Missing) != int(before.Last-before.First+1) {
		t.Fatalf("every generation destroyed: %+v (before %+v)", got, before)
	}
}

func TestLogRangeWith(t *testing.T) {
	for _, c := range []struct {
		gens, destroyed []uint64
		want            state.LogRange
	}{
		{[]uint64{1, 2, 4}, nil, state.LogRange{First: 1, Last: 4, Missing: []uint64{3}}},
		{[]uint64{1, 2}, []uint64{3, 4}, state.LogRange{First: 1, Last: 4, Missing: []uint64{3, 4}}},
		{[]uint64{1, 2, 3}, []uint64{3}, state.LogRange{First: 1, Last: 3}}, // written again
		{nil, []uint64{5, 6}, state.LogRange{First: 5, Last: 6, Missing: []uint64{5, 6}}},
		{[]uint64{2}, []uint64{4}, state.LogRange{First: 2, Last: 4, Missing: []uint64{3, 4}}},
	} {
		if got := logRangeWith(c.gens, c.destroyed); !reflect.DeepEqual(*got, c.want) {
			t.Errorf("logRangeWith(%v, %v) = %+v, want %+v", c.gens, c.destroyed, *got, c.want)
		}
	}
}
