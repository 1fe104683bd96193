package planner

import (
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// The graph apply walks (Terraform's walker): a step starts once every step it waits
// for is done. The plan's sequence was the only order apply kept until the walk ran
// independent recoveries side by side, so the graph holds every order that sequence
// implied and that a parallel walk must keep:
//
//   - the plan's own edges (Step.DependsOn);
//   - within a recovery, plan order: each step waits for the recovery's step before it
//     (a run of parallel merges waits for the step before the run, and the step after
//     the run waits for all of them), so a recovery's stages and Microsoft's order
//     within them are walked exactly as before, one step at a time;
//   - across recoveries, plan order where Exchange makes them share something:
//   - a database: two recoveries' steps naming the same database (Database, Target,
//     Source) run in plan order;
//   - a server's mount slots: a mount on a server waits for the dismounts other
//     recoveries make there before it in the plan (the plan counted their slots free
//     for it: the mounted-database limit, and one mounted recovery database per
//     server);
//   - a server's database count: a create waits for the removals there before it;
//   - a server's disk: a step that writes files to a server waits for the deletions
//     there before it (the disk-room check counted that room), and deletions on one
//     server run in plan order (each judges the folders it may remove by the other
//     databases' files in them, which another recovery's clean-up may be removing);
//   - a rebuilt server: every step on a server waits for another recovery's rebuild of
//     it (recover_server) before it;
//   - a store restart (restart_information_store) stops every database of its server:
//     it waits for every step before it that acts on that server or on a database there,
//     and every such step after it waits for it, so nothing on that server's store runs
//     while it restarts.
//
// The graph is derived from the plan alone, at apply: plan files keep their bytes and
// their DependsOn, and the same plan always gives the same graph. Edges only point
// backwards in plan order, so it has no cycle and a one-at-a-time walk in plan order is
// still a valid walk of it.

// walkGraph is a plan's steps with, for each, the indices of the steps it waits for.
type walkGraph struct {
	steps []*Step
	deps  [][]int
}

// WalkDependencies returns, for every step of p, the IDs of the steps of p that apply
// waits for before starting it, in plan order (see walkGraph). Dependencies on steps
// outside p (done by an earlier run) are left out.
func WalkDependencies(p *Plan) map[string][]string {
	g := buildWalkGraph(p.Steps)
	out := make(map[string][]string, len(g.steps))
	for i, s := range g.steps {
		ids := make([]string, 0, len(g.deps[i]))
		for _, d := range g.deps[i] {
			ids = append(ids, g.steps[d].ID)
		}
		out[s.ID] = ids
	}
	return out
}

// serverState is what the cross-recovery rules remember of one server, walking the plan.
type serverState struct {
	dismounts, removes, deletes, rebuilds []int
	touches                               []int // steps acting on the server or a database there since its last restart
	restart                               int   // its last store restart, -1: none
}

func buildWalkGraph(steps []*Step) *walkGraph {
	g := &walkGraph{steps: steps, deps: make([][]int, len(steps))}
	index := make(map[string]int, len(steps))
	for i, s := range steps {
		index[s.ID] = i
	}
	type recPos struct {
		serial   int   // the recovery's last non-parallel step, -1: none
		parallel []int // its parallel steps since
	}
	recs := map[string]*recPos{}
	lastOnDB := map[string]int{} // database -> the last step naming it
	servers := map[string]*serverState{}
	srv := func(name string) *serverState {
		if servers[name] == nil {
			servers[name] = &serverState{restart: -1}
		}
		return servers[name]
	}
	dbServer := databaseServers(steps)

	for i, s := range steps {
		var deps []int
		add := func(j int) { deps = append(deps, j) }
		// Only edges backwards in plan order: a DependsOn naming a later step (a
		// hand-edited plan) would otherwise make a cycle; Apply refuses such a plan.
		for _, id := range s.DependsOn {
			if j, ok := index[id]; ok && j < i {
				add(j)
			}
		}

		rp := recs[s.Recovery]
		if rp == nil {
			rp = &recPos{serial: -1}
			recs[s.Recovery] = rp
		}
		if rp.serial >= 0 {
			add(rp.serial)
		}
		if s.Parallel {
			rp.parallel = append(rp.parallel, i)
		} else {
			for _, j := range rp.parallel {
				add(j)
			}
			rp.parallel = rp.parallel[:0]
			rp.serial = i
		}

		other := func(j int) {
			if steps[j].Recovery != s.Recovery {
				add(j)
			}
		}
		op := s.Operation
		for _, db := range opDatabases(op) {
			if j, ok := lastOnDB[db]; ok {
				other(j)
			}
			lastOnDB[db] = i
		}
		for _, name := range opServers(op) {
			ss := srv(name)
			for _, j := range ss.rebuilds {
				other(j)
			}
			if op.Kind == providers.OpMountDatabase {
				for _, j := range ss.dismounts {
					other(j)
				}
			}
			if op.Kind == providers.OpCreateDatabase {
				for _, j := range ss.removes {
					other(j)
				}
			}
			if writesFiles(op.Kind) || op.Kind == providers.OpDeleteFiles {
				for _, j := range ss.deletes {
					other(j)
				}
			}
		}
		if op.Server != "" {
			ss := srv(op.Server)
			switch op.Kind {
			case providers.OpDismountDatabase:
				ss.dismounts = append(ss.dismounts, i)
			case providers.OpRemoveDatabase:
				ss.removes = append(ss.removes, i)
			case providers.OpDeleteFiles:
				ss.deletes = append(ss.deletes, i)
			case providers.OpRecoverServer:
				ss.rebuilds = append(ss.rebuilds, i)
			}
		}
		for _, name := range storeServers(op, dbServer) {
			ss := srv(name)
			if op.Kind == providers.OpRestartStore && strings.EqualFold(name, op.Server) {
				for _, j := range ss.touches {
					other(j)
				}
				if ss.restart >= 0 {
					other(ss.restart)
				}
				ss.touches, ss.restart = ss.touches[:0], i
				continue
			}
			if ss.restart >= 0 {
				other(ss.restart)
			}
			ss.touches = append(ss.touches, i)
		}
		g.deps[i] = dedupe(deps)
	}
	return g
}

// databaseServers maps each database the steps name with its server (a create, a mount,
// a file operation) to that server, and the databases a store restart interrupts to its.
func databaseServers(steps []*Step) map[string]string {
	out := map[string]string{}
	for _, s := range steps {
		op := s.Operation
		if op.Database != "" && op.Server != "" && out[op.Database] == "" {
			out[op.Database] = strings.ToUpper(op.Server)
		}
		if op.Kind == providers.OpRestartStore {
			for _, db := range op.Databases {
				out[db] = strings.ToUpper(op.Server)
			}
		}
	}
	return out
}

// storeServers lists the servers whose store an operation acts on: its own servers and
// those of the databases it names (a re-home to a database there, a merge from one).
func storeServers(op providers.Operation, dbServer map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s = strings.ToUpper(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range opServers(op) {
		add(s)
	}
	for _, db := range opDatabases(op) {
		add(dbServer[db])
	}
	return out
}

// opDatabases lists the databases an operation names.
func opDatabases(op providers.Operation) []string {
	var out []string
	for _, db := range []string{op.Database, op.Target, op.Source} {
		if db != "" && (len(out) == 0 || out[len(out)-1] != db) {
			out = append(out, db)
		}
	}
	return out
}

// opServers lists the servers an operation acts on.
func opServers(op providers.Operation) []string {
	var out []string
	for _, s := range []string{op.Server, op.SourceServer, op.DestServer} {
		if s != "" && (len(out) == 0 || out[len(out)-1] != s) {
			out = append(out, s)
		}
	}
	return out
}

// writesFiles reports whether an operation kind puts files on a server's disk.
func writesFiles(k providers.OpKind) bool {
	switch k {
	case providers.OpCopyFiles, providers.OpRestoreBackup, providers.OpCopyLogs, providers.OpMoveFiles,
		providers.OpCreateDatabase, providers.OpMountDatabase:
		return true
	}
	return false
}

// dedupe sorts indices and drops repeats.
func dedupe(xs []int) []int {
	if len(xs) < 2 {
		return xs
	}
	sort.Ints(xs)
	out := xs[:1]
	for _, x := range xs[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}
