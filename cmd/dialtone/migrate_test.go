package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// setBackendBlock replaces the dialtone block's backend in main.hcl.
func setBackendBlock(t *testing.T, dir, block string) {
	t.Helper()
	p := filepath.Join(dir, "main.hcl")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(b, []byte("dialtone {"))
	end := bytes.Index(b[start:], []byte("\n}\n"))
	if start < 0 || end < 0 {
		t.Fatal("main.hcl has no dialtone block")
	}
	out := append(append(append([]byte(nil), b[:start]...), "dialtone {\n  "+block+"\n}\n"...), b[start+end+3:]...)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// migrateFixture is a working directory whose local state holds a recovery under way
// with finished steps still in the journal (an apply killed after its second step).
func migrateFixture(t *testing.T) (dir string, st *state.State) {
	t.Helper()
	dir = workdir(t)
	mustDialtone(t, dir, nil, "init")
	mustDialtone(t, dir, nil, "lab", "init", "-mailboxes=3")
	mustDialtone(t, dir, nil, "lab", "backup", "DB01", "-name=nightly")
	mustDialtone(t, dir, nil, "lab", "fail", "database", "DB01")
	if r := dialtone(t, dir, []string{killAfterEnv + "=2"}, "apply", "-auto-approve"); !r.killed {
		t.Fatalf("apply was not killed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	l := state.NewLocal(filepath.Join(dir, "dialtone.state.json"), state.LocalOptions{})
	st, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l.JournalPending() != 2 {
		t.Fatalf("journal holds %d finished steps, want 2", l.JournalPending())
	}
	return dir, st
}

func encodeState(t *testing.T, st *state.State) []byte {
	t.Helper()
	b, err := state.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A changed backend without a flag is refused, naming both ways on; the record of the
// backend never holds the connection string.
func checkRefused(t *testing.T, dir string, env []string, from, to string) {
	t.Helper()
	r := dialtone(t, dir, env, "init")
	if r.code != 1 || !strings.Contains(r.stderr, "the backend changed") || !strings.Contains(r.stderr, `dialtone init -migrate-state`) ||
		!strings.Contains(r.stderr, `dialtone init -reconfigure`) || !strings.Contains(r.stderr, from) || !strings.Contains(r.stderr, to) {
		t.Fatalf("init with a changed backend: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestInitMigrateStateLocalToLocal(t *testing.T) {
	dir, before := migrateFixture(t)
	setBackendBlock(t, dir, `backend "local" { path = "moved/dialtone.state.json" }`)
	checkRefused(t, dir, nil, `backend "local" (file dialtone.state.json)`, `backend "local" (file moved/dialtone.state.json)`)
	r := mustDialtone(t, dir, nil, "init", "-migrate-state")
	if !strings.Contains(r.stdout, "Folded the journal") || !strings.Contains(r.stdout, "Migrated the state (lineage "+before.Lineage) {
		t.Fatalf("init -migrate-state:\n%s", r.stdout)
	}
	old, err := state.NewLocal(filepath.Join(dir, "dialtone.state.json"), state.LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	moved, err := state.NewLocal(filepath.Join(dir, "moved", "dialtone.state.json"), state.LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if old.Serial != before.Serial+1 || !bytes.Equal(encodeState(t, old), encodeState(t, moved)) {
		t.Fatalf("after the migration: old serial %d (want %d, the journal folded), moved serial %d; same document: %t",
			old.Serial, before.Serial+1, moved.Serial, bytes.Equal(encodeState(t, old), encodeState(t, moved)))
	}
	if r := mustDialtone(t, dir, nil, "init"); !strings.Contains(r.stdout, "nothing to do") {
		t.Fatalf("init after the migration:\n%s", r.stdout)
	}
	// -reconfigure starts afresh and leaves the previous state alone.
	setBackendBlock(t, dir, `backend "local" { path = "fresh.state.json" }`)
	r = mustDialtone(t, dir, nil, "init", "-reconfigure")
	if !strings.Contains(r.stdout, "left alone") || !strings.Contains(r.stdout, "created an empty state") {
		t.Fatalf("init -reconfigure:\n%s", r.stdout)
	}
	fresh, err := state.NewLocal(filepath.Join(dir, "fresh.state.json"), state.LocalOptions{}).Read(context.Background())
	if err != nil || fresh.Lineage == before.Lineage {
		t.Fatalf("the reconfigured state: %v, lineage %s", err, fresh.Lineage)
	}
	// Back to the moved state, whose lineage differs from the fresh one: migrating
	// would overwrite another state, and is refused.
	setBackendBlock(t, dir, `backend "local" { path = "moved/dialtone.state.json" }`)
	if r := dialtone(t, dir, nil, "init", "-migrate-state"); r.code != 1 || !strings.Contains(r.stderr, "refusing to overwrite it") {
		t.Fatalf("migrating onto another state: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Local to pg and back, lineage and serial kept, the journal folded first; apply goes
// on against the new backend; backend.json never holds the connection string.
func TestInitMigrateStateLocalPG(t *testing.T) {
	cs := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, cs)
	dir, before := migrateFixture(t)
	env := []string{pgConnEnv + "=" + cs}
	pgBackend := testBackend{name: "pg", connStr: cs, schema: schema}

	setBackendBlock(t, dir, `backend "pg" { schema_name = "`+schema+`" }`)
	checkRefused(t, dir, env, `backend "local" (file dialtone.state.json)`, `backend "pg" (schema "`+schema+`")`)
	r := mustDialtone(t, dir, env, "init", "-migrate-state")
	if !strings.Contains(r.stdout, "Folded the journal") || !strings.Contains(r.stdout, "from dialtone.state.json to pg database") || strings.Contains(r.stdout+r.stderr, cs) {
		t.Fatalf("init -migrate-state:\n%s%s", r.stdout, r.stderr)
	}
	local, err := state.NewLocal(filepath.Join(dir, "dialtone.state.json"), state.LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inPG := pgBackend.readDoc(t, dir)
	if local.Lineage != before.Lineage || local.Serial != before.Serial+1 || !bytes.Equal(encodeState(t, local), inPG) {
		t.Fatalf("local → pg: local lineage %s serial %d (want %s, %d); same document in pg: %t",
			local.Lineage, local.Serial, before.Lineage, before.Serial+1, bytes.Equal(encodeState(t, local), inPG))
	}
	rec, err := os.ReadFile(filepath.Join(dir, backendRecordPath))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rec), `"type": "pg"`) || !strings.Contains(string(rec), schema) || strings.Contains(string(rec), cs) || strings.Contains(string(rec), "host=") {
		t.Fatalf("%s:\n%s", backendRecordPath, rec)
	}
	// The recovery goes on against pg; the local file stays as it was.
	r = mustDialtone(t, dir, env, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, `is at stage "dial_tone"`) {
		t.Fatalf("apply on pg after the migration:\n%s", r.stdout)
	}
	pgState, err := pgBackend.open(t, dir).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := state.NewLocal(filepath.Join(dir, "dialtone.state.json"), state.LocalOptions{}).Read(context.Background()); again.Serial != local.Serial {
		t.Fatalf("apply on pg wrote the old local state (serial %d → %d)", local.Serial, again.Serial)
	}

	// pg → local.
	setBackendBlock(t, dir, `backend "local" { path = "back.state.json" }`)
	checkRefused(t, dir, env, `backend "pg" (schema "`+schema+`")`, `backend "local" (file back.state.json)`)
	r = mustDialtone(t, dir, env, "init", "-migrate-state")
	if !strings.Contains(r.stdout, "Migrated the state (lineage "+before.Lineage) || strings.Contains(r.stdout, "Folded") {
		t.Fatalf("init -migrate-state (pg → local):\n%s", r.stdout)
	}
	back, err := state.NewLocal(filepath.Join(dir, "back.state.json"), state.LocalOptions{}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if back.Lineage != pgState.Lineage || back.Serial != pgState.Serial || !bytes.Equal(encodeState(t, back), pgBackend.readDoc(t, dir)) {
		t.Fatalf("pg → local: lineage %s serial %d, want %s %d, or documents differ", back.Lineage, back.Serial, pgState.Lineage, pgState.Serial)
	}
	if r := mustDialtone(t, dir, env, "plan", "-detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan on the migrated local state exited %d", r.code)
	}
	// The pg state (same lineage, an older serial than the local one will get) is not
	// overwritten by a migration back once the local state moved on.
	mustDialtone(t, dir, env, "refresh")
	setBackendBlock(t, dir, `backend "pg" { schema_name = "`+schema+`" }`)
	if r := dialtone(t, dir, env, "init", "-migrate-state"); r.code != 1 || !strings.Contains(r.stderr, "refusing to overwrite it") {
		t.Fatalf("migrating onto an older copy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
