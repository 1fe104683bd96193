package lab

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
)

var _ providers.Checker = (*Lab)(nil)

// Check verifies one precondition right before a step runs. The error names the
// object, the limit and the value now.
func (l *Lab) Check(ctx context.Context, c providers.Check) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	err := l.run(false, func(s *session) error { return s.check(c) })
	l.logOp("check", string(c.Kind), c.Database, start, err)
	return err
}

func (s *session) check(c providers.Check) error {
	server := func() (*serverObj, error) {
		srv := s.org.server(c.Server)
		if srv == nil {
			return nil, fmt.Errorf("server %q does not exist", c.Server)
		}
		return srv, nil
	}
	switch c.Kind {
	case providers.CheckServerUp:
		srv, err := server()
		if err != nil {
			return err
		}
		if !srv.Up {
			return fmt.Errorf("server %s is down", srv.Name)
		}
		return nil
	case providers.CheckMountSlot:
		srv, err := server()
		if err != nil {
			return err
		}
		mounted := 0
		for _, d := range s.org.Databases {
			if d.Server == srv.Name && d.Mounted && !d.Recovery {
				mounted++
			}
		}
		if limit, why := srv.mountLimit(); mounted >= limit {
			return fmt.Errorf("server %s has no mount slot: %d databases mounted, the limit is %d (%s)", srv.Name, mounted, limit, why)
		}
		return nil
	case providers.CheckRecoverySlot:
		srv, err := server()
		if err != nil {
			return err
		}
		for _, d := range s.org.Databases {
			if d.Server == srv.Name && d.Mounted && d.Recovery && !equalFold(d.Name, c.Database) {
				return fmt.Errorf("server %s has no recovery slot: recovery database %s is mounted there (the limit is one per server)", srv.Name, d.Name)
			}
		}
		return nil
	case providers.CheckDiskRoom:
		srv, err := server()
		if err != nil {
			return err
		}
		if !srv.Up {
			return fmt.Errorf("server %s is down: its free disk cannot be read", srv.Name)
		}
		if err := s.needRoom(srv.Name, c.Bytes); err != nil {
			return err
		}
		return nil
	case providers.CheckBackupExists:
		name := c.Database
		if d := s.org.database(name); d != nil {
			name = d.Name
		}
		if _, _, err := s.l.readBackup(c.Backup, name); err != nil {
			return err
		}
		return nil
	case providers.CheckDatabaseMounted, providers.CheckNotMounted, providers.CheckClean:
		db, err := s.org.mustDatabase(c.Database)
		if err != nil {
			return err
		}
		switch c.Kind {
		case providers.CheckDatabaseMounted:
			if !db.Mounted {
				return fmt.Errorf("database %s is not mounted", db.Name)
			}
		case providers.CheckNotMounted:
			if db.Mounted {
				return fmt.Errorf("database %s is mounted", db.Name)
			}
		default:
			return s.checkClean(db)
		}
		return nil
	default:
		return fmt.Errorf("check kind %q is unknown to the lab provider", c.Kind)
	}
}

// checkClean holds when the database's file is in Clean Shutdown, or dirty with every
// generation a replay needs present after its checkpoint and no destroyed tail.
func (s *session) checkClean(db *databaseObj) error {
	if err := s.serverUp(db.Server); err != nil {
		return fmt.Errorf("cannot read the header of %s: %w", db.Name, err)
	}
	path, err := s.edbPath(db)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: file %s is missing", db.Name, db.EdbFilePath)
	}
	h, err := s.header(path)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.Name, err)
	}
	if h.Corrupt {
		return fmt.Errorf("database %s: file %s is corrupt (JET error -1018)", db.Name, db.EdbFilePath)
	}
	if h.State == stateClean {
		return nil
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return err
	}
	gens, _, err := listLogs(folder, h.LogPrefix)
	if err != nil {
		return err
	}
	last := h.Checkpoint
	for _, g := range gens {
		if g <= h.Checkpoint {
			continue
		}
		if g != last+1 {
			return fmt.Errorf("database %s is in Dirty Shutdown at checkpoint %d and log generation %d (%s) is missing from %s",
				db.Name, h.Checkpoint, last+1, logFileName(h.LogPrefix, last+1), db.LogFolderPath)
		}
		last = g
	}
	d, err := s.destroyedLogs(h.LogSignature)
	if err != nil {
		return err
	}
	if g, ok := d.after(last); ok {
		return fmt.Errorf("database %s is in Dirty Shutdown and its logs end at generation %d, but the stream was written up to generation %d: the tail is missing",
			db.Name, last, g)
	}
	return nil
}

func equalFold(a, b string) bool {
	return a != "" && b != "" && len(a) == len(b) && strings.EqualFold(a, b)
}
