package exchange

import "context"

// SetRan has p tell ran every providers/ems line it runs, as the plan shows it.
func SetRan(p *Provider, ran func(ctx context.Context, line string)) { p.ran = ran }

// PoolPeak is the most sessions p had open at once; PoolSize the most it may.
func PoolPeak(p *Provider) int { p.pool.mu.Lock(); defer p.pool.mu.Unlock(); return p.pool.peak }
func PoolSize(p *Provider) int { p.pool.mu.Lock(); defer p.pool.mu.Unlock(); return p.pool.size }
