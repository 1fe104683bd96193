package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/dialtone/dialtone/providers"
)

// mount is Mount-Database without -Force. It refuses what the store refuses: a server
// that is down, a full server, a second recovery database, a missing or corrupt file, a
// file of another database without AllowFileRestore, logs that cannot be replayed. After
// the mount, mail queued for the database's mailboxes is delivered.
func (s *session) mount(db *databaseObj) (providers.Result, error) {
	srv := s.org.server(db.Server)
	if srv == nil {
		return providers.Result{}, fmt.Errorf("server %q of %s does not exist", db.Server, db.Name)
	}
	if db.Mounted {
		// A re-run after a crash between the mount and the queue drain finishes the drain.
		n, err := s.drainQueue()
		return providers.Result{AlreadyDone: n == 0, Detail: "already mounted", Count: n}, err
	}
	if !srv.Up {
		return providers.Result{}, fmt.Errorf("cannot mount %s: server %s is down (the Information Store is not running)", db.Name, srv.Name)
	}
	if err := s.checkMountSlot(db, srv); err != nil {
		return providers.Result{}, err
	}
	path, err := s.edbPath(db)
	if err != nil {
		return providers.Result{}, err
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return providers.Result{}, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if db.HasFile {
			return providers.Result{}, fmt.Errorf("cannot mount %s: database file %s is missing; Mount-Database refuses without -Force, which would create an empty database", db.Name, db.EdbFilePath)
		}
		// First mount of a new database: the store creates its empty file.
		h := edbHeader{Signature: db.Signature, LogSignature: s.org.newIdentity("log"), LogPrefix: db.LogFilePrefix, State: stateClean}
		cp, err := newestGeneration(folder, db.LogFilePrefix)
		if err != nil {
			return providers.Result{}, fmt.Errorf("cannot mount %s: list log folder %s: %w", db.Name, db.LogFolderPath, err)
		}
		h.Checkpoint = cp // never write over old logs with this prefix
		if err := s.createEDB(path, h); err != nil {
			return providers.Result{}, fmt.Errorf("create database file for %s: %w", db.Name, err)
		}
	} else if err != nil {
		return providers.Result{}, err
	}
	h, err := s.header(path)
	if err != nil {
		return providers.Result{}, fmt.Errorf("cannot mount %s: %w", db.Name, err)
	}
	if h.Corrupt {
		return providers.Result{}, fmt.Errorf("cannot mount %s: JET error -1018: page checksum mismatch in %s", db.Name, db.EdbFilePath)
	}
	if h.Signature != db.Signature && !db.Recovery && !db.AllowFileRestore {
		return providers.Result{}, fmt.Errorf("cannot mount %s: the file at %s belongs to another database (signature %s, the object expects %s); set AllowFileRestore to mount it",
			db.Name, db.EdbFilePath, h.Signature, db.Signature)
	}
	replayed := 0
	if h.State == stateDirty {
		if replayed, err = s.replay(path, folder); err != nil {
			return providers.Result{}, fmt.Errorf("cannot mount %s: %w", db.Name, err)
		}
	}
	// Files of another database bring their own log prefix; from now on this database
	// writes its own, as a new stream.
	if h.LogPrefix != db.LogFilePrefix {
		sig := s.org.newIdentity("log")
		cp, err := newestGeneration(folder, db.LogFilePrefix)
		if err != nil {
			return providers.Result{}, err
		}
		err = s.updateHeader(path, func(h *edbHeader) {
			h.LogPrefix, h.LogSignature, h.Checkpoint = db.LogFilePrefix, sig, max(h.Checkpoint, cp)
		})
		if err != nil {
			return providers.Result{}, err
		}
	}
	if err := s.updateHeader(path, func(h *edbHeader) { h.State = stateDirty }); err != nil {
		return providers.Result{}, err
	}
	if err := s.roll(path, folder); err != nil {
		return providers.Result{}, fmt.Errorf("mount %s: start log generation: %w", db.Name, err)
	}
	db.Signature, db.HasFile, db.Mounted = h.Signature, true, true
	if err := s.unseedCopies(db); err != nil {
		return providers.Result{}, err
	}
	if err := s.saveOrg(); err != nil {
		return providers.Result{}, err
	}
	n, err := s.drainQueue()
	if err != nil {
		return providers.Result{}, fmt.Errorf("mounted %s, but delivering queued mail failed: %w", db.Name, err)
	}
	detail := "mounted"
	if replayed > 0 {
		detail += fmt.Sprintf(", replayed %d log generations", replayed)
	}
	if n > 0 {
		detail += fmt.Sprintf(", delivered %d queued messages", n)
	}
	return providers.Result{Detail: detail, Count: n}, nil
}

// checkMountSlot enforces the edition's mounted-database limit and one mounted
// recovery database per server.
func (s *session) checkMountSlot(db *databaseObj, srv *serverObj) error {
	mounted, rdb := 0, ""
	for _, o := range s.org.Databases {
		if o == db || o.Server != srv.Name || !o.Mounted {
			continue
		}
		if o.Recovery {
			rdb = o.Name
		} else {
			mounted++
		}
	}
	if db.Recovery && rdb != "" {
		return fmt.Errorf("cannot mount recovery database %s: recovery database %s is already mounted on %s (one per server)", db.Name, rdb, srv.Name)
	}
	if limit, why := srv.mountLimit(); !db.Recovery && mounted >= limit {
		return fmt.Errorf("cannot mount %s: %s already has %d mounted databases, %s", db.Name, srv.Name, mounted, why)
	}
	return nil
}

// dismount is Dismount-Database: the file is left clean, every generation applied.
func (s *session) dismount(db *databaseObj) (providers.Result, error) {
	if !db.Mounted {
		return providers.Result{AlreadyDone: true, Detail: "already dismounted"}, nil
	}
	if err := s.shutDown(db); err != nil {
		return providers.Result{}, fmt.Errorf("dismount %s: %w", db.Name, err)
	}
	db.Mounted = false
	if err := s.saveOrg(); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: "dismounted"}, nil
}

// shutDown writes a clean shutdown into the header of a mounted database.
func (s *session) shutDown(db *databaseObj) error {
	path, err := s.edbPath(db)
	if err != nil {
		return err
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return err
	}
	h, err := s.header(path)
	if err != nil {
		return err
	}
	newest, err := newestGeneration(folder, h.LogPrefix)
	if err != nil {
		return err
	}
	cp := max(h.Checkpoint, newest)
	if err := s.updateHeader(path, func(h *edbHeader) { h.State, h.Checkpoint = stateClean, cp }); err != nil {
		return err
	}
	return writeCheckpointFile(folder, h.LogPrefix, cp)
}
