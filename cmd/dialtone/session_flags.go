package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/state"
)

// Terraform habits (issue 15): -lock-timeout=DURATION on every command that takes the
// state lock, -input=false on every command that could ask something, and -no-color
// after the command as well as before it.

// addLockTimeoutFlag registers -lock-timeout on a command that takes the state lock: a
// lock held by a live holder is waited for up to that long (a CI job queued behind
// another), then refused naming the holder, as Terraform does. 0, the default, fails
// at once.
func addLockTimeoutFlag(c *cli, fs *flag.FlagSet) {
	fs.DurationVar(&c.lockTimeout, "lock-timeout", 0, "wait up to DURATION for a state lock another dialtone holds (e.g. 5m), then fail naming the holder")
}

// addInputFlag registers -input: with -input=false the command never prompts, and
// fails where it would, naming the flag that answers the question.
func addInputFlag(c *cli, fs *flag.FlagSet) {
	c.input = true
	fs.BoolVar(&c.input, "input", true, "ask for input when needed; -input=false fails instead, naming the flag that answers")
}

// lockRetryEvery is how often a held lock is tried again while -lock-timeout runs.
const lockRetryEvery = 250 * time.Millisecond

// lockWaiting takes the lock through try, waiting for a held one up to c.lockTimeout.
// Only a lock held by a live holder is waited for; a stale one (lockState takes it over
// or says how to remove it) and any other error return at once.
func lockWaiting(c *cli, path string, try func() (func() error, error)) (func() error, error) {
	deadline := time.Now().Add(c.lockTimeout)
	told := false
	for {
		unlock, err := try()
		var le *state.LockError
		if err == nil || !errors.As(err, &le) || le.Stale || le.Gone {
			return unlock, err
		}
		if c.lockTimeout <= 0 {
			return nil, fmt.Errorf("%w (-lock-timeout=DURATION waits for it)", err)
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("%w; waited %s (-lock-timeout=%s)", err, c.lockTimeout, c.lockTimeout)
		}
		if !told {
			views.NewStateNotes(c.streams()).Waiting(path, le, c.lockTimeout)
			told = true
		}
		wait := min(lockRetryEvery, time.Until(deadline))
		select {
		case <-c.ctx.Done():
			return nil, fmt.Errorf("%w; stopped waiting: %v", err, c.ctx.Err())
		case <-time.After(wait):
		}
	}
}

// stripNoColor takes -no-color out of a command's arguments (before a "--"), so that
// "dialtone plan -no-color", as Terraform users type it, works like "dialtone
// -no-color plan". found says whether it asked for no colour.
func stripNoColor(args []string) (out []string, found bool) {
	out = make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), found
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if strings.HasPrefix(a, "-") && name == "no-color" && (!hasValue || value == "true" || value == "false") {
			found = found || !hasValue || value == "true"
			continue
		}
		out = append(out, a)
	}
	return out, found
}
