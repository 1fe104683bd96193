package planner

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// copyCheck is the precondition of a database availability group: a dial tone recovery
// of a database that still has a healthy passive copy takes users' mail away when one
// command (Move-ActiveMailboxDatabase) would bring it back, so it is refused, naming
// the copy, unless the recovery says why in ignore_healthy_copies. ok is false when the
// database has no copies, declared or reported.
func copyCheck(rc *recCtx, cfg *config.Config, st *state.State) (Precondition, bool) {
	name := rc.failed.Name
	var declared []string
	if d := cfg.Databases[name]; d != nil {
		for _, c := range d.Copies {
			declared = append(declared, c.Name)
		}
	}
	obs := st.Databases[name]
	if obs == nil || len(obs.Copies) == 0 {
		if len(declared) == 0 {
			return Precondition{}, false
		}
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy (copies declared on %s; the state reports none)", name, strings.Join(declared, ", ")),
			Result:      ResultUnknown,
			Fix:         "Run \"dialtone refresh\" so that the state knows the copies' status (Get-MailboxDatabaseCopyStatus).",
		}, true
	}
	var healthy, others []string
	for _, c := range obs.Copies {
		if c.Healthy {
			healthy = append(healthy, c.Server)
			continue
		}
		status := c.Status
		if status == "" {
			status = "not healthy"
		}
		others = append(others, c.Server+": "+status)
	}
	if len(healthy) == 0 {
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy (%s): dial tone is the way back", name, strings.Join(others, ", ")),
			Result:      ResultOK,
		}, true
	}
	activate := fmt.Sprintf("Move-ActiveMailboxDatabase %s -ActivateOnServer %s", name, healthy[0])
	if reason := rc.rec.IgnoreHealthyCopies; reason != "" {
		return Precondition{
			Description: fmt.Sprintf("%s has a healthy passive copy on %s, not activated because (ignore_healthy_copies): %s", name, strings.Join(healthy, ", "), reason),
			Result:      ResultOK,
		}, true
	}
	return Precondition{
		Description: fmt.Sprintf("%s has no healthy passive copy (%s holds a healthy copy)", name, strings.Join(healthy, ", ")),
		Result:      ResultFailed,
		Fix: fmt.Sprintf("Activate the copy instead: %s brings users' mailboxes back with their mail, where a dial tone recovery takes it away until the restore. "+
			"If that copy must not be used (lagged, suspect), say why in recovery.%s's ignore_healthy_copies = \"...\": every plan shows it.", activate, rc.name),
	}, true
}
