package lab

import (
	"fmt"
	"os"
	"path/filepath"
)

// FailDatabase injects a database failure. "lost": the .edb and checkpoint are gone (the
// logs survive: they sit on another volume); "corrupt": the .edb stays but will not
// mount (JET error -1018). Either way the database is dismounted and its mail queues.
func (l *Lab) FailDatabase(database, mode string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
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
		switch mode {
		case "lost":
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
// without a clean shutdown, and nothing mounts there until it is back.
func (l *Lab) FailServer(server string) error {
	return l.run(false, func(s *session) error {
		srv := s.org.server(server)
		if srv == nil {
			return fmt.Errorf("server %q does not exist", server)
		}
		srv.Up = false
		for _, d := range s.org.Databases {
			if d.Server == srv.Name {
				d.Mounted = false
			}
		}
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
		for _, n := range names {
			if _, _, ok := parseLogName(n); ok {
				if err := os.Remove(filepath.Join(folder, n)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
