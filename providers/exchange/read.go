package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// mailboxKinds are the Get-Mailbox switches for system mailboxes and the kind each gives
// (state.Mailbox.Kind); audit marks the switches of Exchange 2016 (15.1) and later.
var mailboxKinds = []struct {
	sw, kind string
	audit    bool
}{
	{"", "", false},
	{"-Arbitration", "arbitration", false},
	{"-AuditLog", "auditlog", true},
	{"-AuxAuditLog", "auxauditlog", true},
	{"-Monitoring", "monitoring", false},
}

// query runs one read pipeline and splits its response into records.
func (p *Provider) query(ctx context.Context, cmdlet string, cmds ...*cmdBuilder) ([]record, error) {
	body, err := pipeline(cmds...)
	if err != nil {
		return nil, err
	}
	data, err := p.run(ctx, body)
	if err != nil {
		return nil, err
	}
	return decodeRecords(cmdlet, data)
}

func newObserved() *state.Observed {
	return &state.Observed{Servers: map[string]*state.Server{}, Databases: map[string]*state.Database{},
		Mailboxes: map[string]*state.Mailbox{}, RestoreRequests: map[string]*state.RestoreRequest{}}
}

// read reads the organization; scope, when not nil, names the databases whose
// mailboxes are read (the others' are not).
func (p *Provider) read(ctx context.Context, scope []string) (*state.Observed, error) {
	obs := newObserved()
	if err := p.readServers(ctx, obs); err != nil {
		return nil, err
	}
	lags, err := p.readDatabases(ctx, obs)
	if err != nil {
		return nil, err
	}
	if err := p.readCopies(ctx, obs, lags); err != nil {
		return nil, err
	}
	var aliases map[string]string
	if scope == nil {
		aliases, err = p.readMailboxes(ctx, obs, nil)
	} else {
		aliases, err = p.readScoped(ctx, obs, scope)
	}
	if err != nil {
		return nil, err
	}
	if err := p.readRequests(ctx, obs, aliases); err != nil {
		return nil, err
	}
	return obs, nil
}

func (p *Provider) readServers(ctx context.Context, obs *state.Observed) error {
	recs, err := p.query(ctx, "Get-ExchangeServer", p.ex("Get-ExchangeServer"),
		selectProps(nil, []string{"Name", "Edition", "AdminDisplayVersion", "Site"}))
	if err != nil {
		return err
	}
	audit := len(recs) > 0
	var builds []string
	for _, r := range recs {
		name, err := r.str("Name", true)
		if err != nil {
			return err
		}
		edition, err := r.str("Edition", true)
		if err != nil {
			return err
		}
		verText, err := r.str("AdminDisplayVersion", true)
		if err != nil {
			return err
		}
		ver, ok := exchangeVersion(verText)
		if !ok {
			return r.wrongType("AdminDisplayVersion", `a build such as "Version 15.2 (Build 1544.4)"`, r.m["AdminDisplayVersion"])
		}
		site, err := r.str("Site", false)
		if err != nil {
			return err
		}
		// A trial (Evaluation) or unknown edition behaves like Standard.
		ed := "standard"
		if strings.EqualFold(edition, "Enterprise") {
			ed = "enterprise"
		}
		if strings.HasPrefix(ver, "15.0.") || strings.HasPrefix(ver, "14.") || strings.HasPrefix(ver, "8.") {
			audit = false
		}
		builds = append(builds, ver)
		obs.Servers[name] = &state.Server{Name: name, Site: lastSegment(site), Edition: ed, Version: ver, Up: true}
	}
	p.infoMu.Lock()
	p.audit, p.version = &audit, oldestVersion(builds)
	p.infoMu.Unlock()
	return nil
}

// readDatabases reads every mailbox database into obs, and returns the replay lag of
// each of their copies (ReplayLagTimes) for readCopies.
func (p *Provider) readDatabases(ctx context.Context, obs *state.Observed) (replayLags, error) {
	recs, err := p.query(ctx, "Get-MailboxDatabase", p.ex("Get-MailboxDatabase").sw("-Status"),
		selectProps(append([]string{"Mounted", "Recovery", "AllowFileRestore"}, settingBools...),
			append([]string{"Name", "Server", "EdbFilePath", "LogFolderPath", "LogFilePrefix", "DatabaseSize", "CurrentSchemaVersion", "ReplayLagTimes"}, settingTexts...)))
	if err != nil {
		return nil, err
	}
	lags := replayLags{}
	reached := map[string]bool{} // servers whose store answered for at least one database
	onServer := map[string]bool{}
	for _, r := range recs {
		d := &state.Database{}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"Name", &d.Name}, {"Server", &d.Server}, {"EdbFilePath", &d.EdbFilePath}, {"LogFolderPath", &d.LogFolderPath}} {
			if *f.dst, err = r.str(f.name, true); err != nil {
				return nil, err
			}
		}
		if d.LogFilePrefix, err = r.str("LogFilePrefix", false); err != nil {
			return nil, err
		}
		rec, err := r.boolean("Recovery", false)
		if err != nil {
			return nil, err
		}
		afr, err := r.boolean("AllowFileRestore", false)
		if err != nil {
			return nil, err
		}
		// Mounted is null when the server's store cannot be reached.
		mounted, err := r.boolean("Mounted", true)
		if err != nil {
			return nil, err
		}
		if d.SizeBytes, err = r.size("DatabaseSize"); err != nil {
			return nil, err
		}
		schema, err := r.str("CurrentSchemaVersion", false)
		if err != nil {
			return nil, err
		}
		if err := lags.read(r, d.Name); err != nil {
			return nil, err
		}
		if d.Settings, err = readSettings(r); err != nil {
			return nil, err
		}
		if len(d.Settings) == 0 {
			d.Settings = nil // none reported: the state keeps what it knew
		}
		d.Recovery, d.AllowFileRestore = *rec, *afr
		onServer[d.Server] = true
		if mounted != nil {
			reached[d.Server] = true
			d.Mounted = *mounted
		}
		if d.Mounted {
			d.FilesOK = true // the store has the file open; its header says dirty while mounted
		}
		if srv := obs.Servers[d.Server]; srv != nil && schema != "" && !d.Recovery && schema > srv.SchemaVersion {
			srv.SchemaVersion = schema
		}
		obs.Databases[d.Name] = d
	}
	for name, srv := range obs.Servers {
		if onServer[name] && !reached[name] {
			srv.Up = false
		}
	}
	// The header of every dismounted database on a reachable server (eseutil /mh).
	for _, d := range obs.Databases {
		if d.Mounted || !reached[d.Server] {
			continue
		}
		h, err := p.header(ctx, d.Server, d.EdbFilePath)
		if err != nil {
			return nil, err
		}
		d.FilesOK, d.Clean = h.readable, h.clean
	}
	return lags, nil
}

// edbHeader is what eseutil /mh says of a file.
type edbHeader struct {
	readable bool // eseutil read a header
	clean    bool // State: Clean Shutdown
	output   string
}

// header runs eseutil /mh on server. A missing or unreadable file is not an error: it
// reads as not readable.
func (p *Provider) header(ctx context.Context, server, edb string) (edbHeader, error) {
	lines, code, err := p.native(ctx, server, "eseutil", "/mh", edb)
	if err != nil {
		return edbHeader{}, err
	}
	h := edbHeader{output: strings.Join(lines, "\n")}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(t, "State:"); ok && code == 0 {
			h.readable = true
			h.clean = strings.EqualFold(strings.TrimSpace(v), "Clean Shutdown")
		}
	}
	return h, nil
}

// native runs a program on server with literal arguments (the first argument after the
// program is a switch such as /mh, written bare; every other value is quoted) and
// returns its output lines and exit code.
func (p *Provider) native(ctx context.Context, server, program string, args ...string) ([]string, int, error) {
	var b strings.Builder
	b.WriteString(program)
	for _, a := range args {
		if isSwitch(a) {
			b.WriteString(" " + a)
			continue
		}
		if err := providers.PSCheckValue(program+" argument", a); err != nil {
			return nil, 0, err
		}
		b.WriteString(" " + providers.PSQuote(a))
	}
	body, err := p.onServer(server, b.String(), "$LASTEXITCODE")
	if err != nil {
		return nil, 0, err
	}
	data, err := p.run(ctx, body)
	if err != nil {
		return nil, 0, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || len(raw) == 0 {
		return nil, 0, fmt.Errorf("%s on %s: the response holds no exit code", program, server)
	}
	var code int
	if err := json.Unmarshal(raw[len(raw)-1], &code); err != nil {
		return nil, 0, fmt.Errorf("%s on %s: the exit code is not a number: %.40s", program, server, raw[len(raw)-1])
	}
	lines := make([]string, 0, len(raw)-1)
	for _, r := range raw[:len(raw)-1] {
		var s string
		if json.Unmarshal(r, &s) == nil {
			lines = append(lines, s)
		}
	}
	return lines, code, nil
}

// isSwitch is true for the constant eseutil switches this package writes bare.
func isSwitch(a string) bool {
	switch a {
	case "/mh", "/r", "/l", "/d", "/a", "/s", "/ml":
		return true
	}
	return false
}

// scopedBatch is how many databases one request reads the mailboxes of: one round
// trip per mailbox kind and batch; a site failure's 50 databases of 250 mailboxes are
// one response of 12,500 users (a few MB).
const scopedBatch = 50

// readScoped reads the mailboxes of the databases of scope that exist (a dial tone or
// recovery database not created yet has none), batch by batch.
func (p *Provider) readScoped(ctx context.Context, obs *state.Observed, scope []string) (map[string]string, error) {
	seen := map[string]bool{}
	var dbs []string
	for _, name := range scope {
		if obs.Databases[name] != nil && !seen[name] {
			seen[name] = true
			dbs = append(dbs, name)
		}
	}
	sort.Strings(dbs)
	obs.MailboxScope = append([]string{}, dbs...)
	aliases := map[string]string{}
	for len(dbs) > 0 {
		n := min(len(dbs), scopedBatch)
		a, err := p.readMailboxes(ctx, obs, dbs[:n])
		if err != nil {
			return nil, err
		}
		maps.Copy(aliases, a)
		dbs = dbs[n:]
	}
	return aliases, nil
}

// readMailboxes reads the mailboxes of every kind: of the whole organization when dbs
// is nil, else of those databases (Get-Mailbox -Database X, one statement each).
func (p *Provider) readMailboxes(ctx context.Context, obs *state.Observed, dbs []string) (map[string]string, error) {
	aliases := map[string]string{}
	p.infoMu.Lock()
	audit := p.audit != nil && *p.audit
	p.infoMu.Unlock()
	for _, k := range mailboxKinds {
		if k.audit && !audit {
			continue
		}
		props := []string{"PrimarySmtpAddress", "Alias", "ExchangeGuid", "Database", "ArchiveDatabase", "ArchiveGuid", "LegacyExchangeDN"}
		if p.cfg.NoAutodiscoverAttribute != "" {
			props = append(props, p.cfg.NoAutodiscoverAttribute)
		}
		get := func(db string) (string, error) {
			c := p.ex("Get-Mailbox")
			if db != "" {
				c.str("-Database", "database name", db)
			}
			c.raw("-ResultSize Unlimited")
			if k.sw != "" {
				c.sw(k.sw)
			}
			return pipeline(c, selectProps(nil, props))
		}
		var body string
		if dbs == nil {
			var err error
			if body, err = get(""); err != nil {
				return nil, err
			}
		} else {
			stmts := make([]string, 0, len(dbs))
			for _, db := range dbs {
				s, err := get(db)
				if err != nil {
					return nil, err
				}
				stmts = append(stmts, s)
			}
			body = strings.Join(stmts, "; ")
		}
		data, err := p.run(ctx, body)
		if err != nil {
			return nil, err
		}
		recs, err := decodeRecords("Get-Mailbox"+strings.TrimSuffix(" "+k.sw, " "), data)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			m := &state.Mailbox{Kind: k.kind}
			if m.Address, err = r.str("PrimarySmtpAddress", true); err != nil {
				return nil, err
			}
			if m.ExchangeGuid, err = r.str("ExchangeGuid", true); err != nil {
				return nil, err
			}
			if m.Database, err = r.str("Database", true); err != nil {
				return nil, err
			}
			if m.ArchiveDatabase, err = r.str("ArchiveDatabase", false); err != nil {
				return nil, err
			}
			// Get-Mailbox reports the all-zero GUID for a mailbox without an archive.
			if g, err := r.str("ArchiveGuid", false); err != nil {
				return nil, err
			} else if m.ArchiveDatabase != "" && strings.Trim(g, "0-") != "" {
				m.ArchiveGuid = g
			}
			if _, err = r.str("LegacyExchangeDN", true); err != nil {
				return nil, err
			}
			alias, err := r.str("Alias", false)
			if err != nil {
				return nil, err
			}
			if a := p.cfg.NoAutodiscoverAttribute; a != "" {
				v, err := r.str(a, false)
				if err != nil {
					return nil, err
				}
				m.NoAutodiscover = k.kind == "" && strings.EqualFold(strings.TrimSpace(v), NoAutodiscoverValue)
			}
			m.ExchangeGuid = strings.ToLower(m.ExchangeGuid)
			if alias != "" {
				aliases[strings.ToLower(alias)] = m.Address
			}
			obs.Mailboxes[m.Address] = m
		}
	}
	return aliases, nil
}

// requestFields are the restore request statistics this provider reads.
var requestFields = []string{"Name", "Status", "SourceDatabase", "TargetAlias", "BadItemLimit", "BadItemsEncountered", "PercentComplete"}

func (p *Provider) readRequests(ctx context.Context, obs *state.Observed, aliases map[string]string) error {
	recs, err := p.query(ctx, "Get-MailboxRestoreRequestStatistics",
		p.ex("Get-MailboxRestoreRequest").raw("-ResultSize Unlimited"),
		p.ex("Get-MailboxRestoreRequestStatistics"), selectProps(nil, requestFields))
	if err != nil {
		return err
	}
	for _, r := range recs {
		rq, _, err := parseRequest(r)
		if err != nil {
			return err
		}
		if a := aliases[strings.ToLower(rq.TargetMailbox)]; a != "" {
			rq.TargetMailbox = a
		}
		rq.Name = rq.TargetMailbox + `\` + rq.Name // Exchange's identity <mailbox>\<name>, the state's key
		obs.RestoreRequests[rq.Name] = rq
	}
	return nil
}

// parseRequest reads one restore request's statistics; percent is PercentComplete.
func parseRequest(r record) (*state.RestoreRequest, int64, error) {
	rq := &state.RestoreRequest{}
	var err error
	if rq.Name, err = r.str("Name", true); err != nil {
		return nil, 0, err
	}
	if rq.Status, err = r.str("Status", true); err != nil {
		return nil, 0, err
	}
	if rq.SourceDatabase, err = r.str("SourceDatabase", false); err != nil {
		return nil, 0, err
	}
	if rq.TargetMailbox, err = r.str("TargetAlias", true); err != nil {
		return nil, 0, err
	}
	lim, err := r.number("BadItemLimit", false)
	if err != nil {
		return nil, 0, err
	}
	bad, err := r.number("BadItemsEncountered", false)
	if err != nil {
		return nil, 0, err
	}
	pct, err := r.number("PercentComplete", false)
	if err != nil {
		return nil, 0, err
	}
	rq.BadItemLimit, rq.BadItems = int(lim), int(bad)
	return rq, pct, nil
}
