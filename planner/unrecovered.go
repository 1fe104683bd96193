package planner

import (
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// UnrecoveredDatabase is a database on a failed server that no recovery block
// recovers: its users are without service as surely as the recovered database's, and
// every plan names it (text, Markdown, JSON) until it is mounted again.
type UnrecoveredDatabase struct {
	Database  string `json:"database"`
	Server    string `json:"server"`
	Mailboxes int    `json:"mailboxes"` // user and system mailboxes homed on it
	Why       string `json:"why"`
	// Step is the step of this plan that mounts it once its server is rebuilt (or its
	// restore is done); empty when the plan has none.
	Step string `json:"step,omitempty"`
	// Fix says what brings its users back when the plan has no such step; empty: add a
	// recovery block, or mount it once the server is rebuilt.
	Fix string `json:"fix,omitempty"`
}

// unrecovered lists, by name, the databases of cfg that no recovery block names and
// whose server is down, or is the failed server of an alternate-server recovery while
// they are not mounted (the rebuild brings a server back with its databases dismounted).
func unrecovered(cfg *config.Config, st *state.State, ptrs map[string]*pointers) []UnrecoveredDatabase {
	recovered := map[string]bool{}
	failedServers := map[string]string{} // server -> a recovery whose failed database it hosts
	names := make([]string, 0, len(cfg.Recoveries))
	for name := range cfg.Recoveries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rec := cfg.Recoveries[name]
		if rec == nil {
			continue
		}
		recovered[rec.Database.Name] = true
		if db := cfg.Databases[rec.Database.Name]; db != nil && rec.Option != config.OptionSameServer {
			if _, seen := failedServers[db.Server.Name]; !seen {
				failedServers[db.Server.Name] = name
			}
		}
	}
	dbs := make([]string, 0, len(cfg.Databases))
	for name := range cfg.Databases {
		dbs = append(dbs, name)
	}
	sort.Strings(dbs)
	var out []UnrecoveredDatabase
	for _, name := range dbs {
		db := cfg.Databases[name]
		if db == nil || recovered[name] {
			continue
		}
		server := db.Server.Name
		why := ""
		sdb := st.Databases[name]
		switch srv := st.Servers[server]; {
		case srv != nil && !srv.Up:
			why = "server " + server + " is down and no recovery block recovers " + name
		case sdb != nil && !sdb.Mounted && failedServers[server] != "":
			why = server + " failed (recovery." + failedServers[server] + ") and " + name + ", which no recovery block recovers, is not mounted"
		default:
			continue
		}
		n := 0
		if p := ptrs[name]; p != nil {
			n = p.users + p.system
		}
		out = append(out, UnrecoveredDatabase{Database: name, Server: server, Mailboxes: n, Why: why})
	}
	return append(out, lostDialTones(st, ptrs, names, cfg)...)
}

// lostDialTones are the dial tone databases that served their users (mounted by their
// recovery, not yet dismounted for the swap) and are now down with their files
// unreadable: those users are without service again, whatever stage is asked for.
func lostDialTones(st *state.State, ptrs map[string]*pointers, names []string, cfg *config.Config) []UnrecoveredDatabase {
	var out []UnrecoveredDatabase
	for _, name := range names {
		rec, r := cfg.Recoveries[name], st.Recoveries[name]
		if rec == nil || rec.DialTone == nil || r == nil {
			continue
		}
		id := func(key string) string { return "recovery." + name + "." + key }
		if r.Steps[id("mount_dial_tone_database")] == nil || r.Steps[id("dismount_dial_tone_database")] != nil {
			continue
		}
		dt := st.Databases[rec.DialTone.Name]
		if dt == nil || dt.Mounted || dt.FilesOK {
			continue
		}
		why := "the dial tone database of recovery." + name + " is lost (its files are gone or unreadable)"
		if srv := st.Servers[dt.Server]; srv != nil && !srv.Up {
			why = "server " + dt.Server + " of the dial tone database of recovery." + name + " is down"
		}
		n := 0
		if p := ptrs[dt.Name]; p != nil {
			n = p.users + p.system
		}
		out = append(out, UnrecoveredDatabase{Database: dt.Name, Server: dt.Server, Mailboxes: n, Why: why,
			Fix: "recovery." + name + " brings them back once its stage is raised: first a restore of " + dt.Name +
				" from its newest backup with its surviving logs; without a backup, at the swap (the dial tone mail is then lost)."})
	}
	return out
}

// mountUnrecovered mounts, after the rebuild of the failed server, the databases there
// that no recovery block recovers (their files stayed on the server's data volumes). A
// database whose files the organization reports unreadable on a server that is up is a
// manual step instead: a mount would fail, and only a restore brings it back. Each step
// hangs off the rebuild and nothing waits for it: its failure stops only itself.
func (rc *recCtx) mountUnrecovered(number int) []*Step {
	var steps []*Step
	for _, u := range rc.unrecovered {
		s := rc.newStep("mount_unrecovered_database["+strconv.Quote(u.Database)+"]", stRestored, number, PhaseRestoreData, RiskReversible,
			providers.Operation{Kind: providers.OpMountDatabase, Database: u.Database, Server: u.Server},
			"Mount "+u.Database+" on the rebuilt "+u.Server+" (no recovery block recovers it): service back for its "+plural(u.Mailboxes, "mailbox", "mailboxes"),
			"eseutil /mh "+psQuote(u.edb), cmdMount(u.Database),
		)
		if u.filesLost {
			s.Manual = true
			s.Operation.Instructions = u.Database + " on " + u.Server + " has no recovery block and its files are unreadable: restore it from a backup with your backup software " +
				"(or add a recovery block for it and plan again), mount it, and check its " + plural(u.Mailboxes, "mailbox", "mailboxes") + "; then confirm."
		}
		s.Mailboxes = u.Mailboxes
		s.Parallel = true
		steps = append(steps, s)
	}
	return steps
}

// unrecoveredOn is what a recovery needs of the unrecovered databases of its failed
// server to mount them after the rebuild.
type unrecoveredOn struct {
	UnrecoveredDatabase
	edb       string
	filesLost bool
}

// attachUnrecovered gives each alternate_server recovery the unrecovered databases of
// its failed server (the first such recovery by name, so that one rebuild mounts them).
func attachUnrecovered(cfg *config.Config, st *state.State, rcs []*recCtx, list []UnrecoveredDatabase) {
	taken := map[string]bool{}
	sorted := append([]*recCtx(nil), rcs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, rc := range sorted {
		if rc.rec.Option != config.OptionAlternateServer {
			continue
		}
		for _, u := range list {
			if u.Server != rc.failed.Server || taken[u.Database] {
				continue
			}
			taken[u.Database] = true
			on := unrecoveredOn{UnrecoveredDatabase: u}
			if db := cfg.Databases[u.Database]; db != nil {
				on.edb = db.EdbFilePath
			}
			if sdb, srv := st.Databases[u.Database], st.Servers[u.Server]; sdb != nil && !sdb.FilesOK && srv != nil && srv.Up {
				on.filesLost = true
			}
			rc.unrecovered = append(rc.unrecovered, on)
		}
	}
}

// stepsForUnrecovered fills in the step of the plan that mounts each database.
func stepsForUnrecovered(p *Plan) {
	byDB := map[string]string{}
	for _, s := range p.Steps {
		if s != nil && s.Operation.Kind == providers.OpMountDatabase &&
			(isUnrecoveredMount(s.ID) || strings.HasSuffix(s.ID, ".mount_restored_dial_tone_database")) {
			byDB[s.Operation.Database] = s.ID
		}
	}
	for i := range p.Unrecovered {
		p.Unrecovered[i].Step = byDB[p.Unrecovered[i].Database]
	}
}

func isUnrecoveredMount(id string) bool { return strings.Contains(id, ".mount_unrecovered_database[") }
