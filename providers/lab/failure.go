package lab

import (
	"fmt"
	"os"
	"path/filepath"
)

// Every injection that destroys files first records the messages it makes unrecoverable
// (loss.go), then destroys.

// FailDatabase injects a database failure, on any database (a dial tone database too).
// "lost": the .edb and checkpoint are gone (the logs survive: they sit on another
// volume); "corrupt": the .edb stays but will not mount (JET error -1018). Either way
// the database is dismounted and its mail queues. Every passive copy of it is lost too.
func (l *Lab) FailDatabase(database, mode string) error {
	return l.FailDatabaseOn(database, mode, "")
}

// FailDatabaseOn is FailDatabase on one server's copy: the active copy's files when
// server is the database's own server (its passive copies stay healthy), one passive
// copy when server holds one (the active database keeps running), every copy when
// server is "".
func (l *Lab) FailDatabaseOn(database, mode, server string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if server != "" && server != db.Server {
			for i := range db.Copies {
				if db.Copies[i].Server == server {
					if err := s.dropCopyFiles(db, &db.Copies[i]); err != nil {
						return err
					}
					db.Copies[i].Lost = true
					return s.saveOrg()
				}
			}
			return fmt.Errorf("server %s holds no copy of %s (its server is %s)", server, db.Name, db.Server)
		}
		if server == "" {
			for i := range db.Copies {
				if err := s.dropCopyFiles(db, &db.Copies[i]); err != nil {
					return err
				}
				db.Copies[i].Lost = true
			}
		} else if err := s.seedCopies(db); err != nil { // the active copy only: the passive ones keep what was replicated
			return err
		}
		path, err := s.edbPath(db)
		if err != nil {
			return err
		}
		folder, err := s.logFolder(db)
		if err != nil {
			return err
		}
		cause := fmt.Sprintf("database %s %s (injected)", db.Name, mode)
		switch mode {
		case "lost":
			if _, err := s.recordLoss(map[string]bool{path: true}, cause); err != nil {
				return err
			}
			if err := s.closeEDB(path); err != nil {
				return err
			}
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return err
			}
			if err := os.Remove(filepath.Join(folder, db.LogFilePrefix+".chk")); err != nil && !os.IsNotExist(err) {
				return err
			}
		case "corrupt":
			if !exists(path) {
				return fmt.Errorf("cannot corrupt %s: database file %s is missing", db.Name, db.EdbFilePath)
			}
			if _, err := s.recordLoss(map[string]bool{path: true}, cause); err != nil {
				return err
			}
			if err := s.updateHeader(path, func(h *edbHeader) { h.Corrupt = true }); err != nil {
				return err
			}
		default:
			return fmt.Errorf("failure mode %q is not lost or corrupt", mode)
		}
		db.Mounted = false
		return s.saveOrg()
	})
}

// FailServer takes a server down: its Information Store stops, its databases dismount
// without a clean shutdown (their files stay dirty), and nothing mounts there until it
// is back. Its files stay on disk but cannot be reached: file operations on it fail and
// Read reports nothing of them.
func (l *Lab) FailServer(server string) error {
	return l.run(false, func(s *session) error {
		srv := s.org.server(server)
		if srv == nil {
			return fmt.Errorf("server %q does not exist", server)
		}
		for _, d := range s.org.Databases {
			if d.Server == srv.Name {
				if err := s.seedCopies(d); err != nil { // what replication holds elsewhere when the server goes
					return err
				}
			}
		}
		srv.Up = false
		for _, d := range s.org.Databases {
			if d.Server == srv.Name {
				d.Mounted = false
			}
			for i := range d.Copies {
				if d.Copies[i].Server == srv.Name {
					d.Copies[i].Lost = true // a rebuilt server's copies are reseeded, not resumed
				}
			}
		}
		return s.saveOrg()
	})
}

// RepairServer is Setup.exe /Mode:RecoverServer on a same-named replacement with the same
// drive letters: the server is up again; its databases' AD objects are intact and
// dismounted (their files as the failure left them, dirty where they were mounted); the
// data volumes survived, so every file under the server's folder is where it was.
// Nothing is mounted: that is a recovery step. It refuses a server that is up.
func (l *Lab) RepairServer(server string) error {
	return l.run(false, func(s *session) error {
		srv := s.org.server(server)
		if srv == nil {
			return fmt.Errorf("server %q does not exist", server)
		}
		if srv.Up {
			return fmt.Errorf("server %s is up: there is nothing to recover", srv.Name)
		}
		srv.Up = true
		return s.saveOrg()
	})
}

// FailLogs deletes the log files of a database (its transaction log volume is lost).
// A mounted database is dismounted first, the way the store stops when its logs go.
func (l *Lab) FailLogs(database string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if db.Mounted {
			if _, err := s.dismount(db); err != nil {
				return err
			}
		}
		folder, err := s.logFolder(db)
		if err != nil {
			return err
		}
		names, err := listFiles(folder)
		if err != nil {
			return err
		}
		gone := map[string]bool{}
		for _, n := range names {
			if isLogFile(n) {
				gone[filepath.Join(folder, n)] = true
			}
		}
		if _, err := s.recordLoss(gone, fmt.Sprintf("log files of %s deleted (injected)", db.Name)); err != nil {
			return err
		}
		for p := range gone {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// FailLogsAfter loses a database together with part of its logs (4.4): every log
// generation >= generation of the database's stream is deleted from its log folder, and
// so are its .edb and checkpoint. The lab records which generations were destroyed, so
// that a replay of that stream knows its tail is missing (eseutil /r then needs /a), and
// which messages had their only copy there. It refuses a generation no log reaches.
func (l *Lab) FailLogsAfter(database string, generation uint64) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		if generation == 0 {
			return fmt.Errorf("generation must be 1 or more")
		}
		path, err := s.edbPath(db)
		if err != nil {
			return err
		}
		folder, err := s.logFolder(db)
		if err != nil {
			return err
		}
		prefix, sig := db.LogFilePrefix, ""
		if exists(path) {
			// A header that cannot be read (the file may be corrupt by an earlier
			// injection) leaves the object's prefix, and the logs name the stream below.
			if h, err := s.header(path); err == nil {
				prefix, sig = h.LogPrefix, h.LogSignature
			}
		}
		gens, files, err := listLogs(folder, prefix)
		if err != nil {
			return err
		}
		gone := map[string]bool{path: true}
		var destroyed []uint64
		for _, g := range gens {
			if g < generation {
				continue
			}
			if sig == "" { // the .edb is already gone: the logs say whose stream they are
				// Only the signature is sought: a damaged or oversized log (being
				// destroyed anyway) gives none, and the next one is tried.
				if lf, _ := readLog(files[g], l.opts.Limits); lf != nil {
					sig = lf.Signature
				}
			}
			gone[files[g]] = true
			destroyed = append(destroyed, g)
		}
		if len(destroyed) == 0 {
			newest := uint64(0)
			if len(gens) > 0 {
				newest = gens[len(gens)-1]
			}
			return fmt.Errorf("no log generation of %s (%s) is %d or newer: the newest is %d", db.Name, prefix, generation, newest)
		}
		if sig != "" {
			if err := s.recordDestroyed(sig, db.Name, prefix, destroyed); err != nil {
				return err
			}
		}
		cause := fmt.Sprintf("%s lost with its log generations %d to %d (injected)", db.Name, destroyed[0], destroyed[len(destroyed)-1])
		if _, err := s.recordLoss(gone, cause); err != nil {
			return err
		}
		if err := s.closeEDBs(); err != nil {
			return err
		}
		gone[filepath.Join(folder, prefix+".chk")] = true
		for p := range gone {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		if err := syncDir(folder); err != nil {
			return err
		}
		db.Mounted = false
		return s.saveOrg()
	})
}

// FailBackup deletes the backup set set of database: there is no such backup any more.
func (l *Lab) FailBackup(database, set string) error {
	return l.run(false, func(s *session) error {
		name := database
		if db := s.org.database(database); db != nil {
			name = db.Name
		}
		dir, _, err := s.l.readBackup(set, name)
		if err != nil {
			return err
		}
		gone := map[string]bool{}
		err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				gone[p] = true
			}
			return err
		})
		if err != nil {
			return err
		}
		if _, err := s.recordLoss(gone, fmt.Sprintf("backup set %s of %s deleted (injected)", set, name)); err != nil {
			return err
		}
		// Remove the description first: a set without it does not exist, even half deleted.
		if err := os.Remove(filepath.Join(dir, backupMetaFile)); err != nil {
			return err
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		return syncDir(filepath.Dir(dir))
	})
}
