package main

import (
	"errors"
	"fmt"

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
			fmt.Fprintf(c.stdout, "Backend changed from %s to %s: using the new backend as it is (-reconfigure); the state in %s is left alone.\n", prev, now, prev)
		default:
			return c.errorf("the backend changed: the state was in %s (recorded in %s by the last init) and the configuration now names %s.\n"+
				"Run \"dialtone init -migrate-state\" to copy the state to the new backend (lineage and serial kept),\n"+
				"or \"dialtone init -reconfigure\" to start on the new backend and leave the old state where it is.", prev, backendRecordPath, now)
		}
	} else if *migrate {
		fmt.Fprintf(c.stdout, "Backend unchanged (%s): nothing to migrate.\n", now)
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

	st, err := b.Read()
	switch {
	case err == nil:
		noteRead(c, b, path, st)
		fmt.Fprintf(c.stdout, "Backend %q: state %s exists (lineage %s, serial %d); nothing to do.\n", be.Type, path, st.Lineage, st.Serial)
	case errors.Is(err, state.ErrNoState):
		st = state.New(state.NewLineage())
		if err := b.Write(st); err != nil {
			return c.errorf("creating state %s: %v", path, err)
		}
		fmt.Fprintf(c.stdout, "Backend %q: created an empty state at %s (lineage %s).\n", be.Type, path, st.Lineage)
	default:
		return c.errorf("reading state %s: %v", path, err)
	}
	if err := writeBackendRecord(c, now); err != nil {
		return c.errorf("recording the backend in %s: %v", backendRecordPath, err)
	}
	fmt.Fprintln(c.stdout, c.paint(green, "dialtone has been successfully initialized!"))
	return exitOK
}
