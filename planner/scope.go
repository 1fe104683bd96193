package planner

import (
	"sort"

	"github.com/dialtone/dialtone/config"
)

// ReadScope names the databases whose mailboxes a plan of cfg needs read: the failed,
// dial tone and recovery database of every recovery, sorted. A refresh before a plan
// reads the mailboxes of these databases only (providers.ScopedReader), so that it
// scales with the failure, not the organization: 50 failed databases of a
// 500,000-mailbox organization are about 12,500 mailboxes. The mailboxes of other
// databases stay as the state knew them; only counts of theirs enter a check (the
// snapshot's), which a refresh -full brings up to date.
func ReadScope(cfg *config.Config) []string {
	seen := map[string]bool{}
	add := func(name string) {
		if name != "" {
			seen[name] = true
		}
	}
	if cfg != nil {
		for _, r := range cfg.Recoveries {
			if r == nil {
				continue
			}
			add(r.Database.Name)
			if r.DialTone != nil {
				add(r.DialTone.Name)
			}
			if r.RecoveryDatabase != nil {
				add(r.RecoveryDatabase.Name)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
