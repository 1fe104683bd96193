package exchange

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// restartStore is restart_information_store: Restart-Service MSExchangeIS on the
// recovery database's server (inside Invoke-Command there; Restart-Service returns once
// the service runs again), then Mount-Database for each database that was mounted
// before it or that the plan names (op.Databases) and that the store did not mount by
// itself (MountAtStartup $false). A recovery database already mounted shows the store
// has loaded it: nothing to do. Exchange shows nothing else of a past restart, so a
// re-run after a crash in the middle restarts the store once more: one more short
// interruption, and every database mounted again.
func (p *Provider) restartStore(ctx context.Context, op providers.Operation) (providers.Result, error) {
	rdb, err := p.mustDatabase(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if !strings.EqualFold(rdb.Server, op.Server) {
		return providers.Result{}, fmt.Errorf("recovery database %s is on %s, not %s", rdb.Name, rdb.Server, op.Server)
	}
	if rdb.Mounted {
		return providers.Result{AlreadyDone: true, Detail: rdb.Name + " is mounted: the Information Store on " + op.Server + " has loaded it"}, nil
	}
	server, err := p.opServer(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	before, err := p.mountedOn(ctx, server)
	if err != nil {
		return providers.Result{}, err
	}
	// The one line of the plan that runs on the server: the provider's framing around it.
	line, err := ems.RestartStore().Render(ems.Options{})
	if err != nil {
		return providers.Result{}, err
	}
	if p.ran != nil {
		p.ran(ctx, line)
	}
	body, err := p.onServer(server, line)
	if err != nil {
		return providers.Result{}, err
	}
	if _, err := p.run(ctx, body); err != nil {
		return providers.Result{}, fmt.Errorf("Restart-Service MSExchangeIS on %s: %w", server, err)
	}
	want := append(append([]string{}, before...), op.Databases...)
	sort.Strings(want)
	var again []string
	for i, name := range want {
		if i > 0 && strings.EqualFold(want[i-1], name) {
			continue
		}
		d, err := p.database(ctx, name)
		if err != nil {
			return providers.Result{}, err
		}
		if d == nil || !strings.EqualFold(d.Server, server) {
			continue // gone or elsewhere since the plan: nothing of this server to mount
		}
		if _, err := p.mount(ctx, providers.Operation{Kind: providers.OpMountDatabase, Database: d.Name, Server: server}); err != nil {
			return providers.Result{}, fmt.Errorf("after the store restart on %s, mounting %s: %w", server, d.Name, err)
		}
		again = append(again, d.Name)
	}
	detail := "restarted the Information Store on " + server
	if len(again) > 0 {
		detail += "; " + strings.Join(again, ", ") + " mounted"
	}
	return providers.Result{Detail: detail, Count: int64(len(again))}, nil
}

// mountedOn lists the databases mounted on server.
func (p *Provider) mountedOn(ctx context.Context, server string) ([]string, error) {
	recs, err := p.query(ctx, "Get-MailboxDatabase",
		p.ex("Get-MailboxDatabase").str("-Server", "server name", server).sw("-Status"),
		selectProps([]string{"Mounted"}, []string{"Name"}))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		name, err := r.str("Name", true)
		if err != nil {
			return nil, err
		}
		on, err := r.boolean("Mounted", true)
		if err != nil {
			return nil, err
		}
		if on != nil && *on {
			out = append(out, name)
		}
	}
	return out, nil
}
