package exchange

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// The pool of Exchange sessions. apply's graph walk runs up to -parallelism steps at
// once; through one PowerShell session their commands would queue one behind the other
// and recoveries would not overlap. The provider therefore keeps up to size sessions,
// each its own PowerShell process opened by the same startup script (the same
// -DomainController pin, so every session reads every session's writes). A request
// takes an idle session, or starts one while fewer than size are open, or waits for
// one to come back. Sessions start lazily: a plan that sends one request at a time
// never opens a second.
//
// A request runs on one session from its start to its response, and every operation
// reads whether its effect is in place before acting (apply.go), so a session that
// dies in the middle of a step fails that step only: the planner journals nothing for
// it and the next apply does it again, on any session. A dead session is dropped and
// its slot freed.

// DefaultMaxSessions bounds the pool whatever -parallelism says, unless max_sessions
// (Settings.MaxSessions) gives another bound. Exchange's throttling policy limits how
// many remote PowerShell sessions one user may have open at once (PowerShellMaxConcurrency
// of Set-ThrottlingPolicy; the default policy of on-premises Exchange carries 18:
// Get-ThrottlingPolicy | Format-List PowerShellMaxConcurrency shows the organization's).
// 12 stays below it with room for the admin's own shells during the recovery. Where the
// organization's policy is lower, a session that cannot be opened while others are open
// shrinks the pool instead of failing the step.
const DefaultMaxSessions = 12

// DefaultSessions is the pool's size until SetParallelism: apply's default -parallelism.
const DefaultSessions = 10

// Sessions is the pool's size for a walk of parallelism steps at once: one session per
// step, at most maxSessions (DefaultMaxSessions when 0). The one place the size is
// computed: the provider, its callers and dialtone-bench use it.
func Sessions(parallelism, maxSessions int) int {
	if maxSessions <= 0 {
		maxSessions = DefaultMaxSessions
	}
	return max(1, min(parallelism, maxSessions))
}

// sessions is the pool's size for parallelism steps at once, with this provider's bound.
func (p *Provider) sessions(parallelism int) int { return Sessions(parallelism, p.cfg.MaxSessions) }

type pool struct {
	mu   sync.Mutex
	size int      // the most sessions open at once
	idle []*shell // open, not in use
	busy int      // in use or being opened
	wake chan struct{}
	gen  int // bumped by Close: sessions of an older generation are closed when released
	peak int // the most sessions open at once so far (tests)
}

func newPool(size int) *pool {
	return &pool{size: size, wake: make(chan struct{})}
}

// resize sets the most sessions open at once (at least 1); idle sessions above it are
// closed.
func (q *pool) resize(n int) {
	n = max(n, 1)
	q.mu.Lock()
	q.size = n
	var extra []*shell
	for len(q.idle) > 0 && len(q.idle)+q.busy > n {
		extra = append(extra, q.idle[len(q.idle)-1])
		q.idle = q.idle[:len(q.idle)-1]
	}
	q.signal()
	q.mu.Unlock()
	for _, sh := range extra {
		sh.close()
	}
}

// signal wakes the waiters (q.mu held).
func (q *pool) signal() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// acquire returns an idle session, or opens one with open while the pool has room, or
// waits for one. The caller must release what it gets.
func (q *pool) acquire(ctx context.Context, open func(ctx context.Context) (*shell, error)) (*shell, int, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		q.mu.Lock()
		for len(q.idle) > 0 {
			sh := q.idle[len(q.idle)-1]
			q.idle = q.idle[:len(q.idle)-1]
			if sh.dead || sh.exited() {
				sh.kill() // its process ended while idle (killed, the connection dropped)
				continue
			}
			q.busy++
			gen := q.gen
			q.mu.Unlock()
			return sh, gen, nil
		}
		if q.busy < q.size {
			q.busy++
			q.peak = max(q.peak, q.busy)
			gen, others := q.gen, q.busy-1
			q.mu.Unlock()
			sh, err := open(ctx)
			if err == nil {
				return sh, gen, nil
			}
			q.mu.Lock()
			q.busy--
			if others > 0 && ctx.Err() == nil {
				// The organization refuses one more session (its throttling policy may
				// allow fewer than the pool's size): go on with the sessions open.
				q.size = max(1, q.busy)
				q.signal()
				q.mu.Unlock()
				return nil, 0, &errShrunk{err}
			}
			q.signal()
			q.mu.Unlock()
			return nil, 0, err
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
		}
	}
}

// errShrunk is a session that could not be opened while others were open: the pool
// was made smaller, and the request waits for one of those.
type errShrunk struct{ err error }

func (e *errShrunk) Error() string { return e.err.Error() }

// release gives sh back: a dead session, or one of before a Close, or one above the
// size, is closed.
func (q *pool) release(sh *shell, gen int) {
	q.mu.Lock()
	q.busy--
	keep := !sh.dead && !sh.exited() && gen == q.gen && len(q.idle)+q.busy < q.size
	if keep {
		q.idle = append(q.idle, sh)
	}
	q.signal()
	q.mu.Unlock()
	if !keep {
		sh.close()
	}
}

// closeAll closes the idle sessions now and the busy ones when they come back.
func (q *pool) closeAll() error {
	q.mu.Lock()
	idle := q.idle
	q.idle = nil
	q.gen++
	q.signal()
	q.mu.Unlock()
	for _, sh := range idle {
		sh.close()
	}
	return nil
}

// open counts the sessions open or being opened.
func (q *pool) open() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.idle) + q.busy
}

// SetParallelism sizes the pool of sessions to n (apply's -parallelism), at most
// max_sessions (Sessions): each of the walk's parallel steps then has a session of its own.
func (p *Provider) SetParallelism(n int) {
	p.pool.resize(p.sessions(n))
}

// Concurrency is the pool's size for -parallelism n: the walk starts no more steps at
// once than there are sessions, so that its order, not the wait for a session, decides
// which step runs next.
func (p *Provider) Concurrency(n int) int { return p.sessions(n) }

// run sends one request body on a session of the pool, opening one when needed. A
// session whose process failed is dropped; the next request opens another.
func (p *Provider) run(ctx context.Context, body string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.testRun != nil {
		p.testMu.Lock()
		defer p.testMu.Unlock()
		return p.testRun(ctx, body)
	}
	for {
		sh, gen, err := p.pool.acquire(ctx, p.open)
		var shrunk *errShrunk
		if errors.As(err, &shrunk) {
			p.log.Warn("Exchange refused one more PowerShell session; going on with those open", "error", shrunk.err)
			continue
		}
		if err != nil {
			return nil, err
		}
		p.log.Trace("request", "body", body)
		data, err := sh.run(ctx, body)
		p.pool.release(sh, gen)
		return data, err
	}
}

// open starts a process and runs the startup script in it.
func (p *Provider) open(ctx context.Context) (*shell, error) {
	var env []string
	env = append(env, p.cfg.Env...)
	if p.cred != nil {
		env = append(env, envUser+"="+p.cred.user, envPassword+"="+p.cred.password)
	}
	sh, err := startShell(p.cfg.Command, env, p.cfg.MaxResponseBytes, p.log)
	if err != nil {
		return nil, err
	}
	for _, body := range p.startup() {
		if _, err := sh.run(ctx, body); err != nil {
			sh.kill()
			return nil, fmt.Errorf("opening the Exchange session: %w", err)
		}
	}
	p.log.Debug("exchange session open", "remote", p.cfg.ConnectionURI != "", "domain_controller", p.cfg.DomainController, "sessions", p.pool.open())
	return sh, nil
}
