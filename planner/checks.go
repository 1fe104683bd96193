package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// checker holds what the plan has done up to the step being checked: mounts per server,
// disk used, clean files, names created, and which mailboxes point where. Every check of
// exchange-recovery.md section 3 reads and moves it in plan order, across all recoveries.
type checker struct {
	cfg *config.Config
	st  *state.State

	mounted  map[string]string          // ordinary database -> server
	count    map[string]int             // server -> mounted ordinary databases
	rdbs     map[string]map[string]bool // server -> mounted recovery databases
	used     map[string]int64           // server -> bytes the plan adds
	clean    map[string]bool            // database -> files in Clean Shutdown
	names    map[string]string          // lower-case database name -> step creating it
	logDirs  map[string]string          // server + lower-case log folder -> database
	pointers map[string]*pointers       // database -> mailboxes pointing at it
	recover  map[string]bool            // servers a planned recover_server rebuilds
	passive  map[string]int             // server -> healthy passive copies it holds (they take mount slots)
}

type pointers struct {
	users, system, archives int
	rcs                     []*recCtx // recoveries whose mailboxes these are (attachMailboxes)
}

// newChecker starts the checks of a plan over st; ptrs is countPointers(st), which the
// checker then owns (nil: counted here).
func newChecker(cfg *config.Config, st *state.State, ptrs map[string]*pointers) *checker {
	if ptrs == nil {
		ptrs = countPointers(st)
	}
	c := &checker{cfg: cfg, st: st, mounted: map[string]string{}, count: map[string]int{}, rdbs: map[string]map[string]bool{},
		used: map[string]int64{}, clean: map[string]bool{}, names: map[string]string{}, logDirs: map[string]string{},
		pointers: ptrs, recover: map[string]bool{}, passive: map[string]int{}}
	for name, db := range st.Databases {
		if db == nil {
			continue
		}
		c.clean[name] = db.Clean
		for _, cp := range db.Copies {
			if cp.Healthy && !db.Recovery {
				c.passive[cp.Server]++ // a passive copy takes a slot of the edition's limit
			}
		}
		if db.LogFolderPath != "" {
			c.logDirs[db.Server+"|"+strings.ToLower(db.LogFolderPath)] = name
		}
		if !db.Mounted {
			continue
		}
		if db.Recovery {
			c.rdb(db.Server)[name] = true
		} else {
			c.mounted[name] = db.Server
			c.count[db.Server]++
		}
	}
	return c
}

// countPointers counts, per database, the user and system mailboxes homed on it and the
// archives it holds: one pass over the mailboxes, shared by the plan's snapshot and its
// checks (two passes over 500,000 mailboxes were a fifth of a no-change plan).
func countPointers(st *state.State) map[string]*pointers {
	return countPointersAttaching(st, nil)
}

// countPointersAttaching is countPointers that also appends each mailbox to the
// mailboxes of the recoveries byDB lists for its home database (attachMailboxes): one
// lookup per mailbox for both.
func countPointersAttaching(st *state.State, byDB map[string][]*recCtx) map[string]*pointers {
	out := make(map[string]*pointers, len(st.Databases)+len(byDB))
	for db, rcs := range byDB {
		out[db] = &pointers{rcs: rcs}
	}
	ptr := func(db string) *pointers {
		p := out[db]
		if p == nil {
			p = &pointers{}
			out[db] = p
		}
		return p
	}
	for _, mb := range st.Mailboxes {
		if mb == nil {
			continue
		}
		home := ptr(mb.Database)
		if mb.Kind == "" {
			home.users++
		} else {
			home.system++
		}
		for _, rc := range home.rcs {
			rc.mailboxes = append(rc.mailboxes, mb)
		}
		if mb.ArchiveDatabase != "" {
			arch := ptr(mb.ArchiveDatabase)
			arch.archives++
			for _, rc := range arch.rcs {
				if mb.ArchiveGuid != "" {
					rc.archives = append(rc.archives, mb)
				}
			}
		}
	}
	return out
}

func (c *checker) rdb(server string) map[string]bool {
	m := c.rdbs[server]
	if m == nil {
		m = map[string]bool{}
		c.rdbs[server] = m
	}
	return m
}

func (c *checker) ptr(db string) *pointers {
	p := c.pointers[db]
	if p == nil {
		p = &pointers{}
		c.pointers[db] = p
	}
	return p
}

// serverUp checks a server the recovery works on: up now, or rebuilt earlier in the plan
// (then only apply can tell).
func (c *checker) serverUp(server string) Precondition {
	pc := Precondition{Description: "server " + server + " is up", Check: &providers.Check{Kind: providers.CheckServerUp, Server: server},
		Fix: "dialtone works through " + server + "; bring it back (or run \"dialtone refresh\" if it is up) before applying."}
	switch {
	case c.st.Servers[server] != nil && c.st.Servers[server].Up:
		pc.Result = ResultOK
	case c.recover[server]:
		pc.Result = ResultAtApply
		pc.Description += " (rebuilt by an earlier step of this plan)"
	default:
		pc.Result = ResultFailed
		// Say what the refresh found, not the expectation alone.
		switch s := c.st.Servers[server]; {
		case s != nil:
			pc.Description = "server " + server + " is up: the last refresh found it down"
		case len(c.st.Servers) > 0:
			pc.Description = "server " + server + " is not in the organization (refresh found " + foundNames(c.st.Servers) + ")"
			pc.Fix = "Correct the server's name in the configuration (Exchange knows it as one of those), or add the server to the organization, then run \"dialtone refresh\"."
		default:
			pc.Description = "server " + server + " is up: the state knows no server yet (never refreshed)"
			pc.Fix = "Run \"dialtone refresh\" so that the state knows the organization's servers."
		}
	}
	return pc
}

// foundNames lists the names a refresh found, sorted, at most 10.
func foundNames[V any](m map[string]V) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// compatible checks that the data of a database on server from can be mounted on
// server to (3.1): the same major version, and the same schema version where known.
func (c *checker) compatible(what, from, to string) Precondition {
	fv, _ := serverBuild(c.cfg, c.st, from)
	tv, _ := serverBuild(c.cfg, c.st, to)
	fs, ts := c.schema(from), c.schema(to)
	pc := Precondition{Description: fmt.Sprintf("%s: %s (Exchange %s, schema %s) and %s (Exchange %s, schema %s) have the same major version and database schema",
		what, from, orUnknown(fv), orUnknown(fs), to, orUnknown(tv), orUnknown(ts)),
		Fix: "Use a server with the same Exchange major version and database schema version as " + from + " (a database of an earlier version cannot be mounted on a later one), or set schema_version on both servers."}
	fM, fm, fb, fok := parseBuild(fv)
	tM, tm, tb, tok := parseBuild(tv)
	switch {
	case !fok || !tok:
		pc.Result = ResultAtApply
	case fM != tM || fm != tm:
		pc.Result = ResultFailed
	case fs != "" && ts != "" && fs != ts:
		pc.Result = ResultFailed
	case fM == 15 && fm == 2 && (fb >= 2562) != (tb >= 2562) && (fs == "" || ts == ""):
		// 2019 and SE report the same major version; the docs do not say they exchange databases.
		pc.Result = ResultAtApply
		pc.Description += " (2019 and SE: compare CurrentSchemaVersion and check in a lab)"
	case from != to && (fs == "" || ts == ""):
		// The major versions match, but a schema not known was never compared: saying
		// "ok" would claim a check that did not happen.
		pc.Result = ResultUnknown
		pc.Description = fmt.Sprintf("%s: %s (Exchange %s, schema %s) and %s (Exchange %s, schema %s) have the same major version; the database schema versions were not compared (unknown)",
			what, from, orUnknown(fv), orUnknown(fs), to, orUnknown(tv), orUnknown(ts))
		pc.Fix = "Set schema_version on both servers (CurrentSchemaVersion of Get-MailboxDatabase -Status) so that dialtone compares them."
	default:
		pc.Result = ResultOK
	}
	return pc
}

func (c *checker) schema(server string) string {
	if s := c.st.Servers[server]; s != nil && s.SchemaVersion != "" {
		return s.SchemaVersion
	}
	if s := c.cfg.Servers[server]; s != nil {
		return s.SchemaVersion
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// mountLimit is the number of mounted databases a server allows: the edition's limit
// (exchange-recovery.md 3.2; a trial or unknown edition behaves like Standard), lowered
// by MaximumActiveDatabases where set.
func mountLimit(cfg *config.Config, st *state.State, server string) (int, string) {
	edition := ""
	if s := st.Servers[server]; s != nil && s.Edition != "" {
		edition = s.Edition
	} else if s := cfg.Servers[server]; s != nil {
		edition = s.Edition
	}
	limit, label := 5, strings.ToLower(edition)
	if strings.EqualFold(edition, "enterprise") {
		limit, label = 100, "enterprise"
		version, _ := serverBuild(cfg, st, server)
		if major, minor, build, ok := parseBuild(version); ok && major == 15 && minor == 0 && build < 712 {
			limit, label = 50, "enterprise, Exchange 2013 before CU2"
		}
	}
	if label == "" {
		label = "standard"
	}
	mad := 0
	if s := st.Servers[server]; s != nil && s.MaximumActiveDatabases > 0 {
		mad = s.MaximumActiveDatabases
	} else if s := cfg.Servers[server]; s != nil && s.MaximumActiveDatabases > 0 {
		mad = s.MaximumActiveDatabases
	}
	if mad > 0 && mad < limit {
		return mad, fmt.Sprintf("MaximumActiveDatabases %d, %s", mad, label)
	}
	return limit, label
}

// freeBytes is a server's free disk before the plan: the state's capacity less what is
// used, else the configuration's capacity (free disk); ok is false when unknown.
func (c *checker) freeBytes(server string) (int64, bool) {
	if s := c.st.Servers[server]; s != nil && s.CapacityBytes > 0 {
		return s.CapacityBytes - s.UsedBytes, true
	}
	if s := c.cfg.Servers[server]; s != nil && s.CapacityBytes > 0 {
		return s.CapacityBytes, true
	}
	return 0, false
}

// diskRoom checks that server has room for bytes more (size 0 with known false: the
// size is unknown) and counts them as used when keep is true (copies and restores;
// moves need the room only while both copies exist).
func (c *checker) diskRoom(server, what string, bytes int64, known, keep bool) Precondition {
	free, ok := c.freeBytes(server)
	free -= c.used[server]
	pc := Precondition{Check: &providers.Check{Kind: providers.CheckDiskRoom, Server: server, Bytes: bytes},
		Fix: "Free or add disk on " + server + " (capacity of server." + server + "), or put the files on another server."}
	switch {
	case !ok || !known:
		pc.Result = ResultAtApply
		pc.Description = "disk room on " + server + " for " + what + " (size or free disk unknown: checked at apply)"
	case bytes == 0:
		pc.Description = fmt.Sprintf("disk room on %s for %s (%s free; it grows with the new mail)", server, what, formatBytes(free))
		pc.Result = okIf(free > 0)
	default:
		pc.Description = fmt.Sprintf("disk room on %s for %s (%s needed, %s free)", server, what, formatBytes(bytes), formatBytes(free))
		pc.Result = okIf(bytes <= free)
	}
	if keep {
		c.used[server] += bytes
	}
	return pc
}

func okIf(ok bool) string {
	if ok {
		return ResultOK
	}
	return ResultFailed
}

// sizeOf is the size of a database's files in the state (0, false: unknown).
func (c *checker) sizeOf(db string) (int64, bool) {
	if d := c.st.Databases[db]; d != nil && d.SizeBytes > 0 {
		return d.SizeBytes, true
	}
	return 0, false
}

// failedDiag turns a failed precondition into an error naming the step, the object and
// the limit (in the description) and what the admin can change.
func failedDiag(rc *recCtx, s *Step, pc Precondition) *hcl.Diagnostic {
	fix := pc.Fix
	if fix == "" {
		fix = "Change the configuration or the organization so that it holds, then plan again."
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Precondition failed",
		Detail:   fmt.Sprintf("Step %s: %s. %s", s.ID, pc.Description, fix),
		Subject:  rc.rec.DeclRange.Ptr(),
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
