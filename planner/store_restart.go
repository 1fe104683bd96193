package planner

import (
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// ReasonStoreRestart is the outage of the users of every database mounted on a server
// while its Information Store restarts.
const ReasonStoreRestart = "Information Store restart"

// restartStore is step 4 of Microsoft's "Restore data using a recovery database" (the
// same on Exchange 2013, 2016, 2019 and SE): Restart-Service MSExchangeIS on the recovery
// database's server once it is created, before its first mount. Its impact (the
// databases mounted there at that point of the plan and their users) is known once the
// whole plan is: storeRestartImpact fills it in.
func (rc *recCtx) restartStore(stage, number int) *Step {
	rdb := rc.rdb
	return rc.newStep("restart_information_store", stage, number, phaseOf(stage), RiskOutage,
		providers.Operation{Kind: providers.OpRestartStore, Database: rdb.Name, Server: rdb.Server},
		"Restart the Information Store on "+rdb.Server+" so that it loads "+rdb.Name+" (Microsoft's recovery database procedure, step 4)",
		ems.RestartStore().String())
}

// storeRestartImpact walks the plan in order, following which databases are mounted on
// which server and how many mailboxes each holds (from the state, then the plan's
// creates, mounts, dismounts, removals, renames and re-homes), and gives each store
// restart the databases it interrupts (Operation.Databases, mounted again after it),
// their users (Mailboxes), a summary naming them and a mount line for each (the store
// mounts by itself only those mounted at startup).
func storeRestartImpact(p *Plan, st *state.State) {
	server := map[string]string{}
	mounted := map[string]bool{}
	recovery := map[string]bool{}
	users := map[string]int{}
	for name, d := range st.Databases {
		if d == nil {
			continue
		}
		server[name], mounted[name], recovery[name] = d.Server, d.Mounted, d.Recovery
		users[name] = p.Snapshot.Databases[name].Mailboxes
	}
	for _, s := range p.Steps {
		op := s.Operation
		switch op.Kind {
		case providers.OpCreateDatabase:
			server[op.Database], recovery[op.Database] = op.Server, op.Recovery
		case providers.OpMountDatabase:
			mounted[op.Database] = true
			if op.Server != "" {
				server[op.Database] = op.Server
			}
		case providers.OpDismountDatabase, providers.OpRemoveDatabase:
			mounted[op.Database] = false
		case providers.OpRehomeMailboxes:
			users[op.Target] += users[op.Database]
			users[op.Database] = 0
		case providers.OpRenameDatabase:
			server[op.Target], mounted[op.Target], recovery[op.Target], users[op.Target] = server[op.Database], mounted[op.Database], recovery[op.Database], users[op.Database]
			delete(server, op.Database)
			mounted[op.Database] = false
		case providers.OpRestartStore:
			var hit []string
			for name, on := range mounted {
				if on && name != op.Database && strings.EqualFold(server[name], op.Server) {
					hit = append(hit, name)
				}
			}
			sort.Strings(hit)
			s.Operation.Databases = hit
			s.Commands = []string{ems.RestartStore().String()}
			n := 0
			var names []string
			for _, name := range hit {
				s.Commands = append(s.Commands, cmdMount(name))
				what := plural(users[name], "mailbox", "mailboxes")
				if recovery[name] {
					what = "a recovery database"
				}
				names = append(names, name+" ("+what+")")
				n += users[name]
			}
			s.Mailboxes = n
			if len(hit) == 0 {
				s.Summary += ". No database is mounted on " + op.Server + " then: no user is interrupted"
			} else {
				s.Summary += ". It interrupts every database mounted on " + op.Server + " for a minute or two: " + strings.Join(names, ", ") +
					"; " + strconv.Itoa(n) + " users lose service meanwhile, their mail queues and is delivered after, and each database is mounted again"
			}
		}
	}
}
