package exchange

import (
	"context"
	"fmt"

	"github.com/dialtone/dialtone/providers"
)

// mountLimit is the mounted-database limit of an edition (exchange-recovery.md 3.2).
func mountLimit(edition string) int {
	if edition == "enterprise" {
		return 100
	}
	return 5
}

// Check verifies a precondition right before a step with one or two reads. The kinds
// it cannot see from the Exchange Management Shell (disk room, backup sets held by
// backup software) pass here: they were judged when the plan was made.
func (p *Provider) Check(ctx context.Context, c providers.Check) error {
	switch c.Kind {
	case providers.CheckDatabaseMounted, providers.CheckNotMounted:
		d, err := p.mustDatabase(ctx, c.Database)
		if err != nil {
			return err
		}
		if c.Kind == providers.CheckDatabaseMounted && !d.Mounted {
			return fmt.Errorf("database %s is not mounted", d.Name)
		}
		if c.Kind == providers.CheckNotMounted && d.Mounted {
			return fmt.Errorf("database %s is mounted", d.Name)
		}
		return nil
	case providers.CheckServerUp, providers.CheckMountSlot, providers.CheckRecoverySlot:
		obs := newObserved()
		if err := p.readServers(ctx, obs); err != nil {
			return err
		}
		srv := obs.Servers[c.Server]
		if srv == nil {
			return fmt.Errorf("server %s does not exist (Get-ExchangeServer)", c.Server)
		}
		// readDatabases runs eseutil /mh on dismounted databases; for a check the mount
		// state is enough.
		recs, err := p.query(ctx, "Get-MailboxDatabase", p.ex("Get-MailboxDatabase").str("-Server", "server name", c.Server).sw("-Status"),
			selectProps([]string{"Mounted", "Recovery"}, []string{"Name"}))
		if err != nil {
			return err
		}
		mounted, reached := 0, len(recs) == 0
		for _, r := range recs {
			m, err := r.boolean("Mounted", true)
			if err != nil {
				return err
			}
			rec, err := r.boolean("Recovery", false)
			if err != nil {
				return err
			}
			if m == nil {
				continue
			}
			reached = true
			name, _ := r.str("Name", false)
			switch {
			case *m && *rec && c.Kind == providers.CheckRecoverySlot && name != c.Database:
				return fmt.Errorf("recovery database %s is mounted on %s: only one can be mounted per server", name, c.Server)
			case *m && !*rec:
				mounted++
			}
		}
		if !reached {
			return fmt.Errorf("server %s does not answer: no database on it reports a mount state", c.Server)
		}
		if c.Kind == providers.CheckMountSlot {
			if lim := mountLimit(srv.Edition); mounted >= lim {
				return fmt.Errorf("server %s (%s) already has %d mounted databases, its limit", c.Server, srv.Edition, mounted)
			}
		}
		return nil
	case providers.CheckClean:
		d, err := p.mustDatabase(ctx, c.Database)
		if err != nil {
			return err
		}
		h, err := p.header(ctx, d.Server, d.EdbFilePath)
		if err != nil {
			return err
		}
		if !h.readable {
			return fmt.Errorf("eseutil /mh cannot read %s: %s", d.EdbFilePath, tail(h.output))
		}
		if !h.clean {
			return fmt.Errorf("%s is not in Clean Shutdown", d.EdbFilePath)
		}
		return nil
	}
	p.log.Debug("precondition not checked by the exchange provider", "kind", c.Kind)
	return nil
}
