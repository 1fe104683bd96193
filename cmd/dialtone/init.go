package main

import (
	"errors"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/state"
)

// cmdInit checks the backend and creates an empty state when there is none. Running it
// again changes nothing. It records the backend in .dialtone/backend.json (migrate.go):
// when the configuration names another backend than the one recorded, it refuses
// unless -migrate-state (copy the state over) or -reconfigure (start on the new
// backend, leaving the old state alone).
func cmdInit(c *cli, args []string) int {
	fs := newFlagSet(c, "init", "init [-migrate-state | -reconfigure] [-lock-timeout=DURATION]")
	addLockTimeoutFlag(c, fs)
	addInputFlag(c, fs)
	migrate := fs.Bool("migrate-state", false, "the backend changed: copy the state from the previous backend (recorded in "+backendRecordPath+") to the configured one, keeping its lineage and serial")
	reconfigure := fs.Bool("reconfigure", false, "the backend changed: use the configured backend as it is, leaving the previous backend's state alone")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("init takes no arguments (got %q)", fs.Arg(0))
	}
	if *migrate && *reconfigure {
		return c.errorf("-migrate-state and -reconfigure exclude each other: migrate copies the previous state, reconfigure leaves it behind")
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	be := configuredBackend(c, cfg)
	prev, err := readBackendRecord(c)
	if err != nil {
		return c.errorf("%v", err)
	}
	now := recordOf(c, be)
	if prev != nil && !prev.same(now) {
		switch {
		case *migrate:
			if code := migrateState(c, cfg, *prev, be); code != exitOK {
				return code
			}
		case *reconfigure:
			views.NewInit(c.streams()).Reconfigured(prev.String(), now.String())
		default:
			return c.errorf("the backend changed: the state was in %s (recorded in %s by the last init) and the configuration now names %s.\n"+
				"Run \"dialtone init -migrate-state\" to copy the state to the new backend (lineage and serial kept),\n"+
				"or \"dialtone init -reconfigure\" to start on the new backend and leave the old state where it is.", prev, backendRecordPath, now)
		}
	} else if *migrate {
		views.NewInit(c.streams()).NothingToMigrate(now.String())
	}

	if err := ensureStateDir(c, be); err != nil {
		return c.errorf("%v", err)
	}
	b, path, err := openBackend(c, be)
	if err != nil {
		return c.errorf("%v", err)
	}
	unlock, err := lockState(c, b, path, "init")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer unlock()

	st, err := b.Read(c.ctx)
	switch {
	case err == nil:
		noteRead(c, b, path, st)
		views.NewInit(c.streams()).StateExists(be.Type, path, st.Lineage, st.Serial)
	case errors.Is(err, state.ErrNoState):
		st = state.New(state.NewLineage())
		if err := b.Write(c.ctx, st); err != nil {
			return c.errorf("creating state %s: %v", path, err)
		}
		views.NewInit(c.streams()).StateCreated(be.Type, path, st.Lineage)
	default:
		return c.errorf("reading state %s: %v", path, err)
	}
	if err := writeBackendRecord(c, now); err != nil {
		return c.errorf("recording the backend in %s: %v", backendRecordPath, err)
	}
	views.NewInit(c.streams()).Initialized()
	return exitOK
}
