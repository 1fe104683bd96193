package main

import (
	"flag"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
)

// targetFlags are -target=ADDR and -exclude=ADDR (repeatable) of plan and apply.
type targetFlags struct {
	targets, excludes []config.Addr
}

// addTargetFlags registers -target and -exclude on a command's flag set.
func addTargetFlags(fs *flag.FlagSet) *targetFlags {
	t := &targetFlags{}
	fs.Func("target", "plan only this recovery (recovery.NAME or database.NAME) and what it depends on (repeatable)", func(s string) error {
		a, err := planner.ParseTargetAddr(s)
		if err == nil {
			t.targets = append(t.targets, a)
		}
		return err
	})
	fs.Func("exclude", "leave this recovery (recovery.NAME or database.NAME) out of the plan (repeatable)", func(s string) error {
		a, err := planner.ParseTargetAddr(s)
		if err == nil {
			t.excludes = append(t.excludes, a)
		}
		return err
	})
	return t
}

// options are the planner's options for these flags.
func (t *targetFlags) options() planner.ComputeOptions {
	if t == nil {
		return planner.ComputeOptions{}
	}
	return planner.ComputeOptions{Targets: t.targets, Excludes: t.excludes}
}
