package config

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// mount is one database that will be mounted on a server: a database block, or a
// dial tone database. Recovery databases are outside the limit (exchange-recovery.md 3.2).
type mount struct {
	server   string
	dialTone bool
	rng      hcl.Range // the server reference that places it
}

// checkMountedLimits reports, once per server, the database that takes the server
// past its limit of mounted databases: the edition's, or maximum_active_databases
// when that is lower.
func checkMountedLimits(cfg *Config) hcl.Diagnostics {
	var mounts []mount
	for _, db := range cfg.Databases {
		if cfg.Servers[db.Server.Name] != nil {
			mounts = append(mounts, mount{db.Server.Name, false, db.ServerRange})
		}
	}
	for _, r := range cfg.Recoveries {
		if dt := r.DialTone; dt != nil && cfg.Servers[dt.Server.Name] != nil {
			mounts = append(mounts, mount{dt.Server.Name, true, dt.ServerRange})
		}
	}
	sort.Slice(mounts, func(i, j int) bool { return before(mounts[i].rng, mounts[j].rng) })

	type count struct{ databases, dialTone int }
	counts := map[string]*count{}
	first := map[string]hcl.Range{} // the mount that went past the limit, per server
	for _, m := range mounts {
		c := counts[m.server]
		if c == nil {
			c = &count{}
			counts[m.server] = c
		}
		if m.dialTone {
			c.dialTone++
		} else {
			c.databases++
		}
		limit, _ := cfg.Servers[m.server].ActiveDatabaseLimit()
		if _, seen := first[m.server]; !seen && limit > 0 && c.databases+c.dialTone > limit {
			first[m.server] = m.rng
		}
	}

	var diags hcl.Diagnostics
	for _, name := range names(first) {
		s, c := cfg.Servers[name], counts[name]
		limit, byCap := s.ActiveDatabaseLimit()
		fix := "move a database to another server"
		if c.dialTone > 0 {
			fix = "place the dial tone database on another server (option \"alternate_server\"), " + fix
		}
		var which string
		if byCap {
			which = fmt.Sprintf("is capped by maximum_active_databases = %d", limit)
			if edition := s.MountedDatabaseLimit(); edition > 0 {
				which += fmt.Sprintf(" (below the %d of its %s edition)", edition, s.Edition)
			}
			which += fmt.Sprintf(", so it mounts at most %d databases", limit)
			fix += ", or raise maximum_active_databases (Set-MailboxServer -MaximumActiveDatabases) if the server can carry more"
		} else {
			which = fmt.Sprintf("runs the %s edition of Exchange (version %s), which mounts at most %d databases", s.Edition, s.Version, limit)
			if s.Edition == EditionStandard {
				fix += `, or set edition = "enterprise" if the server is licensed for it`
			}
		}
		diags = append(diags, errorAt(first[name], "Too many databases on server",
			"Server %s %s, but %d would be mounted on it: %s. Recovery databases do not count. To fix it, %s.",
			s.Name, which, c.databases+c.dialTone, countPhrase(c.databases, c.dialTone), fix))
	}
	sort.SliceStable(diags, func(i, j int) bool { return before(*diags[i].Subject, *diags[j].Subject) })
	return diags
}

func countPhrase(databases, dialTone int) string {
	s := fmt.Sprintf("%d database", databases)
	if databases != 1 {
		s += "s"
	}
	if dialTone > 0 {
		s += fmt.Sprintf(" and %d dial tone database", dialTone)
		if dialTone != 1 {
			s += "s"
		}
	}
	return s
}
