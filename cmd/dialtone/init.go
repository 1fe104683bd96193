package main

import (
	"errors"
	"fmt"

	"github.com/dialtone/dialtone/state"
)

// cmdInit checks the backend and creates an empty state when there is none. Running it
// again changes nothing.
func cmdInit(c *cli, args []string) int {
	fs := newFlagSet(c, "init", "init")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("init takes no arguments (got %q)", fs.Arg(0))
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	b, path, err := backendFor(c, cfg)
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
		fmt.Fprintf(c.stdout, "Backend \"local\": state %s exists (lineage %s, serial %d); nothing to do.\n", path, st.Lineage, st.Serial)
	case errors.Is(err, state.ErrNoState):
		st = state.New(state.NewLineage())
		if err := b.Write(st); err != nil {
			return c.errorf("creating state %s: %v", path, err)
		}
		fmt.Fprintf(c.stdout, "Backend \"local\": created an empty state at %s (lineage %s).\n", path, st.Lineage)
	default:
		return c.errorf("reading state %s: %v", path, err)
	}
	fmt.Fprintln(c.stdout, c.paint(green, "dialtone has been successfully initialized!"))
	return exitOK
}
