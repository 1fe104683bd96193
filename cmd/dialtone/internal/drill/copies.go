package drill

import (
	"fmt"
)

// activateSurvivingCopy does what the refused plan of a copy_survives drill advises:
// Move-ActiveMailboxDatabase to the surviving copy (in the lab: that copy is mounted
// from its own replicated .edb and logs), then checks that every accepted message is in
// its owner's mailbox: the copy held the mail a dial tone would have taken away.
func (dr *drillRun) activateSurvivingCopy() int {
	c := dr.c
	for _, r := range dr.recs {
		db := dr.cfg.Databases[r.Database.Name]
		if db == nil || len(db.Copies) == 0 {
			return dr.fail("recovery.%s's database declares no copies to activate", r.Name)
		}
		to := db.Copies[0].Name
		res, err := dr.l.ActivateCopy(db.Name, to)
		if err != nil {
			return dr.fail("activating %s's copy on %s: %v", db.Name, to, err)
		}
		fmt.Fprintf(c.stdout, "drill: Move-ActiveMailboxDatabase %s -ActivateOnServer %s (in the lab): %s from the copy's own files\n", db.Name, to, res.Detail)
	}
	rep, err := dr.l.Verify()
	if err != nil {
		return dr.fail("lab verify: %v", err)
	}
	if !rep.OK() {
		return dr.fail("after activating the copy: %d of %d messages delivered (%d missing, %d lost, %d queued)",
			rep.Delivered, rep.Accepted, len(rep.Missing), len(rep.Lost), len(rep.Queued))
	}
	fmt.Fprintf(c.stdout, "Every accepted message (%d) is in its owner's mailbox on the activated copy: nothing was lost, no dial tone needed.\n", rep.Accepted)
	return exitOK
}
