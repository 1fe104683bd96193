package lab

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// ReadStream hands over exactly Read's mailboxes, and the rest of Read unchanged.
func TestReadStreamMatchesRead(t *testing.T) {
	l := newLab(t, 5)
	want := mustRead(t, l)
	got := map[string]*state.Mailbox{}
	obs, err := l.ReadStream(context.Background(), func(m *state.Mailbox) {
		cp := state.Mailbox{Address: strings.Clone(m.Address), ExchangeGuid: strings.Clone(m.ExchangeGuid),
			Database: strings.Clone(m.Database), Kind: strings.Clone(m.Kind), ArchiveDatabase: strings.Clone(m.ArchiveDatabase),
			NoAutodiscover: m.NoAutodiscover}
		got[cp.Address] = &cp
	})
	if err != nil {
		t.Fatal(err)
	}
	if obs.Mailboxes != nil {
		t.Fatal("ReadStream filled Observed.Mailboxes")
	}
	if !reflect.DeepEqual(got, want.Mailboxes) {
		t.Fatalf("streamed %d mailboxes, Read %d, or they differ", len(got), len(want.Mailboxes))
	}
	obs.Mailboxes = want.Mailboxes
	if !reflect.DeepEqual(obs, want) {
		t.Fatal("ReadStream's other objects differ from Read's")
	}
}

// viewMailbox decodes (and refuses) exactly what decodeMailbox does.
func TestViewMailboxMatchesDecode(t *testing.T) {
	for _, v := range []string{
		"", "short", strings.Repeat("g", guidLen), strings.Repeat("g", guidLen) + "DB01",
		strings.Repeat("g", guidLen) + "DB01\x00\x00\x00", strings.Repeat("g", guidLen) + "DB01\x00arbitration\x00DB02\x00n",
		strings.Repeat("g", guidLen) + "DB01\x00\x00DB02\x00x", strings.Repeat("g", guidLen) + "DB01\x00\x00DB02\x00nn",
		strings.Repeat("g", guidLen) + "DB01\x00\x00", strings.Repeat("g", guidLen) + "DB01\x00a\x00b\x00n\x00",
		strings.Repeat("g", guidLen) + "DB01\x00", strings.Repeat("g", guidLen) + "\x00\x00\x00",
	} {
		a, aerr := decodeMailbox([]byte("x@y"), []byte(v))
		b, berr := viewMailbox([]byte("x@y"), []byte(v))
		if (aerr == nil) != (berr == nil) || a != b {
			t.Errorf("%q: decode %+v %v, view %+v %v", v, a, aerr, b, berr)
		}
	}
}
