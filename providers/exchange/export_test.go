package exchange

import "context"

// SetRan has p tell ran every providers/ems line it runs, as the plan shows it.
func SetRan(p *Provider, ran func(ctx context.Context, line string)) { p.ran = ran }
