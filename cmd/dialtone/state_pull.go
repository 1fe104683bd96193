package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// cmdStatePull prints the current state document (with any journal of an interrupted
// apply replayed), as the backend would store it: checksum included.
func cmdStatePull(c *cli, args []string) int {
	fs := newFlagSet(c, "state pull", "state pull")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("state pull takes no arguments")
	}
	st, _, ok := recordedState(c)
	if !ok {
		return exitError
	}
	doc, err := state.Encode(st)
	if err != nil {
		return c.errorf("encoding the state: %v", err)
	}
	c.stdout.Write(doc)
	return exitOK
}

// cmdStatePush replaces the stored state with FILE's: only when FILE has the stored
// state's lineage and a newer serial, unless -force (which is printed and logged).
func cmdStatePush(c *cli, args []string) int {
	fs := newFlagSet(c, "state push", "state push [-force] [-lock-timeout=DURATION] FILE")
	addLockTimeoutFlag(c, fs)
	force := fs.Bool("force", false, "replace the state even if its lineage differs or its serial is not newer")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return c.errorf("state push needs one argument, the state file to push")
	}
	file := fs.Arg(0)
	raw, err := c.limits.State.ReadStateFile(c.path(file))
	if err != nil {
		return c.errorf("reading %s: %v", file, err)
	}
	pushed, err := state.Decode(raw)
	if err != nil {
		return c.errorf("%s is not a state dialtone can push: %v", file, err)
	}
	if pushed.Unsealed {
		if !c.acceptUnsealed {
			return c.errorf("%v. Nothing was changed.", &state.UnsealedError{Where: file})
		}
		fmt.Fprintf(c.stderr, "%s %s has no checksum line; pushed anyway as -accept-unsealed-state asks.\n", c.paint(yellow, "Warning:"), file)
		c.log.Warn("pushing a state without its checksum line", "file", file)
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	b, path, err := backendFor(c, cfg)
	if err != nil {
		return c.errorf("%v", err)
	}
	unlock, err := lockState(c, b, path, "state push")
	if err != nil {
		return c.errorf("%v", err)
	}
	defer unlock()

	// Write refuses a lineage other than the one it read: a forced push over another
	// state writes through a fresh backend value, which has read nothing.
	reopen := func() (state.Backend, error) {
		w, _, err := backendFor(c, cfg)
		return w, err
	}
	res, err := state.Push(c.ctx, b, pushed, state.PushOptions{Force: *force, Reopen: reopen})
	if res.Stored != nil {
		noteReplay(c, path, res.Stored, res.Replay)
	}
	var refused *state.PushRefusedError
	if errors.As(err, &refused) {
		if refused.ReadErr != nil {
			return c.errorf("reading state %s: %v\n(state push -force replaces a damaged state)", path, refused.ReadErr)
		}
		for _, p := range refused.Problems {
			fmt.Fprintf(c.stderr, "  - %s\n", p)
		}
		return c.errorf("refusing to push %s over %s (see above); -force overrides. Nothing was changed.", file, path)
	}
	if len(res.Forced) > 0 {
		problems := strings.Join(res.Forced, " and ")
		fmt.Fprintf(c.stdout, "%s pushing %s over %s although %s.\n", c.paint(yellow, "Forced:"), file, path, problems)
		c.log.Warn("state push -force", "file", file, "state", path, "problems", problems)
	}
	var werr *state.PushWriteError
	if errors.As(err, &werr) {
		return c.errorf("writing state %s: %v", path, werr.Err)
	}
	if err != nil {
		return c.errorf("%v", err)
	}
	fmt.Fprintf(c.stdout, "Pushed %s to %s (lineage %s, serial %d).\n", file, path, pushed.Lineage, pushed.Serial)
	return exitOK
}
