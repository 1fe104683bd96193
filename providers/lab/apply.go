package lab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Apply carries out one operation of the vocabulary. Every operation first checks
// whether its effect is already in place, so a re-run after a crash converges.
func (l *Lab) Apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	if err := ctx.Err(); err != nil {
		return providers.Result{}, err
	}
	var res providers.Result
	start := time.Now()
	err := l.run(false, func(s *session) error {
		var err error
		res, err = s.apply(ctx, op, progress)
		return err
	})
	l.logOp("apply", string(op.Kind), op.Database, start, err)
	if err != nil {
		return providers.Result{}, fmt.Errorf("%s: %w", op.Kind, err)
	}
	// Exchange's time, outside the lab's lock: operations of other steps go on meanwhile.
	if err := l.wait(ctx, op, res, time.Since(start)); err != nil {
		return providers.Result{}, fmt.Errorf("%s: %w", op.Kind, err)
	}
	return res, nil
}

func (s *session) apply(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	switch op.Kind {
	case providers.OpCopyFiles:
		return s.copyFiles(op)
	case providers.OpKeepFiles:
		return s.keepFiles(op)
	case providers.OpCreateDatabase:
		return s.applyCreate(op)
	case providers.OpRehomeMailboxes:
		return s.applyRehome(op)
	case providers.OpMountDatabase:
		db, err := s.org.mustDatabase(op.Database)
		if err != nil {
			return providers.Result{}, err
		}
		return s.mount(db)
	case providers.OpDismountDatabase:
		db, err := s.org.mustDatabase(op.Database)
		if err != nil {
			return providers.Result{}, err
		}
		return s.dismount(db)
	case providers.OpRestartStore:
		return s.applyRestartStore(op)
	case providers.OpSetAllowFileRestore:
		db, err := s.org.mustDatabase(op.Database)
		if err != nil {
			return providers.Result{}, err
		}
		if db.AllowFileRestore == op.Value {
			return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("AllowFileRestore already %t", op.Value)}, nil
		}
		db.AllowFileRestore = op.Value
		return providers.Result{Detail: fmt.Sprintf("AllowFileRestore set to %t", op.Value)}, s.saveOrg()
	case providers.OpRestoreBackup:
		return s.restoreBackup(op)
	case providers.OpCopyLogs:
		return s.copyLogs(op)
	case providers.OpReplayLogs:
		return s.applyReplay(op)
	case providers.OpMoveFiles:
		return s.moveFiles(op)
	case providers.OpMergeMailbox:
		return s.merge(ctx, op, progress)
	case providers.OpRemoveRestoreRequests:
		return s.removeRequests(op)
	case providers.OpRemoveDatabase:
		return s.applyRemove(op)
	case providers.OpDeleteFiles:
		return s.deleteFiles(op)
	case providers.OpResubmitQueues:
		return s.resubmit(op)
	case providers.OpRehomeSystemMailboxes:
		return s.applyRehomeSystem(op)
	case providers.OpSetExcludedFromProvisioning:
		db, err := s.org.mustDatabase(op.Database)
		if err != nil {
			return providers.Result{}, err
		}
		v := "False"
		if op.Value {
			v = "True"
		}
		if db.setting(state.SettingIsExcludedFromProvisioning) == v {
			return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("IsExcludedFromProvisioning already %t", op.Value)}, nil
		}
		db.put(state.SettingIsExcludedFromProvisioning, v)
		return providers.Result{Detail: fmt.Sprintf("IsExcludedFromProvisioning set to %t", op.Value)}, s.saveOrg()
	case providers.OpSetDatabaseSettings:
		return s.applySettings(op)
	case providers.OpRenameDatabase:
		return s.applyRename(op)
	case providers.OpResumeRestoreRequest:
		return s.resumeRequest(ctx, op, progress)
	case providers.OpRecoverServer:
		return providers.Result{}, fmt.Errorf("the lab cannot rebuild server %s by itself: Setup.exe /Mode:RecoverServer is a manual step (in the lab: \"dialtone lab repair server %s\")", op.Server, op.Server)
	case providers.OpRepointProfiles:
		return providers.Result{}, fmt.Errorf("repointing the profiles of %d mailboxes at %s is a manual step: the lab has no clients to repoint", len(op.Mailboxes), op.Server)
	case providers.OpAddCopies:
		return providers.Result{}, fmt.Errorf("adding copies of %s is a manual step (in the lab: \"dialtone lab add copy %s -server=NAME\")", op.Database, op.Database)
	case providers.OpManual:
		return providers.Result{}, fmt.Errorf("the lab has no person to do a manual step: %s", op.Instructions)
	default:
		return providers.Result{}, fmt.Errorf("operation kind %q is unknown to the lab provider", op.Kind)
	}
}

// resubmit is Retry-Queue -Resubmit $true: queued mail whose owner's home database is
// mounted is delivered. Mail for a database still down stays queued, which Detail says.
func (s *session) resubmit(op providers.Operation) (providers.Result, error) {
	n, err := s.drainQueue()
	if err != nil {
		return providers.Result{}, fmt.Errorf("delivered %d queued messages, then: %w", n, err)
	}
	q, err := s.queued()
	if err != nil {
		return providers.Result{}, err
	}
	detail := fmt.Sprintf("delivered %d queued messages", n)
	if len(q) > 0 {
		detail += fmt.Sprintf("; %d stay queued (their database is not mounted)", len(q))
	}
	return providers.Result{AlreadyDone: n == 0, Detail: detail, Count: n}, nil
}

func (s *session) applyCreate(op providers.Operation) (providers.Result, error) {
	if d := s.org.database(op.Database); d != nil {
		if d.Server == op.Server && strings.EqualFold(d.EdbFilePath, op.EdbFilePath) &&
			strings.EqualFold(d.LogFolderPath, op.LogFolderPath) && d.Recovery == op.Recovery {
			return providers.Result{AlreadyDone: true, Detail: "database exists"}, nil
		}
		return providers.Result{}, fmt.Errorf("a database named %s already exists on %s with other settings (%s, %s, recovery %t)",
			d.Name, d.Server, d.EdbFilePath, d.LogFolderPath, d.Recovery)
	}
	// The first mount creates the folders, the file and the log stream of a new
	// database: they are dialtone's, since it created the database.
	w := s.newWrites()
	for _, f := range []string{winDir(op.EdbFilePath), op.LogFolderPath} {
		if err := w.folders(op.Server, f); err != nil {
			return providers.Result{}, err
		}
	}
	if host, err := s.l.hostPath(op.Server, op.EdbFilePath); err == nil && !exists(host) {
		w.file(op.Server, op.EdbFilePath)
	}
	db, err := s.createDatabase(op.Database, op.Server, op.EdbFilePath, op.LogFolderPath, op.Recovery)
	if err != nil {
		return providers.Result{}, err
	}
	w.add(db.Server, db.LogFolderPath, state.WrittenLogStream, db.LogFilePrefix)
	if len(op.Settings) > 0 {
		if op.Recovery {
			return providers.Result{}, fmt.Errorf("New-MailboxDatabase -Recovery takes no database settings")
		}
		for name := range op.Settings {
			if name != state.SettingOfflineAddressBook && name != state.SettingIsExcludedFromProvisioning {
				return providers.Result{}, fmt.Errorf("New-MailboxDatabase has no parameter -%s", name)
			}
		}
		if _, err := s.setSettings(db, op.Settings); err != nil {
			return providers.Result{}, fmt.Errorf("New-MailboxDatabase %s: %w", db.Name, err)
		}
	}
	if err := s.saveOrg(); err != nil {
		return providers.Result{}, err
	}
	kind := "database"
	if db.Recovery {
		kind = "recovery database"
	}
	return providers.Result{Detail: fmt.Sprintf("created %s %s on %s (log prefix %s)", kind, db.Name, db.Server, db.LogFilePrefix), Wrote: w.out}, nil
}

func (s *session) applyRehome(op providers.Operation) (providers.Result, error) {
	target, err := s.org.mustDatabase(op.Target)
	if err != nil {
		return providers.Result{}, err
	}
	if target.Recovery {
		return providers.Result{}, fmt.Errorf("cannot home mailboxes on %s: it is a recovery database", target.Name)
	}
	from := op.Database
	if d := s.org.database(from); d != nil {
		from = d.Name
	}
	n, err := s.rehome(from, target.Name)
	if err != nil {
		return providers.Result{}, err
	}
	// Transport resubmits what waited for the old database (Retry-Queue -Resubmit).
	delivered, err := s.drainQueue()
	if err != nil {
		return providers.Result{}, fmt.Errorf("re-homed %d mailboxes, but delivering queued mail failed: %w", n, err)
	}
	if n == 0 {
		return providers.Result{AlreadyDone: delivered == 0, Detail: fmt.Sprintf("no mailbox left on %s", from)}, nil
	}
	detail := fmt.Sprintf("re-homed %d mailboxes from %s to %s", n, from, target.Name)
	if delivered > 0 {
		detail += fmt.Sprintf(", delivered %d queued messages", delivered)
	}
	return providers.Result{Detail: detail, Count: n}, nil
}

func (s *session) applyRemove(op providers.Operation) (providers.Result, error) {
	db := s.org.database(op.Database)
	if db == nil {
		return providers.Result{AlreadyDone: true, Detail: "database does not exist"}, nil
	}
	if db.Mounted {
		return providers.Result{}, fmt.Errorf("cannot remove %s: it is mounted", db.Name)
	}
	if err := s.nothingPointsAt(db.Name); err != nil {
		return providers.Result{}, fmt.Errorf("cannot remove %s: %w", db.Name, err)
	}
	for i, d := range s.org.Databases {
		if d == db {
			s.org.Databases = append(s.org.Databases[:i], s.org.Databases[i+1:]...)
			s.org.reindex()
			break
		}
	}
	return providers.Result{Detail: fmt.Sprintf("removed %s (its files stay)", db.Name)}, s.saveOrg()
}

// applyReplay is eseutil /r on a dismounted database's files: replay, then clean. With
// AcceptDataLoss (eseutil /r /a) a missing or damaged generation ends the replay there
// and the file is made clean anyway: what the later logs held is lost.
func (s *session) applyReplay(op providers.Operation) (providers.Result, error) {
	server := op.Server
	if db := s.org.database(op.Database); db != nil {
		if db.Mounted {
			return providers.Result{}, fmt.Errorf("cannot replay logs into %s: it is mounted", db.Name)
		}
		if server == "" {
			server = db.Server
		}
	}
	if err := s.serverUp(server); err != nil {
		return providers.Result{}, err
	}
	path, err := s.l.hostPath(server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	folder, err := s.l.hostPath(server, op.LogFolderPath)
	if err != nil {
		return providers.Result{}, err
	}
	if !exists(path) {
		return providers.Result{}, fmt.Errorf("database file %s is missing", op.EdbFilePath)
	}
	h, err := s.header(path)
	if err != nil {
		return providers.Result{}, err
	}
	if h.Corrupt {
		return providers.Result{}, fmt.Errorf("database file %s: JET error -1018: page checksum mismatch", op.EdbFilePath)
	}
	if h.State == stateClean {
		return providers.Result{AlreadyDone: true, Detail: "already in Clean Shutdown"}, nil
	}
	if op.LogPrefix != "" && !strings.EqualFold(op.LogPrefix, h.LogPrefix) {
		// eseutil /r replays the logs of the base name it is given; those of another
		// stream do not belong to this file.
		return providers.Result{}, fmt.Errorf("eseutil /r %s: %s needs the logs of base name %s, not %s (JET error -1216: the logs do not match the database)",
			op.LogPrefix, op.EdbFilePath, h.LogPrefix, op.LogPrefix)
	}
	n, err := s.replay(path, folder)
	var stop *replayStop
	if errors.As(err, &stop) && op.AcceptDataLoss {
		err = nil
	} else {
		stop = nil
	}
	if err != nil {
		return providers.Result{}, err
	}
	h, err = s.header(path)
	if err != nil {
		return providers.Result{}, err
	}
	if err := s.updateHeader(path, func(h *edbHeader) { h.State = stateClean }); err != nil {
		return providers.Result{}, err
	}
	if err := writeCheckpointFile(folder, h.LogPrefix, h.Checkpoint); err != nil {
		return providers.Result{}, err
	}
	detail := fmt.Sprintf("replayed %d log generations; Clean Shutdown at generation %d", n, h.Checkpoint)
	if stop != nil {
		detail += fmt.Sprintf("; data loss accepted: generation %d and later are not in the database (%v)", stop.Gen, stop)
	}
	return providers.Result{Detail: detail, Count: int64(n)}, nil
}
