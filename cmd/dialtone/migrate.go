package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
)

// backendRecordPath is where init records the backend it set up, relative to the
// working directory: the type and the path (local) or schema (pg), never a connection
// string or any other secret. A later init compares it with the configuration to find
// that the backend changed, and -migrate-state reads the previous backend from it.
const backendRecordPath = ".dialtone/backend.json"

// backendRecord is .dialtone/backend.json.
type backendRecord struct {
	Type string `json:"type"`
	// Path is the local state file as configured (relative to the working directory).
	Path string `json:"path,omitempty"`
	// SchemaName is the pg schema.
	SchemaName string `json:"schema_name,omitempty"`
}

// recordOf is the record of a backend block, defaults filled in.
func recordOf(c *cli, be *config.Backend) backendRecord {
	r := backendRecord{Type: be.Type}
	switch be.Type {
	case "local":
		r.Path = be.Path
		if r.Path == "" {
			r.Path = config.DefaultStatePath
		}
		r.Path = filepath.ToSlash(filepath.Clean(r.Path))
	case "pg":
		r.SchemaName = be.SchemaName
		if r.SchemaName == "" {
			r.SchemaName = pg.DefaultSchema
		}
	}
	return r
}

func (r backendRecord) same(o backendRecord) bool { return r == o }

func (r backendRecord) String() string {
	switch r.Type {
	case "local":
		return fmt.Sprintf("backend \"local\" (file %s)", r.Path)
	case "pg":
		return fmt.Sprintf("backend \"pg\" (schema %q)", r.SchemaName)
	}
	return fmt.Sprintf("backend %q", r.Type)
}

// backendBlock is the backend block a record stands for; the pg connection string is
// the configuration's when it names pg too, else DIALTONE_PG_CONN_STR (the openBackend
// factory reads it).
func (r backendRecord) backendBlock(cfg *config.Config) *config.Backend {
	be := &config.Backend{Type: r.Type, Path: r.Path, SchemaName: r.SchemaName}
	if r.Type == "pg" && cfg != nil && cfg.Backend != nil && cfg.Backend.Type == "pg" {
		be.ConnStr = cfg.Backend.ConnStr
	}
	if cfg != nil && cfg.Backend != nil {
		be.DeclRange = cfg.Backend.DeclRange
	}
	return be
}

func readBackendRecord(c *cli) (*backendRecord, error) {
	p := c.path(backendRecordPath)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", backendRecordPath, err)
	}
	var r backendRecord
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || r.Type == "" {
		return nil, fmt.Errorf("%s is not a backend record (%v): it is written by init; remove it and run \"dialtone init\" again", p, err)
	}
	return &r, nil
}

// checkBackendRecord refuses to work on a backend other than the one the last init
// recorded in .dialtone/backend.json, as Terraform does: the state the configuration
// now points at is not the one dialtone has been keeping (plan would start from an
// empty or foreign state). No record (a folder from before the record) is not an error.
func checkBackendRecord(c *cli, cfg *config.Config) error {
	prev, err := readBackendRecord(c)
	if err != nil || prev == nil {
		return err
	}
	now := recordOf(c, configuredBackend(c, cfg))
	if prev.same(now) {
		return nil
	}
	//lint:ignore ST1005 the whole message is printed as is, sentences and all
	return fmt.Errorf("Backend configuration changed: run dialtone init -migrate-state, or dialtone init -reconfigure.\n"+
		"The state was in %s (recorded in %s by the last init) and the configuration now names %s.\n"+
		"\"dialtone init -migrate-state\" copies the state to the new backend (lineage and serial kept); \"dialtone init -reconfigure\" starts on the new backend and leaves the old state where it is.",
		prev, backendRecordPath, now)
}

func writeBackendRecord(c *cli, r backendRecord) error {
	p := c.path(backendRecordPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	_ = os.Chmod(filepath.Dir(p), 0o700)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(p, append(b, '\n'), 0o600)
}

// migrateState copies the state from the previous backend (from) to the configured
// one (to), holding both locks: the previous state is read (its journal replayed) and,
// when the journal held steps, written back first so that it is folded in; then it is
// written to the new backend under the same lineage and serial and read back to verify
// that both hold the same document. The previous state is left in place.
func migrateState(c *cli, cfg *config.Config, from backendRecord, to *config.Backend) int {
	oldB, oldWhere, err := openBackend(c, from.backendBlock(cfg))
	if err != nil {
		return c.errorf("opening the previous %s: %v", from, err)
	}
	defer closeBackend(oldB)
	if err := ensureStateDir(c, to); err != nil {
		return c.errorf("%v", err)
	}
	newB, newWhere, err := openBackend(c, to)
	if err != nil {
		return c.errorf("opening the new backend: %v", err)
	}
	defer closeBackend(newB)
	if oldWhere == newWhere {
		return c.errorf("the previous and the new backend are the same place (%s): nothing to migrate", newWhere)
	}

	unlockOld, err := lockState(c, oldB, oldWhere, "migrate-state")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer unlockOld()
	unlockNew, err := lockState(c, newB, newWhere, "migrate-state")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer unlockNew()

	res, err := state.Migrate(c.ctx, state.MigrateOptions{From: oldB, To: newB})
	st := res.State
	if st != nil {
		noteReplay(c, oldWhere, st, res.Replay)
	}
	if res.Folded {
		fmt.Fprintf(c.stdout, "Folded the journal of %s (%d finished steps) into its state (serial %d).\n", oldWhere, res.Pending, st.Serial)
	}
	var me *state.MigrateError
	if errors.As(err, &me) {
		return c.errorf("%s", migrateMessage(me, res, oldWhere, newWhere))
	}
	if err != nil {
		return c.errorf("%v", err)
	}
	if res.AlreadyThere {
		fmt.Fprintf(c.stdout, "The new backend %s already holds this state (lineage %s, serial %d): nothing to copy.\n", newWhere, st.Lineage, st.Serial)
		return exitOK
	}
	fmt.Fprintf(c.stdout, "Migrated the state (lineage %s, serial %d) from %s to %s, and read it back: the same document.\n", st.Lineage, st.Serial, oldWhere, newWhere)
	fmt.Fprintf(c.stdout, "The previous state is left in %s; remove it once you no longer need it.\n", oldWhere)
	if to.Type == "pg" && !strings.HasPrefix(from.Type, "pg") {
		fmt.Fprintf(c.stdout, "Run reports stay in %s beside the old state; new ones go to %s.\n", reportsDir, newWhere)
	}
	return exitOK
}

// migrateMessage says why state.Migrate stopped, naming both backends.
func migrateMessage(e *state.MigrateError, res *state.MigrateResult, oldWhere, newWhere string) string {
	st := res.State
	switch e.Stage {
	case state.MigrateNoState:
		return fmt.Sprintf("the previous backend %s holds no state: nothing to migrate (use \"dialtone init -reconfigure\")", oldWhere)
	case state.MigrateReadFrom:
		return fmt.Sprintf("reading the state from the previous backend %s: %v", oldWhere, e.Err)
	case state.MigrateFold:
		return fmt.Sprintf("folding the journal (%d finished steps) into the state in %s: %v", res.Pending, oldWhere, e.Err)
	case state.MigrateReadTo:
		return fmt.Sprintf("reading the new backend %s: %v", newWhere, e.Err)
	case state.MigrateOccupied:
		return fmt.Sprintf("the new backend %s already holds a state (lineage %s, serial %d), not the one of %s (lineage %s, serial %d): refusing to overwrite it.\n"+
			"Move it away first, or keep it and run \"dialtone init -reconfigure\" to leave the previous state behind.",
			newWhere, e.Other.Lineage, e.Other.Serial, oldWhere, st.Lineage, st.Serial)
	case state.MigrateSerialZero:
		return fmt.Sprintf("the state in %s has serial 0: write it once (dialtone refresh) before migrating", oldWhere)
	case state.MigrateWrite:
		return fmt.Sprintf("writing the state to %s: %v (the previous state in %s is untouched)", newWhere, e.Err, oldWhere)
	case state.MigrateReadBack:
		return fmt.Sprintf("reading the copied state back from %s: %v (the previous state in %s is untouched)", newWhere, e.Err, oldWhere)
	case state.MigrateDiffers:
		return fmt.Sprintf("the state read back from %s differs from the one in %s (lineage %s serial %d, read back lineage %s serial %d): the migration did not take; the previous state is untouched",
			newWhere, oldWhere, st.Lineage, st.Serial, e.Other.Lineage, e.Other.Serial)
	}
	return e.Error()
}

// ensureStateDir creates the folder of a local backend's state file when missing.
func ensureStateDir(c *cli, be *config.Backend) error {
	if be.Type != "local" {
		return nil
	}
	p := be.Path
	if p == "" {
		p = config.DefaultStatePath
	}
	return os.MkdirAll(filepath.Dir(c.path(p)), 0o755)
}

// closeBackend releases a backend's connection, if it keeps one.
func closeBackend(b state.Backend) {
	if cl, ok := b.(state.Closer); ok {
		_ = cl.Close()
	}
}
