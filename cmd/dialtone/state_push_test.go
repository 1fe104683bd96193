package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// TestStatePullPush: pull prints the state; push takes a newer serial of the same
// lineage, refuses an older one or another lineage, and -force overrides (printed).
// On both backends.
func TestStatePullPush(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be testBackend) {
		dir := workdir(t)
		env := be.env()
		mustDialtone(t, dir, env, "init")
		mustDialtone(t, dir, env, "lab", "init", "-mailboxes=2")
		mustDialtone(t, dir, env, "refresh")
		pulled := mustDialtone(t, dir, env, "state", "pull").stdout
		st, err := state.Decode([]byte(pulled))
		if err != nil {
			t.Fatalf("state pull printed no state: %v\n%s", err, pulled)
		}
		file := filepath.Join(dir, "pushed.json")
		write := func(s *state.State) {
			b, err := state.Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(file, b, 0o600)
		}
		// The same serial: refused.
		write(st)
		if r := dialtone(t, dir, env, "state", "push", file); r.code != 1 || !strings.Contains(r.stderr, "is not newer") {
			t.Fatalf("push of the same serial: exit %d\n%s", r.code, r.stderr)
		}
		// A newer serial: pushed as it is.
		delete(st.Mailboxes, "db01-user0001@contoso.com")
		st.Serial += 5
		write(st)
		mustDialtone(t, dir, env, "state", "push", file)
		got, err := be.open(t, dir).Read(context.Background())
		if err != nil || got.Serial != st.Serial || len(got.Mailboxes) != len(st.Mailboxes) {
			t.Fatalf("after push: %v, serial %d (want %d)", err, got.Serial, st.Serial)
		}
		// Another lineage: refused, then forced.
		other := state.New(state.NewLineage())
		other.Serial = 1
		write(other)
		if r := dialtone(t, dir, env, "state", "push", file); r.code != 1 || !strings.Contains(r.stderr, "lineage") {
			t.Fatalf("push of another lineage: exit %d\n%s", r.code, r.stderr)
		}
		r := mustDialtone(t, dir, env, "state", "push", "-force", file)
		if !strings.Contains(r.stdout, "Forced:") {
			t.Errorf("a forced push does not say so:\n%s", r.stdout)
		}
		got, err = be.open(t, dir).Read(context.Background())
		if err != nil || got.Lineage != other.Lineage || got.Serial <= st.Serial {
			t.Fatalf("after a forced push: %v, lineage %s serial %d", err, got.Lineage, got.Serial)
		}
	})
}
