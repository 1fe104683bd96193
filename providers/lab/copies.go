package lab

import (
	"fmt"
	"strings"
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
