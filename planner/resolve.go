package planner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// stageName returns the stage at index i of config.Stages, "" (not started) for -1.
func stageName(i int) string {
	if i < 0 || i >= len(config.Stages) {
		return config.StageNone
	}
	return config.Stages[i]
}

// stageLabel is how a stage is shown to people.
func stageLabel(stage string) string {
	if stage == config.StageNone {
		return "(not started)"
	}
	return stage
}

// resolve checks one recovery block against the recorded state and gathers what its
// steps need. It returns nil when there is nothing to plan (requested stage reached)
// or the block cannot be planned (with error diagnostics saying why).
func resolve(cfg *config.Config, st *state.State, name string, rec *config.Recovery) (*recCtx, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	subject := func(r hcl.Range) *hcl.Range {
		if r.Filename == "" {
			r = rec.DeclRange
		}
		return r.Ptr()
	}

	recorded := config.StageNone
	var done map[string]*state.StepRecord
	if r := st.Recoveries[name]; r != nil {
		recorded, done = r.Stage, r.Steps
	}
	from, to := config.StageIndex(recorded), config.StageIndex(rec.Stage)
	if from == -2 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown recorded stage",
			Detail: fmt.Sprintf("The state records stage %q for recovery.%s, which this version of dialtone does not know. "+
				"Check the state file; the stages are %s.", recorded, name, strings.Join(config.Stages, ", ")),
			Subject: subject(rec.DeclRange),
		})
	}
	if to == -2 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown stage",
			Detail:   fmt.Sprintf("Stage %q is not a stage of a dial tone recovery; use one of %s.", rec.Stage, strings.Join(config.Stages, ", ")),
			Subject:  subject(rec.StageRange),
		})
	}
	if from >= 0 && to >= -1 && to < from {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Stage cannot move backwards",
			Detail: fmt.Sprintf("recovery.%s has reached stage %q (recorded); the configuration requests %q, an earlier stage. "+
				"Undoing a recovery step is not something dialtone does: set stage back to %q.",
				name, recorded, stageLabel(rec.Stage), recorded),
			Subject: subject(rec.StageRange),
		})
	}
	switch rec.Option {
	case config.OptionSameServer, config.OptionAlternateServer, config.OptionAlternateServerStay:
	default:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown recovery option",
			Detail: fmt.Sprintf("Option %q is not a dial tone recovery option; use %q, %q or %q.", rec.Option,
				config.OptionSameServer, config.OptionAlternateServer, config.OptionAlternateServerStay),
			Subject: subject(optionRange(rec)),
		})
	}
	if diags.HasErrors() || to <= from {
		return nil, diags
	}

	missing := func(block string) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing " + block + " block",
			Detail:   fmt.Sprintf("recovery.%s needs a %s block to be planned.", name, block),
			Subject:  subject(rec.DeclRange),
		})
	}
	if rec.DialTone == nil {
		missing("dial_tone_database")
	}
	if rec.RecoveryDatabase == nil {
		missing("recovery_database")
	}
	if rec.Restore == nil {
		missing("restore")
	}
	fdb := cfg.Databases[rec.Database.Name]
	if fdb == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared database",
			Detail:   fmt.Sprintf("recovery.%s recovers database %q, which no database block declares.", name, rec.Database.Name),
			Subject:  subject(rec.DatabaseRange),
		})
	}
	if diags.HasErrors() {
		return nil, diags
	}

	rc := &recCtx{
		name: name, rec: rec, from: from, to: to, done: done,
		failed:      dbSpec{fdb.Name, fdb.Server.Name, fdb.EdbFilePath, fdb.LogFolderPath},
		dt:          dbSpec{rec.DialTone.Name, rec.DialTone.Server.Name, rec.DialTone.EdbFilePath, rec.DialTone.LogFolderPath},
		rdb:         dbSpec{rec.RecoveryDatabase.Name, rec.RecoveryDatabase.Server.Name, rec.RecoveryDatabase.EdbFilePath, rec.RecoveryDatabase.LogFolderPath},
		requestName: "dialtone-" + name,
		conflict:    "KeepSourceItem",
		prefix:      "E00",
	}
	if rc.dt.Server == "" {
		rc.dt.Server = rc.failed.Server // same_server: the failed database's own server
	}
	if rc.rdb.Server == "" {
		rc.rdb.Server = rc.dt.Server
		if rec.Option == config.OptionAlternateServer {
			rc.rdb.Server = rc.failed.Server // the dial tone files are merged back on the rebuilt server
		}
	}
	// Every configured path is used as written: the copy of the dial tone files goes to
	// the recovery database's own .edb path and log folder (never the .edb's folder,
	// which may hold other databases' files).
	rc.preserve = siblingFolder(winDir(rc.failed.Edb), "-preserved", rc.failed.Name)
	rc.dtPreserve = siblingFolder(winDir(rc.dt.Edb), "-preserved", rc.dt.Name)
	hold := siblingFolder(winDir(rc.rdb.Edb), "-hold", rc.rdb.Name)
	rc.holdEdb = winJoin(hold, winBase(rc.rdb.Edb)) // the recovered file keeps its name
	rc.holdLogs = winJoin(hold, "Logs")

	if db := st.Databases[rc.failed.Name]; db != nil {
		rc.failedKnown, rc.failedMounted = true, db.Mounted
		if db.LogFilePrefix != "" {
			rc.prefix = db.LogFilePrefix
		}
	}
	rc.dtPrefix = "E00"
	if db := st.Databases[rc.dt.Name]; db != nil && db.LogFilePrefix != "" {
		rc.dtPrefix = db.LogFilePrefix
	}
	if len(st.Written) > 0 {
		rc.written = map[string][]state.Written{}
		for _, sv := range []string{rc.dt.Server, rc.rdb.Server} {
			rc.written[strings.ToUpper(sv)] = st.WrittenOn(sv)
		}
	}
	rc.failedMinor, rc.dtMinor = serverMinor(cfg, st, rc.failed.Server), serverMinor(cfg, st, rc.dt.Server)
	rc.failedSettings = originalSettings(st, name, rc.failed.Name)
	rc.finalName = rec.FinalName
	rc.copyServers, rc.unrecordedCopies = failedCopyServers(cfg, st, name, rc.failed.Name)
	rc.carry = rc.planCarry()
	rc.version = commandVersion(cfg, st, rc.failed.Server)
	rc.failedBuild, _ = serverBuild(cfg, st, rc.failed.Server)
	for _, db := range cfg.Databases {
		if db != nil && strings.EqualFold(db.Server.Name, rc.failed.Server) {
			rc.serverPaths = append(rc.serverPaths, db.EdbFilePath, db.LogFolderPath)
		}
	}
	rc.transport = transportServers(cfg, st)
	if m := rec.Merge; m != nil {
		if m.ConflictResolution != "" {
			rc.conflict = m.ConflictResolution
		}
		rc.badItems = m.BadItemLimit
		rc.priority = m.Priority
	}
	diags = append(diags, rc.resolveFailures(st)...)
	return rc, diags
}

// optionRange is where the option attribute is written, or the recovery block when
// the configuration did not record it.
func optionRange(rec *config.Recovery) hcl.Range {
	if rec.OptionRange.Filename != "" {
		return rec.OptionRange
	}
	return rec.DeclRange
}

// attachMailboxes gives each recovery the mailboxes on its failed or dial tone database,
// in merge order: merge.priority addresses first, in their order, then by address. It
// walks the mailboxes once, whatever the number of recoveries, and counts them per
// database in the same pass (countPointers, returned for the snapshot and the checks).
func attachMailboxes(st *state.State, rcs []*recCtx) (map[string]*pointers, hcl.Diagnostics) {
	byDB := make(map[string][]*recCtx, 2*len(rcs))
	for _, rc := range rcs {
		byDB[rc.failed.Name] = append(byDB[rc.failed.Name], rc)
		if rc.dt.Name != rc.failed.Name {
			byDB[rc.dt.Name] = append(byDB[rc.dt.Name], rc)
		}
	}
	ptrs := countPointersAttaching(st, byDB)
	var diags hcl.Diagnostics
	for _, rc := range rcs {
		rank := make(map[string]int, len(rc.priority))
		for i, a := range rc.priority {
			if _, seen := rank[strings.ToLower(a)]; !seen {
				rank[strings.ToLower(a)] = i
			}
		}
		found := make(map[string]bool, len(rank))
		mbs := rc.mailboxes
		keys := make([]int, len(mbs))
		for i, mb := range mbs {
			keys[i] = len(rank)
			if r, ok := rank[strings.ToLower(mb.Address)]; ok {
				keys[i] = r
				found[strings.ToLower(mb.Address)] = true
			}
		}
		sort.Sort(mergeOrder{mbs, keys})
		sort.Slice(rc.archives, func(i, j int) bool { return rc.archives[i].Address < rc.archives[j].Address })
		if rc.stageWanted(stMerged) {
			for _, a := range rc.priority {
				if !found[strings.ToLower(a)] {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagWarning,
						Summary:  "Priority mailbox not on the recovered database",
						Detail: fmt.Sprintf("merge.priority of recovery.%s names %q, which is not a recorded mailbox of %s or %s; "+
							"it has nothing to merge. Check the address, or run \"dialtone refresh\".", rc.name, a, rc.failed.Name, rc.dt.Name),
						Subject: mergeRange(rc.rec),
					})
					found[strings.ToLower(a)] = true // warn once
				}
			}
		}
	}
	return ptrs, diags
}

func mergeRange(rec *config.Recovery) *hcl.Range {
	if rec.Merge != nil && rec.Merge.DeclRange.Filename != "" {
		return rec.Merge.DeclRange.Ptr()
	}
	return rec.DeclRange.Ptr()
}

// mergeOrder sorts mailboxes by priority rank, then address (then GUID, so that two
// records with one address still sort the same way every time).
type mergeOrder struct {
	mbs  []*state.Mailbox
	rank []int
}

func (m mergeOrder) Len() int { return len(m.mbs) }
func (m mergeOrder) Swap(i, j int) {
	m.mbs[i], m.mbs[j] = m.mbs[j], m.mbs[i]
	m.rank[i], m.rank[j] = m.rank[j], m.rank[i]
}
func (m mergeOrder) Less(i, j int) bool {
	if m.rank[i] != m.rank[j] {
		return m.rank[i] < m.rank[j]
	}
	if m.mbs[i].Address != m.mbs[j].Address {
		return m.mbs[i].Address < m.mbs[j].Address
	}
	return m.mbs[i].ExchangeGuid < m.mbs[j].ExchangeGuid
}

// serverBuild returns a server's Exchange build (state first: it is what was observed)
// and whether Get-Mailbox there has -AuditLog and -AuxAuditLog (2016, 15.1, and later).
// An unknown build is taken as current.
func serverBuild(cfg *config.Config, st *state.State, server string) (string, bool) {
	version := ""
	if s := st.Servers[server]; s != nil && s.Version != "" {
		version = s.Version
	} else if s := cfg.Servers[server]; s != nil {
		version = s.Version
	}
	major, minor, _, ok := parseBuild(version)
	if !ok {
		return version, true
	}
	return version, major > 15 || (major == 15 && minor >= 1)
}

// serverMinor is the Exchange 15.x minor version of a server (0 for 2013, 1 for 2016,
// 2 for 2019 and SE); an unknown build is taken as current.
func serverMinor(cfg *config.Config, st *state.State, server string) int {
	version, _ := serverBuild(cfg, st, server)
	major, minor, _, ok := parseBuild(version)
	if !ok || major > 15 || minor > 2 {
		return 2
	}
	return minor
}

// originalSettings is a database's settings as the state read them, with the values
// recovery name recorded before it changed them put back; nil when never read.
func originalSettings(st *state.State, name, database string) map[string]string {
	db := st.Databases[database]
	var before map[string]string
	if r := st.Recoveries[name]; r != nil {
		before = r.SettingsBefore[database]
	}
	if (db == nil || db.Settings == nil) && before == nil {
		return nil
	}
	out := map[string]string{}
	if db != nil {
		for k, v := range db.Settings {
			out[k] = v
		}
	}
	for k, v := range before {
		out[k] = v
	}
	return out
}

// transportServers are the servers whose queues a resubmit asks: every server the
// state records as up (Exchange 2013 and later run transport on every Mailbox server),
// never one that is down; without a refreshed state, every configured server.
func transportServers(cfg *config.Config, st *state.State) []string {
	var out []string
	for name, s := range st.Servers {
		if s != nil && s.Up {
			out = append(out, name)
		}
	}
	if len(st.Servers) == 0 {
		for name := range cfg.Servers {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// commandVersion is the Exchange version a recovery's command lines are written for:
// that of the failed database's server (an unknown build is taken as the newest).
func commandVersion(cfg *config.Config, st *state.State, server string) ems.Version {
	build, _ := serverBuild(cfg, st, server)
	if v, ok := ems.VersionOf(build); ok {
		return v
	}
	return ems.VSE
}

// parseBuild reads "15.0.1497.2" as major 15, minor 0, build 1497.
func parseBuild(v string) (major, minor, build int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 0, 0, 0, false
	}
	var err error
	if major, err = strconv.Atoi(parts[0]); err != nil {
		return 0, 0, 0, false
	}
	if minor, err = strconv.Atoi(parts[1]); err != nil {
		return 0, 0, 0, false
	}
	if len(parts) > 2 {
		build, _ = strconv.Atoi(parts[2])
	}
	return major, minor, build, true
}
