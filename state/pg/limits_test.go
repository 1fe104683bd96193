package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
)

// The state document and the journal rows are measured in the database and refused
// over their limits before they are fetched.
func TestReadSizeLimits(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	unlock, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	s := sample(state.NewLineage())
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if err := b.AppendJournal(context.Background(), stepDone("recovery.db01-outage.one")); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	read := func(lim state.Limits) error {
		b2, err := pg.New(cs, schema, pg.Options{Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		defer b2.Close()
		_, err = b2.Read(context.Background())
		return err
	}
	if err := read(state.Limits{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env, what string
		lim       state.Limits
	}{
		{state.EnvMaxStateBytes, "the state in", state.Limits{StateBytes: 20}},
		{state.EnvMaxJournalBytes, "the journal rows in", state.Limits{JournalBytes: 20}},
	} {
		t.Run(c.env, func(t *testing.T) {
			err := read(c.lim)
			var le *state.LimitError
			if !errors.As(err, &le) || le.Limit != 20 || le.Env != c.env {
				t.Fatalf("want a limit error of 20 bytes from %s, got %v", c.env, err)
			}
			if !strings.Contains(err.Error(), c.what) || !strings.Contains(err.Error(), c.env+"=BYTES") {
				t.Fatalf("%q does not say what was refused and how to raise the limit", err)
			}
		})
	}
}
