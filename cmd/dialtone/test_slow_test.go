package main

import (
	"context"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// TEST-ONLY knobs for the live progress (testdata/script/live_apply.txtar): the lab's
// steps take milliseconds, too fast for a heartbeat. Nothing else sets them.
//
//   - DIALTONE_TEST_STEP_DELAY=DURATION: every step's operation takes that much longer,
//     reporting progress in 4 parts while it waits.
//   - DIALTONE_TEST_HEARTBEAT=DURATION: heartbeat lines after that much silence instead
//     of 10 s (never longer than 10 s).
const (
	testStepDelayEnv = "DIALTONE_TEST_STEP_DELAY"
	testHeartbeatEnv = "DIALTONE_TEST_HEARTBEAT"
)

// slowForTest wraps prov when DIALTONE_TEST_STEP_DELAY is set.
func slowForTest(c *cli, prov providers.Provider) providers.Provider {
	d, err := time.ParseDuration(c.getenv(testStepDelayEnv))
	if err != nil || d <= 0 {
		return prov
	}
	return &slowProvider{Provider: prov, delay: d}
}

type slowProvider struct {
	providers.Provider
	delay time.Duration
}

func (s *slowProvider) Read(ctx context.Context) (*state.Observed, error) {
	return s.Provider.Read(ctx)
}

func (s *slowProvider) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	const parts = 4
	for i := int64(0); i < parts; i++ {
		if progress != nil {
			progress(i, parts)
		}
		select {
		case <-ctx.Done():
			return providers.Result{}, ctx.Err()
		case <-time.After(s.delay / parts):
		}
	}
	if progress != nil {
		progress(parts, parts)
	}
	return s.Provider.Apply(ctx, op, progress)
}

// Check passes prechecks on to the wrapped provider, which the planner finds by type
// assertion.
func (s *slowProvider) Check(ctx context.Context, ck providers.Check) error {
	if c, ok := s.Provider.(providers.Checker); ok {
		return c.Check(ctx, ck)
	}
	return nil
}
