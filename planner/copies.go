package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// copyCheck is the precondition of a database availability group: a dial tone recovery
// of a database that still has a healthy passive copy takes users' mail away when one
// command (Move-ActiveMailboxDatabase) would bring it back, so it is refused, naming
// the copy, unless the recovery says why in ignore_healthy_copies. A copy in a state
// that passes (Initializing, Resynchronizing, Seeding, Suspended: it may be activatable
// in minutes) is refused the same way: waiting loses time, a dial tone loses mail for
// days. A declared copy the state does not report is unknown unless its server is down.
// ok is false when the database has no copies, declared or reported.
func copyCheck(rc *recCtx, cfg *config.Config, st *state.State) (Precondition, bool) {
	name := rc.failed.Name
	var declared []string
	if d := cfg.Databases[name]; d != nil {
		for _, c := range d.Copies {
			declared = append(declared, c.Name)
		}
	}
	var reported []state.DatabaseCopy
	if obs := st.Databases[name]; obs != nil {
		reported = obs.Copies
	}
	if len(declared) == 0 && len(reported) == 0 {
		return Precondition{}, false
	}
	if len(reported) == 0 {
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy (copies declared on %s; the state reports none)", name, strings.Join(declared, ", ")),
			Result:      ResultUnknown,
			Fix:         "Run \"dialtone refresh\" so that the state knows the copies' status (Get-MailboxDatabaseCopyStatus).",
		}, true
	}
	var healthy []state.DatabaseCopy
	var waiting, others, unknown []string
	seen := map[string]bool{}
	for _, c := range reported {
		seen[strings.ToLower(c.Server)] = true
		status := c.Status
		if status == "" {
			status = "not healthy"
		}
		switch {
		case c.Healthy:
			healthy = append(healthy, c)
		case passingCopyStatus[strings.ToLower(c.Status)]:
			waiting = append(waiting, c.Server+": "+status)
		default:
			others = append(others, c.Server+": "+status)
		}
	}
	for _, srv := range declared {
		if seen[strings.ToLower(srv)] {
			continue
		}
		if s := st.Servers[srv]; s != nil && !s.Up {
			others = append(others, srv+": server down")
		} else {
			unknown = append(unknown, srv)
		}
	}
	reason := rc.rec.IgnoreHealthyCopies
	if len(healthy) > 0 {
		var servers []string
		for _, c := range healthy {
			servers = append(servers, c.Server+copyRemark(c))
		}
		if reason != "" {
			return Precondition{
				Description: fmt.Sprintf("%s has a healthy passive copy on %s, not activated because (ignore_healthy_copies): %s", name, strings.Join(servers, ", "), reason),
				Result:      ResultOK,
			}, true
		}
		// The copy to name: one Active Manager would activate by itself (neither lagged
		// nor blocked) before a lagged or blocked one, which still holds the mail.
		best := healthy[0]
		for _, c := range healthy {
			if c.ReplayLag == "" && !c.ActivationSuspended {
				best = c
				break
			}
		}
		activate := fmt.Sprintf("Move-ActiveMailboxDatabase %s -ActivateOnServer %s", name, best.Server)
		notes := ""
		if best.ReplayLag != "" {
			// learn.microsoft.com/exchange/high-availability/manage-ha/activate-lagged-db-copies
			// and manage-database-copies ("Lagged copies aren't considered highly available copies").
			activate += " -SkipLagChecks"
			notes += fmt.Sprintf(" The copy on %s is a lagged copy (ReplayLagTime %s): Microsoft does not count lagged copies as highly available copies; "+
				"activated with -SkipLagChecks, it first replays every log it holds (hours for a long lag, at two or more logs a second) and its lagged point in time, "+
				"kept against logical corruption, is gone (copy its files first to keep it; Microsoft's procedure: "+
				"https://learn.microsoft.com/exchange/high-availability/manage-ha/activate-lagged-db-copies).", best.Server, best.ReplayLag)
		}
		if best.ActivationSuspended {
			notes += fmt.Sprintf(" Activation of the copy on %s is suspended (ActivationSuspended, set by an admin who suspended it for activation only): it is kept from being activated "+
				"by Active Manager (Microsoft's examples: a lagged copy, a standby datacenter, maintenance), and such a copy is activated only by an administrator, by hand; "+
				"find out why before using it (https://learn.microsoft.com/exchange/high-availability/manage-ha/configure-activation-policies).", best.Server)
		}
		if ci := best.ContentIndex; ci != "" && !strings.EqualFold(ci, "Healthy") {
			// Move-ActiveMailboxDatabase checks the search catalog unless told not to;
			// the mail is in the copy either way (learn.microsoft.com/exchange/high-availability/manage-ha/activate-db-copies).
			activate += " -SkipClientExperienceChecks"
			notes += fmt.Sprintf(" The copy's search catalog is %s: the switch skips its check, and the catalog must then be re-crawled or reseeded.", ci)
		}
		holds := "holds a healthy copy"
		switch {
		case best.ReplayLag != "" && best.ActivationSuspended:
			holds = "holds a lagged copy (replay lag " + best.ReplayLag + ") whose activation is suspended: it has the mail, some of it in logs not yet replayed"
		case best.ReplayLag != "":
			holds = "holds a lagged copy (replay lag " + best.ReplayLag + "): it has the mail, some of it in logs not yet replayed"
		case best.ActivationSuspended:
			holds = "holds a healthy copy whose activation is suspended"
		}
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy (%s %s)", name, best.Server, holds),
			Result:      ResultFailed,
			Fix: fmt.Sprintf("Activate the copy instead: %s brings users' mailboxes back with their mail, where a dial tone recovery takes it away until the restore.%s "+
				"If that copy must not be used (lagged, suspect), say why in recovery.%s's ignore_healthy_copies = \"...\": every plan shows it.", activate, notes, rc.name),
		}, true
	}
	if len(waiting) > 0 {
		if reason != "" {
			return Precondition{
				Description: fmt.Sprintf("%s has a passive copy that may become healthy (%s), not waited for because (ignore_healthy_copies): %s", name, strings.Join(waiting, ", "), reason),
				Result:      ResultOK,
			}, true
		}
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy (%s may become healthy)", name, strings.Join(waiting, ", ")),
			Result:      ResultFailed,
			Fix: fmt.Sprintf("Wait until Get-MailboxDatabaseCopyStatus %s reports the copy Healthy (a suspended copy must be resumed first), run \"dialtone refresh\" and activate it with "+
				"Move-ActiveMailboxDatabase %s -ActivateOnServer SERVER: users keep their mail. If it must not be used, say why in recovery.%s's ignore_healthy_copies = \"...\": every plan shows it.",
				name, name, rc.name),
		}, true
	}
	if len(unknown) > 0 {
		return Precondition{
			Description: fmt.Sprintf("%s has no healthy passive copy reported (%s; nothing reports the copies declared on %s)", name, strings.Join(others, ", "), strings.Join(unknown, ", ")),
			Result:      ResultUnknown,
			Fix:         "Run \"dialtone refresh\" once those servers answer Get-MailboxDatabaseCopyStatus, or remove them from the database's copies if they hold none.",
		}, true
	}
	return Precondition{
		Description: fmt.Sprintf("%s has no healthy passive copy (%s): dial tone is the way back", name, strings.Join(others, ", ")),
		Result:      ResultOK,
	}, true
}

// copyRemark says, after a copy's server, what keeps Active Manager from activating a
// healthy copy by itself: its replay lag, its activation suspended ("" for neither).
func copyRemark(c state.DatabaseCopy) string {
	var r []string
	if c.ReplayLag != "" {
		r = append(r, "lagged "+c.ReplayLag)
	}
	if c.ActivationSuspended {
		r = append(r, "activation suspended")
	}
	if len(r) == 0 {
		return ""
	}
	return " (" + strings.Join(r, ", ") + ")"
}

// passingCopyStatus are the copy statuses that pass into Healthy on their own or once an
// admin resumes the copy (learn.microsoft.com/exchange/high-availability/manage-ha/monitor-dags).
var passingCopyStatus = map[string]bool{
	"initializing": true, "resynchronizing": true, "seeding": true, "singlepagerestore": true, "suspended": true,
}

// topologyNotes say, in every plan of the recovery, what the organization's shape
// changes: a healthy copy passed over and why, the copies the dial tone database does
// not have, and a dial tone database in another site than the failed one.
func (rc *recCtx) topologyNotes(cfg *config.Config, st *state.State) {
	name := rc.failed.Name
	servers := rc.copyServers // recorded, reported and declared: known once the failed database's object is gone
	healthy := false
	if obs := st.Databases[name]; obs != nil {
		for _, c := range obs.Copies {
			healthy = healthy || c.Healthy
		}
	}
	if healthy && rc.rec.IgnoreHealthyCopies != "" {
		rc.notes = append(rc.notes, fmt.Sprintf("%s has a healthy passive copy that this recovery does not activate (ignore_healthy_copies): %s", name, rc.rec.IgnoreHealthyCopies))
	}
	if len(servers) > 0 {
		rc.notes = append(rc.notes, fmt.Sprintf("%s had copies on %s; %s is created without copies. Adding them back to %s "+
			"(Add-MailboxDatabaseCopy for each server, then seeding) is the manual step add_copies_back at the end of stage complete: "+
			"dialtone's cmdlet reference holds no Add-MailboxDatabaseCopy, so no checked command line does it",
			name, strings.Join(servers, ", "), rc.dt.Name, rc.finalDatabase().Name))
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

// failedCopyServers are the servers that held copies of the failed database: those the
// recovery's state recorded (state.Recovery.CopyServers), those the state reports and
// those the configuration declares, each once, in that order. unrecorded are the ones
// the recovery's state has not recorded yet: the recovery's first planned step records
// them (recordCopyServers), so that add_copies_back keeps them once the failed
// database's object is removed, whether or not the configuration declares copies.
func failedCopyServers(cfg *config.Config, st *state.State, recovery, name string) (all, unrecorded []string) {
	var recorded []string
	if r := st.Recoveries[recovery]; r != nil {
		recorded = r.CopyServers
	}
	has := func(list []string, srv string) bool {
		return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, srv) })
	}
	add := func(srv string, known bool) {
		if srv == "" || has(all, srv) {
			return
		}
		all = append(all, srv)
		if !known {
			unrecorded = append(unrecorded, srv)
		}
	}
	for _, srv := range recorded {
		add(srv, true)
	}
	if d := st.Databases[name]; d != nil {
		for _, c := range d.Copies {
			add(c.Server, false)
		}
	}
	if d := cfg.Databases[name]; d != nil {
		for _, c := range d.Copies {
			add(c.Name, false)
		}
	}
	return all, unrecorded
}

// recordCopyServers puts the copy servers each recovery's state has not recorded on the
// recovery's first step in p (the first of its dial tone stage, for a recovery that
// starts): apply journals them with that step's completion, in the same record
// (effects), and confirm with a manual one (Confirm). Later plans find them recorded.
func recordCopyServers(p *Plan, rcs map[string]*recCtx) {
	first := map[string]bool{}
	for _, s := range p.Steps {
		if first[s.Recovery] {
			continue
		}
		first[s.Recovery] = true
		if rc := rcs[s.Recovery]; rc != nil && len(rc.unrecordedCopies) > 0 {
			s.RecordCopyServers = append([]string(nil), rc.unrecordedCopies...)
		}
	}
}

// copyServersChange is the state change that records s's copy servers (none: nil).
func copyServersChange(s *Step) []state.Change {
	if len(s.RecordCopyServers) == 0 {
		return nil
	}
	return []state.Change{{CopyServers: &state.CopyServers{Recovery: s.Recovery, Servers: append([]string(nil), s.RecordCopyServers...)}}}
}

// finalDatabase is the database users are on for good once the recovery is complete:
// the dial tone database (under final_name, if set), or the failed database itself
// when alternate_server brings users home to it.
func (rc *recCtx) finalDatabase() dbSpec {
	if !rc.usersStayOnDialTone() {
		return rc.failed
	}
	d := rc.dt
	if rc.finalName != "" {
		d.Name = rc.finalName
	}
	return d
}

// addCopiesBack is the last step of the recovery of a replicated database: the users'
// final database gets the failed database's copies back. Always manual:
// Add-MailboxDatabaseCopy is not in dialtone's cmdlet reference file (providers/ems), so
// no command line dialtone emits may use it; the runbook shows it as comments. nil when
// the failed database had no copies.
func (rc *recCtx) addCopiesBack() *Step {
	final := rc.finalDatabase()
	var servers []string
	for _, srv := range rc.copyServers {
		if !strings.EqualFold(srv, final.Server) { // a server never holds a passive copy of its own active database
			servers = append(servers, srv)
		}
	}
	if len(servers) == 0 {
		return nil
	}
	const procedure = "https://learn.microsoft.com/exchange/high-availability/manage-ha/add-db-copies"
	reseed := ""
	if strings.EqualFold(final.Name, rc.failed.Name) {
		// Users go home to the failed database, whose copies' objects may remain (Failed).
		reseed = fmt.Sprintf("; where Get-MailboxDatabaseCopyStatus %s still lists a failed copy on that server, reseed that copy instead", final.Name)
	}
	instructions := fmt.Sprintf("Give %s the availability group's protection %s had: on each of %s, add a passive copy of %s and seed it "+
		"(Add-MailboxDatabaseCopy -Identity %s -MailboxServer SERVER, which seeds from the active copy%s). "+
		"Before: %s is mounted, its paths (%s, %s) are free on those servers (every copy uses the same paths), and its circular logging is off while the first copy is added. "+
		"After: Get-MailboxDatabaseCopyStatus %s shows each copy's Status and ContentIndexState Healthy. Microsoft's procedure: %s. Then run \"dialtone refresh\" and confirm this step.",
		final.Name, rc.failed.Name, strings.Join(servers, ", "), final.Name, final.Name, reseed, final.Name, final.Edb, final.Logs, final.Name, procedure)
	lines := []string{psComment("Manual: Add-MailboxDatabaseCopy is outside dialtone's cmdlet reference; " + procedure)}
	for _, srv := range servers {
		lines = append(lines, psComment("Add-MailboxDatabaseCopy -Identity "+psQuote(final.Name)+" -MailboxServer "+psQuote(srv)))
	}
	lines = append(lines, psComment("Get-MailboxDatabaseCopyStatus -Identity "+psQuote(final.Name)))
	s := rc.newStep("add_copies_back", stComplete, 14, PhaseCleanUp, RiskReversible,
		providers.Operation{Kind: providers.OpAddCopies, Database: final.Name, Servers: servers, Instructions: instructions},
		"Add "+final.Name+"'s passive copies on "+strings.Join(servers, ", ")+" and seed them (by hand: Add-MailboxDatabaseCopy)", lines...)
	s.Manual = true
	return s
}
