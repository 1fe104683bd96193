//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/atomicfile"
)

// fakeState is what Exchange keeps that the lab's exported API does not show: restore
// requests as MRS reports them, and IsExcludedFromProvisioning.
type fakeState struct {
	path     string
	Requests []*fakeRequest  `json:"requests"`
	Excluded map[string]bool `json:"excluded"`
	// Copies override what Get-MailboxDatabaseCopyStatus reports of a copy the lab
	// models as healthy, failed or down, by its name <database>\<server>: a test sets
	// the states the lab has no failure for (Resynchronizing, a failed content index).
	Copies map[string]copyOverride `json:"copies,omitempty"`
}

type fakeRequest struct {
	Name, Source, Target, Guid, Conflict string
	Archive                              bool // -TargetIsArchive: into the target's archive
	BadItemLimit                         int
	Status                               string
	Error                                string
	Polls                                int
	BadItems                             int
	// ReadyAt (Unix nanoseconds) is when the modelled merge is over (FAKESHELL_LATENCY);
	// the request reads InProgress until then.
	ReadyAt int64 `json:",omitempty"`
}

// archiveGuidOf is Get-Mailbox's ArchiveGuid: the archive's mailbox GUID, or the
// all-zero GUID Exchange reports for a mailbox without an archive.
func archiveGuidOf(m *state.Mailbox) string {
	if m.ArchiveDatabase == "" || m.ArchiveGuid == "" {
		return "00000000-0000-0000-0000-000000000000"
	}
	return m.ArchiveGuid
}

func loadState(path string) (*fakeState, error) {
	st := &fakeState{path: path, Excluded: map[string]bool{}}
	if path == "" {
		return st, nil
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, err
	}
	if st.Excluded == nil {
		st.Excluded = map[string]bool{}
	}
	st.path = path
	return st, nil
}

func (st *fakeState) save() error {
	if st.path == "" {
		return nil
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(st.path, data, 0o600) // a session reading it sees the old state or the new
}

func (sh *shell) labApply(op providers.Operation) (providers.Result, error) {
	res, err := sh.lab.Apply(sh.ctx, op, nil)
	if err == nil {
		sh.modelled(op, res)
	}
	return res, err
}

func opReplay(db, server, edb, logs, prefix string, acceptLoss bool) providers.Operation {
	return providers.Operation{Kind: providers.OpReplayLogs, Database: db, Server: server, EdbFilePath: edb, LogFolderPath: logs, LogPrefix: prefix, AcceptDataLoss: acceptLoss}
}

// observe reads the lab, once per request body while only Get- cmdlets run (see
// exchangeCmdlet): a 500,000-mailbox lab is read in about a second, and a scoped refresh
// sends dozens of Get-Mailbox -Database statements in one body.
func (sh *shell) observe() (*state.Observed, error) {
	if sh.cache != nil {
		return sh.cache, nil
	}
	obs, err := sh.lab.Read(sh.ctx)
	if err != nil {
		return nil, err
	}
	sh.cache = obs
	return obs, nil
}

func adminVersion(v string) string {
	p := strings.SplitN(v, ".", 4)
	if len(p) == 4 {
		return fmt.Sprintf("Version %s.%s (Build %s.%s)", p[0], p[1], p[2], p[3])
	}
	return v
}

func alias(addr string) string {
	if i := strings.IndexByte(addr, '@'); i > 0 {
		return addr[:i]
	}
	return addr
}

func (sh *shell) dbObject(d *state.Database, status bool, srvUp, is2013 bool) *object {
	var mounted, size any
	if status && srvUp {
		mounted = d.Mounted
		if d.Mounted {
			size = fmt.Sprintf("%.1f MB (%s bytes)", float64(d.SizeBytes)/(1<<20), commas(d.SizeBytes))
		}
	}
	o := newObject("MailboxDatabase", "Name", d.Name, "DistinguishedName", databaseDN(d.Name), "Server", d.Server, "EdbFilePath", d.EdbFilePath, "LogFolderPath", d.LogFolderPath,
		"LogFilePrefix", d.LogFilePrefix, "Recovery", d.Recovery, "Mounted", mounted, "AllowFileRestore", d.AllowFileRestore,
		"DatabaseSize", size, "CurrentSchemaVersion", "0.199", "ReplayLagTimes", sh.replayLagTimes(d))
	settingProps(o, d, is2013)
	return o
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (a *args) mailboxKind() (string, error) {
	kind := ""
	for _, k := range []string{"arbitration", "auditlog", "auxauditlog", "monitoring", "publicfolder"} {
		if a.has(k) {
			if kind != "" {
				return "", fmt.Errorf("%s: two mailbox kind switches", a.cmd)
			}
			kind = k
		}
	}
	return kind, nil
}

func (sh *shell) exchangeCmdlet(name string, a *args, in []any, piped bool) ([]any, error) {
	if !strings.HasPrefix(name, "get-") {
		sh.forget() // it may change the lab
		defer sh.forget()
	}
	if strings.Contains(name, "restorerequest") {
		if err := sh.lockState(); err != nil {
			return nil, err
		}
	}
	read := sh.observe
	if topologyCmdlets[name] {
		read = sh.topology
		if name == "get-mailboxdatabase" && a.has("Status") {
			// DatabaseSize: of the database asked for, or of every one.
			sized := "*"
			if id, ok, _ := a.optStr("Identity"); ok {
				sized = id
			}
			read = func() (*state.Observed, error) { return sh.topologySized(sized) }
		}
	}
	obs, err := read()
	if err != nil {
		return nil, err
	}
	findDB := func(n string) *state.Database {
		for _, d := range obs.Databases {
			if strings.EqualFold(d.Name, n) {
				return d
			}
		}
		return nil
	}
	mustDB := func(n string) (*state.Database, error) {
		if d := findDB(n); d != nil {
			return d, nil
		}
		return nil, fmt.Errorf("Couldn't find database %q. Make sure you have typed it correctly.", n)
	}
	switch name {
	case "get-exchangeserver":
		var out []any
		for _, n := range sortedKeys(obs.Servers) {
			s := obs.Servers[n]
			ed := "Standard"
			if s.Edition == "enterprise" {
				ed = "Enterprise"
			}
			out = append(out, newObject("ExchangeServer", "Name", s.Name, "Edition", ed, "AdminDisplayVersion", adminVersion(s.Version),
				"Site", "contoso.com/Configuration/Sites/"+s.Site, "ServerRole", "Mailbox"))
		}
		return out, nil

	case "get-mailboxdatabase":
		var out []any
		id, hasID, err := a.optStr("Identity")
		if err != nil {
			return nil, err
		}
		server, hasServer, err := a.optStr("Server")
		if err != nil {
			return nil, err
		}
		for _, n := range sortedKeys(obs.Databases) {
			d := obs.Databases[n]
			if hasID && !strings.EqualFold(d.Name, id) || hasServer && !strings.EqualFold(d.Server, server) {
				continue
			}
			up := obs.Servers[d.Server] != nil && obs.Servers[d.Server].Up
			is2013 := obs.Servers[d.Server] != nil && strings.HasPrefix(obs.Servers[d.Server].Version, "15.0.")
			out = append(out, sh.dbObject(d, a.has("Status"), up, is2013))
		}
		if hasID && len(out) == 0 && !a.silently() {
			return nil, fmt.Errorf("The operation couldn't be performed because object '%s' couldn't be found on 'dc01.contoso.com'.", id)
		}
		return out, nil

	case "new-mailboxdatabase":
		n, err := a.str("Name")
		if err != nil {
			return nil, err
		}
		srv, err := a.str("Server")
		if err != nil {
			return nil, err
		}
		edb, err := a.str("EdbFilePath")
		if err != nil {
			return nil, err
		}
		logs, err := a.str("LogFolderPath")
		if err != nil {
			return nil, err
		}
		if findDB(n) != nil {
			return nil, fmt.Errorf("Database name %q is already in use.", n)
		}
		set, err := settingArgs(a)
		if err != nil {
			return nil, err
		}
		if len(set) == 0 {
			set = nil
		}
		if _, err := sh.labApply(providers.Operation{Kind: providers.OpCreateDatabase, Database: n, Server: srv, EdbFilePath: edb, LogFolderPath: logs, Recovery: a.has("Recovery"), Settings: set}); err != nil {
			return nil, err
		}
		return []any{newObject("MailboxDatabase", "Name", n, "Server", srv)}, nil

	case "set-mailboxdatabase":
		id, err := a.str("Identity")
		if err != nil {
			return nil, err
		}
		d, err := mustDB(id)
		if err != nil {
			return nil, err
		}
		if v, ok, err := a.boolean("AllowFileRestore"); err != nil {
			return nil, err
		} else if ok {
			if _, err := sh.labApply(providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: d.Name, Value: v}); err != nil {
				return nil, err
			}
		}
		// Exchange 2016 and later want a reason of 10 characters or more with an
		// exclusion (Exchange 2013 has no such parameter; the reference check refuses it there).
		if v, ok, err := a.boolean("IsExcludedFromProvisioning"); err != nil {
			return nil, err
		} else if ok && v && sh.version != ems.V2013 {
			reason, has, err := a.optStr("IsExcludedFromProvisioningReason")
			if err != nil {
				return nil, err
			}
			if !has || len(reason) < 10 {
				return nil, fmt.Errorf("Set-MailboxDatabase: -IsExcludedFromProvisioning $true needs -IsExcludedFromProvisioningReason of at least 10 characters")
			}
		}
		set, err := settingArgs(a)
		if err != nil {
			return nil, err
		}
		_, hasReason := set[state.SettingIsExcludedFromProvisioningReason]
		if v, ok := set[state.SettingIsExcludedFromProvisioning]; ok && (len(set) == 1 || len(set) == 2 && hasReason) {
			// The exclusion alone (with its reason): the lab's own operation.
			if _, err := sh.labApply(providers.Operation{Kind: providers.OpSetExcludedFromProvisioning, Database: d.Name, Value: v == "True"}); err != nil {
				return nil, err
			}
			set = nil
		}
		if len(set) > 0 {
			if _, err := sh.labApply(providers.Operation{Kind: providers.OpSetDatabaseSettings, Database: d.Name, Settings: set}); err != nil {
				return nil, err
			}
		}
		if n, ok, err := a.optStr("Name"); err != nil {
			return nil, err
		} else if ok {
			if _, err := sh.labApply(providers.Operation{Kind: providers.OpRenameDatabase, Database: d.Name, Target: n}); err != nil {
				return nil, err
			}
		}
		return nil, nil

	case "remove-mailboxdatabase", "mount-database", "dismount-database":
		id, err := a.str("Identity")
		if err != nil {
			return nil, err
		}
		d, err := mustDB(id)
		if err != nil {
			return nil, err
		}
		if name != "mount-database" {
			if c, ok := a.named["confirm"]; !ok || c != false {
				return nil, fmt.Errorf("%s would prompt for confirmation: pass -Confirm:$false (no one answers prompts here)", a.cmd)
			}
		}
		kind := map[string]providers.OpKind{"remove-mailboxdatabase": providers.OpRemoveDatabase, "mount-database": providers.OpMountDatabase, "dismount-database": providers.OpDismountDatabase}[name]
		_, err = sh.labApply(providers.Operation{Kind: kind, Database: d.Name, Server: d.Server})
		return nil, err

	case "get-mailbox":
		kind, err := a.mailboxKind()
		if err != nil {
			return nil, err
		}
		if rs, _ := a.named["resultsize"]; rs != "Unlimited" && !a.has("Identity") {
			return nil, fmt.Errorf("WARNING: By default, only the first 1000 items are returned: the double insists on -ResultSize Unlimited")
		}
		db, hasDB, err := a.optStr("Database")
		if err != nil {
			return nil, err
		}
		if hasDB {
			if _, err := mustDB(db); err != nil {
				return nil, err
			}
		}
		filter, hasFilter, err := a.optStr("Filter")
		if err != nil {
			return nil, err
		}
		archiveOn := ""
		if hasFilter {
			if archiveOn, err = archiveFilter(filter, obs); err != nil {
				return nil, err
			}
		}
		var list []*state.Mailbox
		if hasFilter && !hasDB {
			list, err = sh.archivesOn(archiveOn)
		} else {
			list, err = sh.mailboxList(db, hasDB)
		}
		if err != nil {
			return nil, err
		}
		var out []any
		for _, m := range list {
			if m.Kind != kind || hasFilter && (archiveOn == "" || !strings.EqualFold(m.ArchiveDatabase, archiveOn)) {
				continue
			}
			o := newObject("Mailbox", "PrimarySmtpAddress", m.Address, "Alias", alias(m.Address), "ExchangeGuid", m.ExchangeGuid,
				"Database", m.Database, "ArchiveDatabase", m.ArchiveDatabase, "ArchiveGuid", archiveGuidOf(m),
				"LegacyExchangeDN", "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="+alias(m.Address),
				"RecipientTypeDetails", "UserMailbox", "kind", kind)
			// The organization marks clients without Autodiscover in a custom attribute
			// (FAKESHELL_NOAUTODISCOVER_ATTRIBUTE, CustomAttribute15 by default).
			for i := 1; i <= 15; i++ {
				a := fmt.Sprintf("CustomAttribute%d", i)
				o.set(a, "")
				if m.NoAutodiscover && strings.EqualFold(a, sh.noAutodiscover) {
					o.set(a, "NoAutodiscover")
				}
			}
			out = append(out, o)
		}
		return out, nil

	case "set-mailbox":
		if c, ok := a.named["confirm"]; ok && c != false {
			return nil, fmt.Errorf("Set-Mailbox: -Confirm must be $false")
		}
		kind, err := a.mailboxKind()
		if err != nil {
			return nil, err
		}
		if a.has("ArchiveDatabase") {
			// The lab moves archives only together with the system mailboxes of a
			// database (OpRehomeSystemMailboxes): an archive still on its old database
			// takes them all along; one already moved is left alone.
			to, err := a.str("ArchiveDatabase")
			if err != nil {
				return nil, err
			}
			if piped {
				from := map[string]bool{}
				for _, x := range in {
					o, ok := x.(*object)
					if !ok || o.typ != "Mailbox" {
						return nil, fmt.Errorf("Set-Mailbox: pipeline input is %T, not a mailbox", x)
					}
					if arch, _ := o.get("ArchiveDatabase"); arch != nil && arch != "" && !strings.EqualFold(arch.(string), to) {
						from[arch.(string)] = true
					}
				}
				for _, db := range sortedStrings(from) {
					if _, err := sh.labApply(providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: db, Target: to}); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}
			id, err := a.str("Identity")
			if err != nil {
				return nil, err
			}
			all, err := sh.mailboxList("", false)
			if err != nil {
				return nil, err
			}
			var m *state.Mailbox
			for _, x := range all {
				if strings.EqualFold(x.Address, id) {
					m = x
				}
			}
			if m == nil || m.ArchiveDatabase == "" {
				return nil, fmt.Errorf("The operation couldn't be performed because object '%s' has no archive.", id)
			}
			if strings.EqualFold(m.ArchiveDatabase, to) {
				return nil, nil
			}
			_, err = sh.labApply(providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: m.ArchiveDatabase, Target: to})
			return nil, err
		}
		target, err := a.str("Database")
		if err != nil {
			return nil, err
		}
		if !piped {
			return nil, fmt.Errorf("fakeshell: Set-Mailbox -Database is only supported as Get-Mailbox -Database X -ResultSize Unlimited | Set-Mailbox -Database Y")
		}
		if len(in) == 0 {
			return nil, nil
		}
		from := ""
		for _, x := range in {
			o, ok := x.(*object)
			if !ok || o.typ != "Mailbox" {
				return nil, fmt.Errorf("Set-Mailbox: pipeline input is %T, not a mailbox", x)
			}
			db, _ := o.get("Database")
			k, _ := o.get("kind")
			if from == "" {
				from = db.(string)
			}
			if !strings.EqualFold(db.(string), from) || k != kind {
				return nil, fmt.Errorf("fakeshell: the lab re-homes whole databases only")
			}
		}
		opKind := providers.OpRehomeMailboxes
		if kind != "" {
			opKind = providers.OpRehomeSystemMailboxes
		}
		_, err = sh.labApply(providers.Operation{Kind: opKind, Database: from, Target: target})
		return nil, err

	case "get-mailboxstatistics":
		db, err := a.str("Database")
		if err != nil {
			return nil, err
		}
		d, err := mustDB(db)
		if err != nil {
			return nil, err
		}
		if !d.Mounted {
			return nil, fmt.Errorf("Failed to get mailbox statistics: database %s is not mounted (MapiExceptionNotFound)", d.Name)
		}
		guids, err := sh.edbMailboxes(d)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, g := range guids {
			out = append(out, newObject("MailboxStatistics", "MailboxGuid", g, "DisplayName", g, "Database", d.Name))
		}
		return out, nil

	case "new-mailboxrestorerequest":
		return sh.newRequest(a, obs)
	case "get-mailboxrestorerequest":
		return sh.getRequests(a, obs)
	case "get-mailboxrestorerequeststatistics":
		return sh.requestStatistics(in)
	case "set-mailboxrestorerequest", "resume-mailboxrestorerequest", "remove-mailboxrestorerequest":
		return sh.changeRequests(name, a, in, piped)

	case "get-mailboxdatabasecopystatus":
		return sh.copyStatus(a, obs)

	case "get-queue":
		srv, err := a.str("Server")
		if err != nil {
			return nil, err
		}
		if s := obs.Servers[srv]; s == nil || !s.Up {
			return nil, fmt.Errorf("Get-Queue: the transport service on %s cannot be reached (RPC server unavailable)", srv)
		}
		return nil, nil // the lab resubmits queued mail itself at every re-home and mount
	case "retry-queue":
		if v, _ := a.named["resubmit"]; v != true {
			return nil, fmt.Errorf("Retry-Queue: only -Resubmit $true is in the subset")
		}
		return nil, nil
	}
	return nil, fmt.Errorf("fakeshell: cmdlet %s is listed but not implemented", a.cmd)
}

// edbMailboxes lists the mailbox GUIDs present in a database file (the lab's .edb is a
// bbolt file whose "mailboxes" bucket is keyed by ExchangeGuid; see providers/lab/edb.go).
func (sh *shell) edbMailboxes(d *state.Database) ([]string, error) {
	hp, err := sh.hostPath(d.Server, d.EdbFilePath)
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(hp, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(hp), err)
	}
	defer db.Close()
	var out []string
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("mailboxes"))
		if b == nil {
			return fmt.Errorf("%s has no mailbox table", d.EdbFilePath)
		}
		return b.ForEach(func(k, _ []byte) error { out = append(out, string(k)); return nil })
	})
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
