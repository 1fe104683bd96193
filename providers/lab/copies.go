package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// AddCopy is Add-MailboxDatabaseCopy in the lab: a passive copy of database on server,
// seeded from the active copy. A lost copy on that server is reseeded. As in Exchange
// (learn.microsoft.com/exchange/high-availability/manage-ha/add-db-copies) the active
// copy must be mounted and the server must not host the database itself. It is what an
// admin does at the manual step add_copies_back, before "dialtone confirm".
func (l *Lab) AddCopy(database, server string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		srv := s.org.server(server)
		switch {
		case srv == nil:
			return fmt.Errorf("server %q does not exist", server)
		case !srv.Up:
			return fmt.Errorf("server %s is down: a copy is seeded onto a running server", srv.Name)
		case db.Recovery:
			return fmt.Errorf("%s is a recovery database: it never has copies", db.Name)
		case strings.EqualFold(db.Server, srv.Name):
			return fmt.Errorf("server %s hosts %s itself: a passive copy goes on another server", srv.Name, db.Name)
		case !db.Mounted:
			return fmt.Errorf("%s is not mounted: a copy is seeded from the mounted active copy", db.Name)
		}
		for i := range db.Copies {
			if !strings.EqualFold(db.Copies[i].Server, srv.Name) {
				continue
			}
			if !db.Copies[i].Lost {
				return fmt.Errorf("server %s already holds a healthy copy of %s", srv.Name, db.Name)
			}
			db.Copies[i].Lost = false
			return s.saveOrg()
		}
		db.Copies = append(db.Copies, copyObj{Server: srv.Name})
		return s.saveOrg()
	})
}

// seedCopies writes the files of db's surviving passive copies on their servers from
// the active copy's files as they are now (.edb, checkpoint and logs): what continuous
// replication holds there at the moment the active copy is lost, damaged or cut off.
// Called before any failure injection touches the active copy; a copy already holding
// files, lost, or on a server that is down is left as it is. Rolled log generations
// (never written again) are hard-linked where the file system allows; the .edb, the
// checkpoint and the current log are copied, since the active copy's own may still change.
func (s *session) seedCopies(db *databaseObj) error {
	if len(db.Copies) == 0 || db.Recovery {
		return nil
	}
	if srv := s.org.server(db.Server); srv == nil || !srv.Up {
		return nil // nothing answers for the active copy: the copies keep what they had
	}
	src, err := s.edbPath(db)
	if err != nil {
		return err
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return err
	}
	if !exists(src) {
		return nil // no active file to replicate from (lost before copies held files)
	}
	if err := s.closeEDB(src); err != nil {
		return err
	}
	names, err := listFiles(folder)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for i := range db.Copies {
		c := &db.Copies[i]
		if c.Lost || c.Files {
			continue
		}
		if srv := s.org.server(c.Server); srv == nil || !srv.Up {
			continue
		}
		dst, err := s.l.hostPath(c.Server, db.EdbFilePath)
		if err != nil {
			return err
		}
		dstFolder, err := s.l.hostPath(c.Server, db.LogFolderPath)
		if err != nil {
			return err
		}
		if err := copyFile(src, dst); err != nil {
			return err
		}
		if err := os.MkdirAll(dstFolder, 0o700); err != nil {
			return err
		}
		for _, n := range names {
			if !strings.HasPrefix(n, db.LogFilePrefix) {
				continue // another stream's files in a shared folder are not this database's
			}
			from, to := filepath.Join(folder, n), filepath.Join(dstFolder, n)
			if _, _, rolled := parseLogName(n); rolled {
				if err := os.Remove(to); err != nil && !os.IsNotExist(err) {
					return err
				}
				if os.Link(from, to) == nil {
					continue
				}
			}
			if err := copyFile(from, to); err != nil {
				return err
			}
		}
		if err := syncDir(dstFolder); err != nil {
			return err
		}
		c.Files = true
	}
	return nil
}

// unseedCopies makes db's seeded passive copies lazy again once the active copy is
// mounted: from then on they follow it (Exchange resynchronizes them), so their files
// of the failure's moment are stale and go; the next failure seeds them afresh.
func (s *session) unseedCopies(db *databaseObj) error {
	for i := range db.Copies {
		if c := &db.Copies[i]; !c.Lost && c.Files {
			if err := s.dropCopyFiles(db, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropCopyFiles deletes the files a lost passive copy held on its server: its .edb,
// checkpoint and the log files of its stream; nothing else in those folders.
func (s *session) dropCopyFiles(db *databaseObj, c *copyObj) error {
	if !c.Files {
		return nil
	}
	edb, err := s.l.hostPath(c.Server, db.EdbFilePath)
	if err != nil {
		return err
	}
	folder, err := s.l.hostPath(c.Server, db.LogFolderPath)
	if err != nil {
		return err
	}
	if err := os.Remove(edb); err != nil && !os.IsNotExist(err) {
		return err
	}
	names, err := listFiles(folder)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, db.LogFilePrefix) && (isLogFile(n) || n == db.LogFilePrefix+".chk") {
			if err := os.Remove(filepath.Join(folder, n)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	c.Files = false
	return nil
}

// ActivateCopy is Move-ActiveMailboxDatabase DATABASE -ActivateOnServer SERVER in the
// lab: the copy on server becomes the active copy and is mounted from its own files
// (replaying its logs past its checkpoint), and mailboxes reach their mail there. The
// old active copy becomes a passive one: failed (to be reseeded) when its server is down
// or its files are lost, else as current as the new active one.
func (l *Lab) ActivateCopy(database, server string) (providers.Result, error) {
	var res providers.Result
	err := l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(db.Copies, func(c copyObj) bool { return strings.EqualFold(c.Server, server) })
		if i < 0 {
			return fmt.Errorf("server %s holds no copy of %s (its server is %s)", server, db.Name, db.Server)
		}
		c := db.Copies[i]
		srv := s.org.server(c.Server)
		switch {
		case c.Lost:
			return fmt.Errorf("the copy of %s on %s is lost: there is nothing to activate", db.Name, c.Server)
		case srv == nil || !srv.Up:
			return fmt.Errorf("server %s is down: its copy of %s cannot be activated", c.Server, db.Name)
		}
		old := s.org.server(db.Server)
		healthy := old != nil && old.Up && db.Mounted
		if healthy {
			if _, err := s.dismount(db); err != nil { // a switchover: the active copy shuts down first
				return err
			}
		}
		if err := s.seedCopies(db); err != nil {
			return err
		}
		if !db.Copies[i].Files {
			return fmt.Errorf("the copy of %s on %s holds no files (the lab seeds a copy when its active copy fails)", db.Name, c.Server)
		}
		db.Copies[i] = copyObj{Server: db.Server, Lost: !healthy}
		db.Server = srv.Name
		if err := s.saveOrg(); err != nil {
			return err
		}
		res, err = s.mount(db)
		if err != nil {
			return err
		}
		return s.saveOrg()
	})
	return res, err
}
