package exchange

import (
	"context"

	"github.com/dialtone/dialtone/providers/ems"
)

// The lines of providers/ems, as this provider runs them: the plan's lines with
// -DomainController pinned, inside the request framing, output discarded or selected.

// emsLine renders an ems line for this provider (with -DomainController when
// configured) as a command of a pipeline.
func (p *Provider) emsLine(ctx context.Context, l ems.Line) *cmdBuilder {
	s, err := l.Render(ems.Options{DomainController: p.cfg.DomainController})
	if p.ran != nil {
		p.ran(ctx, l.String())
	}
	c := &cmdBuilder{err: err}
	c.b.WriteString(s)
	return c
}

// do runs ems lines one request each, in order, discarding their output.
func (p *Provider) do(ctx context.Context, lines ...ems.Line) error {
	for _, l := range lines {
		if err := p.exec(ctx, p.emsLine(ctx, l)); err != nil {
			return err
		}
	}
	return nil
}

// doTogether runs ems lines in one request, so on one session: a line may set a
// variable that a later one reads. Their output is discarded.
func (p *Provider) doTogether(ctx context.Context, lines ...ems.Line) error {
	stmts := make([]*cmdBuilder, 0, len(lines))
	for _, l := range lines {
		stmts = append(stmts, p.emsLine(ctx, l))
	}
	body, err := statements(stmts[:len(stmts)-1]...)
	if err != nil {
		return err
	}
	last, err := stmts[len(stmts)-1].line()
	if err != nil {
		return err
	}
	_, err = p.run(ctx, body+last+" | Out-Null")
	return err
}

// orgVersion is the organization's Exchange version, read with the servers when not
// known yet.
func (p *Provider) orgVersion(ctx context.Context) (ems.Version, error) {
	p.infoMu.Lock()
	v := p.version
	p.infoMu.Unlock()
	if v == "" {
		if err := p.readServers(ctx, newObserved()); err != nil {
			return "", err
		}
		p.infoMu.Lock()
		v = p.version
		p.infoMu.Unlock()
	}
	return v, nil
}

// oldestVersion is the oldest Exchange version among builds (the version every command
// line must be valid for); the newest when none is known.
func oldestVersion(builds []string) ems.Version {
	best := -1
	for _, b := range builds {
		v, ok := ems.VersionOf(b)
		if !ok {
			continue
		}
		for i, known := range ems.Versions {
			if known == v && (best < 0 || i < best) {
				best = i
			}
		}
	}
	if best < 0 {
		return ems.Versions[len(ems.Versions)-1]
	}
	return ems.Versions[best]
}
