package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// Apply carries out one operation with the cmdlets of exchange-recovery.md. Each first
// reads whether its effect is in place, so a re-run after a crash does only what is
// missing.
func (p *Provider) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	if op.Kind != providers.OpMergeMailbox && op.Kind != providers.OpResumeRestoreRequest {
		p.clearCache()
	}
	res, err := p.apply(ctx, op, progress)
	if err != nil {
		return providers.Result{}, fmt.Errorf("%s: %w", op.Kind, err)
	}
	return res, nil
}

func (p *Provider) apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	switch op.Kind {
	case providers.OpCreateDatabase:
		return p.createDatabase(ctx, op)
	case providers.OpRehomeMailboxes:
		return p.rehome(ctx, op, true)
	case providers.OpRehomeSystemMailboxes:
		return p.rehome(ctx, op, false)
	case providers.OpMountDatabase:
		return p.mount(ctx, op)
	case providers.OpDismountDatabase:
		return p.dismount(ctx, op)
	case providers.OpRestartStore:
		return p.restartStore(ctx, op)
	case providers.OpSetAllowFileRestore:
		return p.setFlag(ctx, op.Database, "AllowFileRestore", op.Value)
	case providers.OpSetExcludedFromProvisioning:
		return p.setFlag(ctx, op.Database, "IsExcludedFromProvisioning", op.Value)
	case providers.OpSetDatabaseSettings:
		return p.setSettings(ctx, op)
	case providers.OpRenameDatabase:
		return p.rename(ctx, op)
	case providers.OpRemoveDatabase:
		return p.removeDatabase(ctx, op)
	case providers.OpResubmitQueues:
		return p.resubmit(ctx, op)
	case providers.OpCopyFiles:
		return p.copyFiles(ctx, op)
	case providers.OpKeepFiles:
		return p.keepFiles(ctx, op)
	case providers.OpMoveFiles:
		return p.moveFiles(ctx, op)
	case providers.OpCopyLogs:
		return p.copyLogs(ctx, op)
	case providers.OpDeleteFiles:
		return p.deleteFiles(ctx, op)
	case providers.OpReplayLogs:
		return p.replay(ctx, op)
	case providers.OpMergeMailbox:
		return p.merge(ctx, op, progress)
	case providers.OpResumeRestoreRequest:
		return p.resume(ctx, op, progress)
	case providers.OpRemoveRestoreRequests:
		return p.removeRequests(ctx, op)
	case providers.OpRestoreBackup:
		return providers.Result{}, fmt.Errorf("the exchange provider cannot run backup software: restore backup set %s of %s by hand, then confirm the step", op.Backup, op.Source)
	case providers.OpRecoverServer:
		return providers.Result{}, fmt.Errorf("the exchange provider cannot rebuild server %s (Setup.exe /Mode:RecoverServer): do it by hand, then confirm the step", op.Server)
	case providers.OpRepointProfiles, providers.OpManual, providers.OpAddCopies:
		return providers.Result{}, fmt.Errorf("a manual step: %s", op.Instructions)
	}
	return providers.Result{}, fmt.Errorf("operation kind %q is unknown to the exchange provider", op.Kind)
}

// dbInfo is one database as Get-MailboxDatabase -Status shows it.
type dbInfo struct {
	Name, Server, EdbFilePath, LogFolderPath, LogFilePrefix string
	Recovery, Mounted, AllowFileRestore, Excluded           bool
}

// database reads one database; nil when it does not exist.
func (p *Provider) database(ctx context.Context, name string) (*dbInfo, error) {
	recs, err := p.query(ctx, "Get-MailboxDatabase",
		p.ex("Get-MailboxDatabase").str("-Identity", "database name", name).sw("-Status").raw("-ErrorAction SilentlyContinue"),
		selectProps([]string{"Mounted", "Recovery", "AllowFileRestore", "IsExcludedFromProvisioning"},
			[]string{"Name", "Server", "EdbFilePath", "LogFolderPath", "LogFilePrefix"}))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if len(recs) > 1 {
		return nil, fmt.Errorf("Get-MailboxDatabase %s: %d databases answer to that name", name, len(recs))
	}
	r := recs[0]
	d := &dbInfo{}
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
	for _, f := range []struct {
		name     string
		dst      *bool
		nullable bool
	}{{"Recovery", &d.Recovery, false}, {"AllowFileRestore", &d.AllowFileRestore, false}, {"Mounted", &d.Mounted, true}, {"IsExcludedFromProvisioning", &d.Excluded, true}} {
		b, err := r.boolean(f.name, f.nullable)
		if err != nil {
			return nil, err
		}
		if b != nil {
			*f.dst = *b
		}
	}
	return d, nil
}

func (p *Provider) mustDatabase(ctx context.Context, name string) (*dbInfo, error) {
	d, err := p.database(ctx, name)
	if err == nil && d == nil {
		err = fmt.Errorf("database %s does not exist (Get-MailboxDatabase found nothing)", name)
	}
	return d, err
}

// exec runs one command built with the builder (its output is discarded).
func (p *Provider) exec(ctx context.Context, cmds ...*cmdBuilder) error {
	body, err := pipeline(cmds...)
	if err != nil {
		return err
	}
	_, err = p.run(ctx, body+" | Out-Null")
	return err
}

func (p *Provider) createDatabase(ctx context.Context, op providers.Operation) (providers.Result, error) {
	d, err := p.database(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if d != nil {
		if strings.EqualFold(d.Server, op.Server) && strings.EqualFold(d.EdbFilePath, op.EdbFilePath) &&
			strings.EqualFold(d.LogFolderPath, op.LogFolderPath) && d.Recovery == op.Recovery {
			return providers.Result{AlreadyDone: true, Detail: "database exists"}, nil
		}
		return providers.Result{}, fmt.Errorf("a database named %s already exists on %s with other settings (%s, %s, recovery %t)",
			d.Name, d.Server, d.EdbFilePath, d.LogFolderPath, d.Recovery)
	}
	// The first mount creates the file and the log stream of a new database: they are
	// dialtone's, since it created the database (a file already there is not).
	edbThere, err := p.fileExists(ctx, op.Server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	// The settings New-MailboxDatabase takes come with it (the plan's line carries them).
	line, err := ems.NewDatabaseSettings(op.Database, op.Server, op.EdbFilePath, op.LogFolderPath, op.Recovery, op.Settings, state.SettingNames)
	if err != nil {
		return providers.Result{}, err
	}
	if err := p.do(ctx, line); err != nil {
		return providers.Result{}, err
	}
	if d, err = p.mustDatabase(ctx, op.Database); err != nil {
		return providers.Result{}, fmt.Errorf("after New-MailboxDatabase: %w", err)
	}
	kind := "database"
	if d.Recovery {
		kind = "recovery database"
	}
	var wrote []state.Written
	if !edbThere {
		wrote = append(wrote, state.Written{Server: d.Server, Path: op.EdbFilePath, Kind: state.WrittenFile})
	}
	if d.LogFilePrefix != "" {
		wrote = append(wrote, state.Written{Server: d.Server, Path: op.LogFolderPath, Kind: state.WrittenLogStream, Prefix: d.LogFilePrefix})
	}
	return providers.Result{Detail: fmt.Sprintf("created %s %s on %s (log prefix %s)", kind, d.Name, d.Server, d.LogFilePrefix), Wrote: wrote}, nil
}

// mailboxesOn lists the addresses of the mailboxes of one Get-Mailbox switch on db.
func (p *Provider) mailboxesOn(ctx context.Context, db, sw string) ([]string, error) {
	get := p.ex("Get-Mailbox").str("-Database", "database name", db).raw("-ResultSize Unlimited")
	if sw != "" {
		get.sw(sw)
	}
	recs, err := p.query(ctx, "Get-Mailbox", get, selectProps(nil, []string{"PrimarySmtpAddress"}))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		a, err := r.str("PrimarySmtpAddress", true)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// rehome points the mailboxes of op.Database at op.Target with the lines of
// providers/ems: the user mailboxes (users, OpRehomeMailboxes), or the system mailboxes
// that Get-Mailbox returns only with a switch, and the archives on it
// (OpRehomeSystemMailboxes). Each line runs only when Get-Mailbox finds mailboxes it
// would move, and is checked afterwards.
func (p *Provider) rehome(ctx context.Context, op providers.Operation, users bool) (providers.Result, error) {
	target, err := p.mustDatabase(ctx, op.Target)
	if err != nil {
		return providers.Result{}, err
	}
	if target.Recovery {
		return providers.Result{}, fmt.Errorf("cannot home mailboxes on %s: it is a recovery database", target.Name)
	}
	v, err := p.orgVersion(ctx)
	if err != nil {
		return providers.Result{}, err
	}
	type kind struct {
		sw   string
		line ems.Line
	}
	kinds := []kind{{"", ems.RehomeUsers(op.Database, op.Target)}}
	if !users {
		kinds = kinds[:0]
		for _, sw := range ems.SystemSwitches(v) {
			kinds = append(kinds, kind{"-" + sw, ems.RehomeSystem(op.Database, op.Target, sw)})
		}
	}
	var moved, archives int64
	for _, k := range kinds {
		left, err := p.mailboxesOn(ctx, op.Database, k.sw)
		if err != nil {
			return providers.Result{}, err
		}
		if len(left) == 0 {
			continue
		}
		if err := p.do(ctx, k.line); err != nil {
			return providers.Result{}, err
		}
		if still, err := p.mailboxesOn(ctx, op.Database, k.sw); err != nil {
			return providers.Result{}, err
		} else if len(still) > 0 {
			return providers.Result{}, fmt.Errorf("after Set-Mailbox%s, %d mailboxes are still on %s (first: %s)", strings.TrimSuffix(" "+k.sw, " "), len(still), op.Database, still[0])
		}
		moved += int64(len(left))
	}
	if users {
		if moved == 0 {
			return providers.Result{AlreadyDone: true, Detail: "no mailbox left on " + op.Database}, nil
		}
		return providers.Result{Detail: fmt.Sprintf("re-homed %d mailboxes from %s to %s", moved, op.Database, target.Name), Count: moved}, nil
	}
	// Archives on the database, whatever the primary's home.
	left, err := p.archivesOn(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if len(left) > 0 {
		if err := p.doTogether(ctx, ems.RehomeArchives(op.Database, op.Target)...); err != nil {
			return providers.Result{}, err
		}
		if still, err := p.archivesOn(ctx, op.Database); err != nil {
			return providers.Result{}, err
		} else if len(still) > 0 {
			return providers.Result{}, fmt.Errorf("after Set-Mailbox -ArchiveDatabase, %d archives are still on %s (first: %s)", len(still), op.Database, still[0])
		}
		archives = int64(len(left))
	}
	if moved == 0 && archives == 0 {
		return providers.Result{AlreadyDone: true, Detail: "no mailbox left on " + op.Database}, nil
	}
	detail := fmt.Sprintf("re-homed %d mailboxes from %s to %s", moved, op.Database, target.Name)
	if archives > 0 {
		detail += fmt.Sprintf(", %d archives", archives)
	}
	return providers.Result{Detail: detail, Count: moved + archives}, nil
}

// archivesOn lists the addresses of the mailboxes whose archive is on db: Get-Mailbox
// with the ArchiveDatabase filter of providers/ems (one request: its first line sets
// the variable its last reads), so that Exchange returns those mailboxes only.
func (p *Provider) archivesOn(ctx context.Context, db string) ([]string, error) {
	lines := ems.ArchivesOn(db)
	stmts := make([]*cmdBuilder, 0, len(lines))
	for _, l := range lines {
		stmts = append(stmts, p.emsLine(ctx, l))
	}
	last, err := pipeline(stmts[len(stmts)-1], selectProps(nil, []string{"PrimarySmtpAddress", "ArchiveDatabase"}))
	if err != nil {
		return nil, err
	}
	body, err := statements(stmts[:len(stmts)-1]...)
	if err != nil {
		return nil, err
	}
	data, err := p.run(ctx, body+last)
	if err != nil {
		return nil, err
	}
	recs, err := decodeRecords("Get-Mailbox", data)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		arch, err := r.str("ArchiveDatabase", false)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(arch, db) {
			// The filter returned a mailbox whose archive is elsewhere.
			return nil, fmt.Errorf("Get-Mailbox -Filter on the ArchiveDatabase of %s returned %s, whose archive is on %q", db, r.m["PrimarySmtpAddress"], arch)
		}
		addr, err := r.str("PrimarySmtpAddress", true)
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, nil
}

func (p *Provider) mount(ctx context.Context, op providers.Operation) (providers.Result, error) {
	d, err := p.mustDatabase(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if d.Mounted {
		return providers.Result{AlreadyDone: true, Detail: "already mounted"}, nil
	}
	// Never -Force: it would mount an empty database where the expected file is missing.
	if err := p.do(ctx, ems.MountDatabase(d.Name)); err != nil {
		return providers.Result{}, err
	}
	if d, err = p.mustDatabase(ctx, op.Database); err != nil {
		return providers.Result{}, err
	}
	if !d.Mounted {
		return providers.Result{}, fmt.Errorf("Mount-Database %s returned, but the database is not mounted", d.Name)
	}
	return providers.Result{Detail: "mounted " + d.Name}, nil
}

func (p *Provider) dismount(ctx context.Context, op providers.Operation) (providers.Result, error) {
	d, err := p.mustDatabase(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if !d.Mounted {
		return providers.Result{AlreadyDone: true, Detail: "already dismounted"}, nil
	}
	if err := p.do(ctx, ems.DismountDatabase(d.Name)); err != nil {
		return providers.Result{}, err
	}
	if d, err = p.mustDatabase(ctx, op.Database); err != nil {
		return providers.Result{}, err
	}
	if d.Mounted {
		return providers.Result{}, fmt.Errorf("Dismount-Database %s returned, but the database is still mounted", d.Name)
	}
	return providers.Result{Detail: "dismounted " + d.Name}, nil
}

// setFlag is Set-MailboxDatabase -<flag> $true/$false.
func (p *Provider) setFlag(ctx context.Context, db, flag string, v bool) (providers.Result, error) {
	d, err := p.mustDatabase(ctx, db)
	if err != nil {
		return providers.Result{}, err
	}
	cur := d.AllowFileRestore
	if flag == "IsExcludedFromProvisioning" {
		cur = d.Excluded
	}
	if cur == v {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("%s already %t", flag, v)}, nil
	}
	line := ems.SetAllowFileRestore(d.Name, v)
	if flag == "IsExcludedFromProvisioning" {
		ver, err := p.orgVersion(ctx)
		if err != nil {
			return providers.Result{}, err
		}
		line = ems.SetExcludedFromProvisioning(d.Name, v, ver)
	}
	if err := p.do(ctx, line); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: fmt.Sprintf("%s set to %t", flag, v)}, nil
}

func (p *Provider) removeDatabase(ctx context.Context, op providers.Operation) (providers.Result, error) {
	d, err := p.database(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if d == nil {
		return providers.Result{AlreadyDone: true, Detail: "database does not exist"}, nil
	}
	if d.Mounted {
		return providers.Result{}, fmt.Errorf("cannot remove %s: it is mounted", d.Name)
	}
	if err := p.do(ctx, ems.RemoveDatabase(d.Name)); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: fmt.Sprintf("removed %s (its files stay)", d.Name)}, nil
}

// resubmit is Retry-Queue -Resubmit on the queues toward op.Database of each transport
// server of op.Servers (every server when the plan named none), so queued mail is
// categorised again and reaches the users' new home. A server that cannot be reached
// (down, WinRM refused) is skipped and reported: its queues are resubmitted when it
// comes back, and the users have service either way.
func (p *Provider) resubmit(ctx context.Context, op providers.Operation) (providers.Result, error) {
	servers := op.Servers
	if len(servers) == 0 {
		recs, err := p.query(ctx, "Get-ExchangeServer", p.ex("Get-ExchangeServer"), selectProps(nil, []string{"Name"}))
		if err != nil {
			return providers.Result{}, err
		}
		for _, r := range recs {
			srv, err := r.str("Name", true)
			if err != nil {
				return providers.Result{}, err
			}
			servers = append(servers, srv)
		}
	}
	var done, skipped []string
	for _, srv := range servers {
		if err := p.do(ctx, ems.ResubmitQueues(srv, op.Database)); err != nil {
			if ctx.Err() != nil {
				return providers.Result{}, err
			}
			p.log.Warn("skipping a transport server whose queues cannot be read", "server", srv, "error", err)
			skipped = append(skipped, fmt.Sprintf("%s (%v)", srv, err))
			continue
		}
		done = append(done, srv)
	}
	detail := fmt.Sprintf("resubmitted the queues toward %s on %d servers", op.Database, len(done))
	if len(done) > 0 {
		detail += " (" + strings.Join(done, ", ") + ")"
	}
	if len(skipped) > 0 {
		detail += fmt.Sprintf("; skipped %d that could not be reached: %s", len(skipped), strings.Join(skipped, "; "))
	}
	return providers.Result{Detail: detail, Count: int64(len(done))}, nil
}

func (p *Provider) clearCache() {
	p.cacheMu.Lock()
	p.rdbCache = nil
	p.cacheMu.Unlock()
}
