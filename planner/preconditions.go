package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Precondition results.
const (
	ResultOK      = "ok"
	ResultFailed  = "failed"
	ResultAtApply = "at_apply" // cannot be known until apply
	// ResultUnknown: what the check needs is not known (not configured, not reported)
	// and nothing checks it at apply either; the description says what to set.
	ResultUnknown = "unknown"
)

// HasChanges reports whether the plan has any step to carry out.
func (p *Plan) HasChanges() bool { return p != nil && len(p.Steps) > 0 }

// FailedPreconditions lists "STEP_ID: description" for every precondition that failed
// at plan time, in plan order. Apply refuses a plan while this is not empty.
func (p *Plan) FailedPreconditions() []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		for _, c := range s.Preconditions {
			if c.Result == ResultFailed {
				out = append(out, s.ID+": "+c.Description)
			}
		}
	}
	return out
}

// checkPreconditions records every check of exchange-recovery.md section 3 on the steps
// it gates, in plan order and across all recoveries (mount slots, disk room and the one
// mounted recovery database per server count what earlier steps of the plan do), and
// returns an error for each failed one, naming the step, the object, the limit and the fix.
func checkPreconditions(p *Plan, rcs map[string]*recCtx, cfg *config.Config, st *state.State, ptrs map[string]*pointers) hcl.Diagnostics {
	c := newChecker(cfg, st, ptrs)
	seen := map[string]bool{}         // recoveries whose first step was checked
	seenDialTone := map[string]bool{} // recoveries whose first dial_tone step was checked
	var diags hcl.Diagnostics

	for _, s := range p.Steps {
		rc := rcs[s.Recovery]
		if rc == nil {
			continue
		}
		var pcs []Precondition
		add := func(pc Precondition) { pcs = append(pcs, pc) }
		op := s.Operation

		if !seen[rc.name] {
			seen[rc.name] = true
			for _, srv := range rc.serversUsed(p) {
				add(c.serverUp(srv))
			}
			pcs = append(pcs, replicatedPathChecks(rc, cfg, st)...)
		}
		if op.Kind == providers.OpRecoverServer {
			c.recover[op.Server] = true
		} else if op.Server != "" && c.recover[op.Server] && !seen[rc.name+"|"+op.Server] {
			seen[rc.name+"|"+op.Server] = true
			add(c.serverUp(op.Server))
		}
		if s.Stage == config.StageDialTone && !seenDialTone[rc.name] {
			seenDialTone[rc.name] = true
			switch {
			case !rc.failedKnown && len(c.st.Databases) > 0:
				// A refresh would change nothing: the organization has no such database.
				add(Precondition{Description: "database " + rc.failed.Name + " is not in the organization (refresh found " + foundNames(c.st.Databases) + ")",
					Result: ResultFailed,
					Fix:    "Check recovery." + rc.name + "'s database: it must name the failed database as Exchange knows it."})
			case !rc.failedKnown:
				add(Precondition{Description: rc.failed.Name + " is recorded in the state: the state knows no database yet (never refreshed)", Result: ResultFailed,
					Fix: "Run \"dialtone refresh\" so that the state knows the failed database."})
			case rc.failedMounted:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Failed database is mounted",
					Detail: fmt.Sprintf("%s is mounted; a dial tone recovery starts from a failed database. "+
						"Check that recovery.%s names the right database, or run \"dialtone refresh\" if it has failed since.", rc.failed.Name, rc.name),
					Subject: rc.rec.DatabaseRange.Ptr(),
				})
				add(Precondition{Description: rc.failed.Name + " is not mounted (it has failed)", Result: ResultFailed,
					Check: &providers.Check{Kind: providers.CheckNotMounted, Database: rc.failed.Name},
					Fix:   "Recover a database only once it has failed; check recovery." + rc.name + "'s database."})
			default:
				add(Precondition{Description: rc.failed.Name + " is not mounted (it has failed)", Result: ResultOK,
					Check: &providers.Check{Kind: providers.CheckNotMounted, Database: rc.failed.Name}})
			}
			if pc, ok := copyCheck(rc, cfg, st); ok {
				add(pc)
			}
		}

		switch op.Kind {
		case providers.OpCreateDatabase:
			pcs = append(pcs, c.createChecks(rc, s)...)
		case providers.OpRestoreBackup:
			pcs = append(pcs, c.restoreChecks(rc, s)...)
		case providers.OpCopyFiles:
			size, known := c.sizeOf(op.Database)
			srv := op.Server
			if op.DestServer != "" {
				srv = op.DestServer
			}
			add(c.diskRoom(srv, "the copy of "+op.Database+"'s files", size, known, true))
			if op.Database == rc.dt.Name {
				c.clean["copy:"+rc.rdb.Name] = c.clean[op.Database]
			}
		case providers.OpReplayLogs:
			c.clean[op.Database] = true
		case providers.OpMoveFiles:
			pcs = append(pcs, c.moveChecks(rc, s)...)
			if pc, ok := c.replicatedMoveCheck(op); ok {
				add(pc)
			}
		case providers.OpMountDatabase:
			pcs = append(pcs, c.mountChecks(rc, s)...)
		case providers.OpDismountDatabase:
			if op.Database == rc.rdb.Name {
				delete(c.rdb(op.Server), op.Database)
			} else if srv, ok := c.mounted[op.Database]; ok {
				delete(c.mounted, op.Database)
				c.count[srv]--
			}
			c.clean[op.Database] = true
		case providers.OpRehomeMailboxes, providers.OpRehomeSystemMailboxes:
			from, to := c.ptr(op.Database), c.ptr(op.Target)
			if op.Kind == providers.OpRehomeMailboxes {
				to.users += from.users
				from.users = 0
			}
			if op.Kind == providers.OpRehomeSystemMailboxes {
				to.system += from.system
				to.archives += from.archives
				from.system, from.archives = 0, 0
			}
		case providers.OpRemoveDatabase:
			if op.Database != rc.rdb.Name {
				ptr := c.ptr(op.Database)
				desc := "no mailbox of any kind (user, system, archive) points at " + op.Database
				if n := ptr.users + ptr.system + ptr.archives; n > 0 {
					desc += fmt.Sprintf(" (%d user, %d system, %d archive still do)", ptr.users, ptr.system, ptr.archives)
				}
				add(Precondition{Description: desc, Result: okIf(ptr.users+ptr.system+ptr.archives == 0),
					Fix: "Re-home them first (Get-Mailbox -Database " + op.Database + " with -Arbitration, -AuditLog, -AuxAuditLog, -Monitoring; " +
						"Set-Mailbox -ArchiveDatabase for archives), then run \"dialtone refresh\"."})
			}
		}
		s.Preconditions = append(s.Preconditions, pcs...)
	}
	for _, s := range p.Steps {
		rc := rcs[s.Recovery]
		for _, pc := range s.Preconditions {
			if pc.Result == ResultFailed && rc != nil {
				diags = append(diags, failedDiag(rc, s, pc))
			}
		}
	}
	return diags
}

// serversUsed lists the servers the recovery's steps in p work on, in order, leaving
// out a server from the point a planned recover_server rebuilds it (its own, or the
// one another recovery of the plan does for both: shareServerRebuilds).
func (rc *recCtx) serversUsed(p *Plan) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range p.Steps {
		op := s.Operation
		if op.Kind == providers.OpRecoverServer {
			seen[op.Server] = true
			continue
		}
		if s.Recovery != rc.name {
			continue
		}
		if s.Manual && op.Kind == providers.OpRepointProfiles {
			continue
		}
		for _, srv := range []string{op.Server, op.SourceServer, op.DestServer} {
			if srv != "" && !seen[srv] {
				seen[srv] = true
				out = append(out, srv)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, rc.dt.Server) // a plan of AD-only steps still needs Exchange
	}
	return out
}

func (c *checker) createChecks(rc *recCtx, s *Step) []Precondition {
	op := s.Operation
	var pcs []Precondition
	key := strings.ToLower(op.Database)
	unique := Precondition{Description: "name " + op.Database + " is unique in the organization (recovery databases too) and at most 64 characters",
		Result: ResultOK, Fix: "Rename it in recovery." + rc.name + " (names are unique across the organization, recovery databases included, and at most 64 characters)."}
	if len([]rune(op.Database)) > 64 {
		unique.Result = ResultFailed
		unique.Description += fmt.Sprintf(" (it has %d)", len([]rune(op.Database)))
	} else if other := c.names[key]; other != "" {
		unique.Result = ResultFailed
		unique.Description += " (" + other + " creates it too)"
	} else {
		for name, db := range c.st.Databases {
			if db != nil && strings.EqualFold(name, op.Database) && (db.Server != op.Server || db.Recovery != op.Recovery) {
				unique.Result = ResultFailed
				unique.Description += " (a database of that name exists on " + db.Server + ")"
			}
		}
	}
	c.names[key] = s.ID
	pcs = append(pcs, unique)

	logKey := op.Server + "|" + strings.ToLower(op.LogFolderPath)
	logs := Precondition{Description: op.Database + " has its own log folder " + op.LogFolderPath + ", not a drive root", Result: ResultOK,
		Fix: "Give " + op.Database + " a log folder of its own in recovery." + rc.name + ": two log streams with the same prefix must never meet in one folder."}
	if other := c.logDirs[logKey]; other != "" && !strings.EqualFold(other, op.Database) {
		logs.Result = ResultFailed
		logs.Description += " (" + other + " uses it)"
	} else if d := strings.TrimRight(op.LogFolderPath, `\/`); len(d) <= 2 {
		logs.Result = ResultFailed
	}
	c.logDirs[logKey] = op.Database
	pcs = append(pcs, logs)

	if op.Recovery {
		// The restored or copied .edb keeps its name, the failed database's real file name
		// (a renamed database keeps its file), or the dial tone database's for
		// alternate_server; the recovery database points at it.
		want := winBase(rc.failed.Edb)
		from := rc.failed.Server
		if rc.rec.Option == config.OptionAlternateServer {
			want, from = winBase(rc.dt.Edb), rc.dt.Server
		}
		pcs = append(pcs, Precondition{Description: op.Database + "'s .edb is named " + want + " (the restored file keeps its name)",
			Result: okIf(strings.EqualFold(winBase(op.EdbFilePath), want)),
			Fix:    "Point recovery_database.edb_file_path of recovery." + rc.name + " at a file named " + want + "."})
		if from != op.Server {
			pcs = append(pcs, c.compatible("the data of "+rc.failed.Name+" in "+op.Database, from, op.Server))
		}
		c.clean[op.Database] = true
		if v, ok := c.clean["copy:"+op.Database]; ok {
			c.clean[op.Database] = v
		}
	} else {
		if op.Server != rc.failed.Server {
			pcs = append(pcs, c.compatible("dial tone for "+rc.failed.Name, rc.failed.Server, op.Server))
		}
		pcs = append(pcs, c.diskRoom(op.Server, "the dial tone database "+op.Database, 0, true, false))
		c.clean[op.Database] = true
	}
	return pcs
}

func (c *checker) restoreChecks(rc *recCtx, s *Step) []Precondition {
	op := s.Operation
	var pcs []Precondition
	backup := op.Backup
	if backup == "" {
		pcs = append(pcs, Precondition{Description: "a backup set of " + op.Source + " is named", Result: ResultFailed,
			Fix: "Set restore.backup to the backup set to restore."})
	} else {
		pc := Precondition{Description: "backup set " + backup + " of " + op.Source + " exists", Result: ResultAtApply,
			Check: &providers.Check{Kind: providers.CheckBackupExists, Database: op.Source, Backup: backup},
			Fix:   "Name a backup set of " + op.Source + " that exists in restore.backup, or write backup = \"none\" with accept_data_loss = true."}
		sets := backupSetsOf(c.st, op.Source)
		switch {
		case c.st.Backups[op.Source+"/"+backup] != nil:
			pc.Result = ResultOK
		case len(sets) > 0:
			pc.Result = ResultFailed
			pc.Description += " (the state knows " + strings.Join(sets, ", ") + ")"
		case c.st.Backups != nil:
			// The provider lists backups (the map is set) and reports none of this
			// database: the restore would fail at apply; say so now.
			pc.Result = ResultFailed
			pc.Description += " (the organization reports no backup set of " + op.Source + ")"
		}
		pcs = append(pcs, pc)
	}
	size, known := int64(0), false
	if b := c.st.Backups[op.Source+"/"+backup]; b != nil && b.SizeBytes > 0 {
		size, known = b.SizeBytes, true
	} else {
		size, known = c.sizeOf(op.Source)
	}
	pcs = append(pcs, c.diskRoom(op.Server, "the restored "+op.Source, size, known, true))
	if op.Database == rc.failed.Name {
		pcs = append(pcs, Precondition{Description: op.Database + " is not mounted while its files are restored", Result: okIf(c.mounted[op.Database] == ""),
			Check: &providers.Check{Kind: providers.CheckNotMounted, Database: op.Database}, Fix: "Dismount " + op.Database + " first."})
	}
	c.clean[op.Database] = false
	return pcs
}

func (c *checker) moveChecks(rc *recCtx, s *Step) []Precondition {
	op := s.Operation
	dest := ""
	switch {
	case strings.EqualFold(op.DestEdbFilePath, rc.dt.Edb):
		dest = rc.dt.Name
	case strings.EqualFold(op.DestEdbFilePath, rc.rdb.Edb):
		dest = rc.rdb.Name
	}
	pc := Precondition{Description: op.Database + "'s files are in Clean Shutdown (or their log range is complete) before they move",
		Fix: "Replay the logs (eseutil /r) or dismount " + op.Database + " cleanly first; if logs are missing, accept the loss in restore.accept_data_loss."}
	if c.clean[op.Database] {
		pc.Result = ResultOK
	} else {
		pc.Result = ResultAtApply
	}
	if strings.EqualFold(op.EdbFilePath, rc.rdb.Edb) || strings.EqualFold(op.EdbFilePath, rc.dt.Edb) {
		pc.Check = &providers.Check{Kind: providers.CheckClean, Database: op.Database, Server: op.Server}
	}
	size, known := c.sizeOf(op.Database)
	room := c.diskRoom(op.Server, "moving "+op.Database+"'s files (both copies exist until the move is verified)", size, known, false)
	if dest != "" {
		c.clean[dest] = c.clean[op.Database]
	}
	return []Precondition{pc, room}
}

func (c *checker) mountChecks(rc *recCtx, s *Step) []Precondition {
	op := s.Operation
	var pcs []Precondition
	isNewDT := op.Database == rc.dt.Name && s.Stage == config.StageDialTone
	if !isNewDT {
		pc := Precondition{Description: op.Database + " is in Clean Shutdown (or its log range is complete) before the mount",
			Check: &providers.Check{Kind: providers.CheckClean, Database: op.Database, Server: op.Server},
			Fix:   "Replay the logs into " + op.Database + " first (eseutil /r); never mount with -Force: it would mount an empty database."}
		if c.clean[op.Database] {
			pc.Result = ResultOK
		} else {
			pc.Result = ResultAtApply
		}
		pcs = append(pcs, pc)
	}
	if op.Database == rc.rdb.Name {
		var others []string
		for _, name := range sortedKeys(c.rdb(op.Server)) {
			if name != op.Database {
				others = append(others, name)
			}
		}
		desc := "no other recovery database is mounted on " + op.Server
		if len(others) > 0 {
			desc += " (" + strings.Join(others, ", ") + " is)"
		}
		pcs = append(pcs, Precondition{Description: desc, Result: okIf(len(others) == 0),
			Check: &providers.Check{Kind: providers.CheckRecoverySlot, Server: op.Server, Database: op.Database},
			Fix: "Only one recovery database can be mounted on a server at a time; finish the other recovery's merge first (raise its stage to complete), " +
				"or put " + op.Database + " on another server."})
		c.rdb(op.Server)[op.Database] = true
		return pcs
	}
	if srv, ok := c.mounted[op.Database]; ok && srv == op.Server {
		return pcs // already mounted: the mount takes no new slot
	}
	limit, edition := mountLimit(c.cfg, c.st, op.Server)
	in := c.count[op.Server]
	desc := fmt.Sprintf("a mount slot on %s for %s (%d of %d mounted databases in use, %s)", op.Server, op.Database, in, limit, edition)
	// Passive copies count toward the edition's limit (5 or 100 databases), not toward
	// MaximumActiveDatabases, which counts active ones only.
	if p := c.passive[op.Server]; p > 0 && !strings.HasPrefix(edition, "MaximumActiveDatabases") {
		in += p
		desc = fmt.Sprintf("a mount slot on %s for %s (%d of %d databases in use, %d of them passive copies, %s)", op.Server, op.Database, in, limit, p, edition)
	}
	pcs = append(pcs, Precondition{
		Description: desc,
		Result:      okIf(in+1 <= limit),
		Check:       &providers.Check{Kind: providers.CheckMountSlot, Server: op.Server, Database: op.Database},
		Fix: "Dismount or move a database on " + op.Server + " first, or raise its edition (Standard mounts 5, Enterprise 100), " +
			"or raise MaximumActiveDatabases (Set-MailboxServer); the count includes what this plan mounts.",
	})
	c.mounted[op.Database] = op.Server
	c.count[op.Server]++
	return pcs
}
