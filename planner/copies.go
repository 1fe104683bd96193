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

// topologyNotes say, in every plan of the recovery, what the organization's shape
// changes: a healthy copy passed over and why, the copies the dial tone database does
// not have, and a dial tone database in another site than the failed one.
func (rc *recCtx) topologyNotes(cfg *config.Config, st *state.State) {
	name := rc.failed.Name
	var servers []string
	healthy := false
	if obs := st.Databases[name]; obs != nil && len(obs.Copies) > 0 {
		for _, c := range obs.Copies {
			servers = append(servers, c.Server)
			healthy = healthy || c.Healthy
		}
	} else if d := cfg.Databases[name]; d != nil {
		for _, c := range d.Copies {
			servers = append(servers, c.Name)
		}
	}
	if healthy && rc.rec.IgnoreHealthyCopies != "" {
		rc.notes = append(rc.notes, fmt.Sprintf("%s has a healthy passive copy that this recovery does not activate (ignore_healthy_copies): %s", name, rc.rec.IgnoreHealthyCopies))
	}
	if len(servers) > 0 {
		rc.notes = append(rc.notes, fmt.Sprintf("%s had copies on %s; %s is created without copies. Once users are on their final database, adding its copies back "+
			"(Add-MailboxDatabaseCopy for each server, then seeding, outside this plan) restores the availability group's protection",
			name, strings.Join(servers, ", "), rc.dt.Name))
	}
	failedSite, dtSite := serverSite(cfg, st, rc.failed.Server), serverSite(cfg, st, rc.dt.Server)
	if failedSite != "" && dtSite != "" && !strings.EqualFold(failedSite, dtSite) {
		rc.notes = append(rc.notes, fmt.Sprintf("%s is in site %s, %s in site %s: users' clients reach their mailboxes in another site; "+
			"the namespace and Autodiscover must answer for %s (or proxy to it), and Outlook profiles not set by Autodiscover need changing",
			rc.dt.Name, dtSite, name, failedSite, dtSite))
	}
}

// serverSite is a server's Active Directory site as the state or the configuration
// knows it ("" when neither does).
func serverSite(cfg *config.Config, st *state.State, server string) string {
	if s := st.Servers[server]; s != nil && s.Site != "" {
		return s.Site
	}
	if s := cfg.Servers[server]; s != nil {
		return s.Site
	}
	return ""
}
