package planner

import (
	"context"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Journal durably records the changes of one finished step before they are applied to
// the in-memory state (state.Backend satisfies it). Apply calls it once per step,
// never concurrently; a Journal that is also a BatchJournal gets the records of
// parallel steps that finish together in one call (group commit, journal_group.go).
// ctx is Apply's: a journal must record a finished step even when it is cancelled (an
// interrupted apply records what it finished), as state.Backend's AppendJournal does.
type Journal interface {
	AppendJournal(ctx context.Context, changes []state.Change) error
}

// Hooks observes an apply. Apply calls them from whichever goroutine runs the step, so
// with parallel steps they are called concurrently: implementations must be safe for
// concurrent use. They must not block for long; a step waits for its hooks.
type Hooks interface {
	// PreStep is called before a step's operation starts.
	PreStep(s *Step)
	// PostStep is called when the operation returns, with its error (nil: done) and how
	// long it took; for a finished step, before its changes are journalled (the step is
	// recorded, in the journal and then in memory, only after).
	PostStep(s *Step, res providers.Result, elapsed time.Duration, err error)
	// Progress passes on a long operation's progress in the provider's units.
	Progress(s *Step, done, total int64)
}

// NopHooks implements Hooks and does nothing; embed it to implement only some hooks.
type NopHooks struct{}

func (NopHooks) PreStep(*Step)                                          {}
func (NopHooks) PostStep(*Step, providers.Result, time.Duration, error) {}
func (NopHooks) Progress(*Step, int64, int64)                           {}

var _ Hooks = NopHooks{}

// ApplyOptions tunes an apply.
type ApplyOptions struct {
	// Parallelism caps how many steps run at once (fewer when the provider carries out
	// fewer: providers.Concurrency); <= 0 means 10.
	Parallelism int
	// Now is the clock for step records; nil means time.Now.
	Now func() time.Time
	// Logger receives the walk's debug and trace lines (checks, journal writes); nil
	// means none. cmd/dialtone passes its logger Named("planner").
	Logger hclog.Logger
}
