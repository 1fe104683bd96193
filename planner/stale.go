package planner

import (
	"fmt"
	"sort"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// StaleOptions say what configuration a plan is checked against (see StaleReasons).
type StaleOptions struct {
	// Config is the configuration now: when it changed and the plan recorded its files'
	// digests, the reason names each file changed, added or removed ("configuration file
	// main.hcl changed") instead of the digests; and the variables whose values changed
	// since the plan follow (non-sensitive ones by name, sensitive ones as "a sensitive
	// variable changed"), see VariablesDigest.
	Config *config.Config
	// ConfigDigest is compared when Config is nil: a change is one reason naming both
	// digests.
	ConfigDigest string
}

// StaleReasons says what moved since p was made: the state's lineage or serial, the
// configuration (see StaleOptions), and per database and server of either snapshot what
// changed ("database DB01: mailboxes 20 -> 21"). Empty means the plan still fits. The
// order is fixed: lineage, serial, configuration, databases by name, servers by name.
func StaleReasons(p *Plan, st *state.State, opts StaleOptions) []string {
	if opts.Config != nil {
		return staleReasons(p, opts.Config.Digest(), opts.Config, st)
	}
	return staleReasons(p, opts.ConfigDigest, nil, st)
}

func staleReasons(p *Plan, configDigest string, cfg *config.Config, st *state.State) []string {
	if p == nil {
		return []string{"no plan"}
	}
	if st == nil {
		return []string{"no state to apply the plan to"}
	}
	var out []string
	if p.Lineage != st.Lineage {
		out = append(out, fmt.Sprintf("state lineage changed from %s to %s: this is a different state", orNone(p.Lineage), orNone(st.Lineage)))
	}
	if p.Serial != st.Serial {
		out = append(out, fmt.Sprintf("state serial moved from %d to %d", p.Serial, st.Serial))
	}
	if p.ConfigDigest != configDigest {
		var files []string
		if cfg != nil && p.ConfigFiles != nil {
			files = fileMoves(p.ConfigFiles, cfg.FileDigests())
		}
		if len(files) == 0 {
			files = []string{fmt.Sprintf("configuration changed (digest %s -> %s)", shortDigest(p.ConfigDigest), shortDigest(configDigest))}
		}
		out = append(out, files...)
	}
	if cfg != nil {
		out = append(out, variableMoves(p.Variables, cfg)...)
	}
	return append(out, snapshotMoves(p.Snapshot, Snap(st))...)
}

// fileMoves lists, by file name, the configuration files that changed, appeared or
// went away between two sets of digests.
func fileMoves(old, cur map[string]string) []string {
	var out []string
	for _, name := range unionKeys(old, cur) {
		a, inOld := old[name]
		b, inCur := cur[name]
		switch {
		case !inOld:
			out = append(out, "configuration file "+name+" added since the plan")
		case !inCur:
			out = append(out, "configuration file "+name+" removed since the plan")
		case a != b:
			out = append(out, "configuration file "+name+" changed")
		}
	}
	return out
}

// snapshotMoves lists the differences between two snapshots, sorted.
func snapshotMoves(old, cur Snapshot) []string {
	var out []string
	for _, name := range unionKeys(old.Databases, cur.Databases) {
		a, inOld := old.Databases[name]
		b, inCur := cur.Databases[name]
		prefix := "database " + name + ": "
		switch {
		case !inOld:
			out = append(out, prefix+"appeared (not in the plan's state)")
			continue
		case !inCur:
			out = append(out, prefix+"gone from the state")
			continue
		}
		if a.Server != b.Server {
			out = append(out, fmt.Sprintf("%sserver %s -> %s", prefix, orNone(a.Server), orNone(b.Server)))
		}
		if a.Mounted != b.Mounted {
			out = append(out, prefix+word(a.Mounted, "mounted", "dismounted")+" -> "+word(b.Mounted, "mounted", "dismounted"))
		}
		if a.Clean != b.Clean {
			out = append(out, prefix+word(a.Clean, "clean shutdown", "dirty shutdown")+" -> "+word(b.Clean, "clean shutdown", "dirty shutdown"))
		}
		if a.FilesOK != b.FilesOK {
			out = append(out, prefix+word(a.FilesOK, "files ok", "files lost or damaged")+" -> "+word(b.FilesOK, "files ok", "files lost or damaged"))
		}
		if a.Mailboxes != b.Mailboxes {
			out = append(out, fmt.Sprintf("%smailboxes %d -> %d", prefix, a.Mailboxes, b.Mailboxes))
		}
	}
	for _, name := range unionKeys(old.Servers, cur.Servers) {
		a, inOld := old.Servers[name]
		b, inCur := cur.Servers[name]
		prefix := "server " + name + ": "
		switch {
		case !inOld:
			out = append(out, prefix+"appeared (not in the plan's state)")
		case !inCur:
			out = append(out, prefix+"gone from the state")
		case a != b:
			out = append(out, prefix+word(a, "up", "down")+" -> "+word(b, "up", "down"))
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func word(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// shortDigest keeps enough of a digest to tell two apart at a glance.
func shortDigest(d string) string {
	const keep = len("sha256:") + 12
	if len(d) > keep {
		return d[:keep]
	}
	return orNone(d)
}
