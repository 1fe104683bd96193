package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Precondition results.
const (
	ResultOK      = "ok"
	ResultFailed  = "failed"
	ResultAtApply = "at_apply" // cannot be known until apply
)

// HasChanges reports whether the plan has any step to carry out.
func (p *Plan) HasChanges() bool { return p != nil && len(p.Steps) > 0 }

// FailedPreconditions lists "STEP_ID: description" for every precondition that failed
// at plan time, in plan order. Apply refuses a plan while this is not empty.
func (p *Plan) FailedPreconditions() []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		for _, c := range s.Preconditions {
			if c.Result == ResultFailed {
				out = append(out, s.ID+": "+c.Description)
			}
		}
	}
	return out
}

// mountTracker follows, in plan order, what is mounted on each server: the state's
// databases plus what the plan itself mounts and dismounts before that point.
type mountTracker struct {
	mounted map[string]string          // ordinary database -> server
	count   map[string]int             // server -> mounted ordinary databases
	rdbs    map[string]map[string]bool // server -> mounted recovery databases
}

func newMountTracker(st *state.State) *mountTracker {
	t := &mountTracker{mounted: map[string]string{}, count: map[string]int{}, rdbs: map[string]map[string]bool{}}
	for name, db := range st.Databases {
		if db == nil || !db.Mounted {
			continue
		}
		if db.Recovery {
			t.rdb(db.Server)[name] = true
		} else {
			t.mounted[name] = db.Server
			t.count[db.Server]++
		}
	}
	return t
}

func (t *mountTracker) rdb(server string) map[string]bool {
	m := t.rdbs[server]
	if m == nil {
		m = map[string]bool{}
		t.rdbs[server] = m
	}
	return m
}

// checkPreconditions records the plan-time checks on the steps they gate, in plan order,
// and returns a warning for each failed one.
func checkPreconditions(p *Plan, rcs map[string]*recCtx, cfg *config.Config, st *state.State) hcl.Diagnostics {
	var diags hcl.Diagnostics
	mounts := newMountTracker(st)
	seen := map[string]bool{}         // recoveries whose first step was checked
	seenDialTone := map[string]bool{} // recoveries whose first dial_tone step was checked

	add := func(rc *recCtx, s *Step, ok bool, desc, fix string) {
		res := ResultOK
		if !ok {
			res = ResultFailed
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Precondition failed",
				Detail:   fmt.Sprintf("%s: %s. %s", s.ID, desc, fix),
				Subject:  rc.rec.DeclRange.Ptr(),
			})
		}
		s.Preconditions = append(s.Preconditions, Precondition{Description: desc, Result: res})
	}

	for _, s := range p.Steps {
		rc := rcs[s.Recovery]
		if rc == nil {
			continue
		}
		if !seen[rc.name] {
			seen[rc.name] = true
			servers := []string{rc.dt.Server}
			if rc.rdb.Server != rc.dt.Server {
				servers = append(servers, rc.rdb.Server)
			}
			for _, srv := range servers {
				up := st.Servers[srv] != nil && st.Servers[srv].Up
				add(rc, s, up, "server "+srv+" is up",
					"dialtone works through "+srv+"; bring it back (or run \"dialtone refresh\" if it is up) before applying.")
			}
		}
		if s.Stage == config.StageDialTone && !seenDialTone[rc.name] {
			seenDialTone[rc.name] = true
			switch {
			case !rc.failedKnown:
				add(rc, s, false, rc.failed.Name+" is recorded in the state",
					"Run \"dialtone refresh\" so that the state knows the failed database.")
			case rc.failedMounted:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Failed database is mounted",
					Detail: fmt.Sprintf("%s is mounted; a dial tone recovery starts from a failed database. "+
						"Check that recovery.%s names the right database, or run \"dialtone refresh\" if it has failed since.", rc.failed.Name, rc.name),
					Subject: rc.rec.DatabaseRange.Ptr(),
				})
				s.Preconditions = append(s.Preconditions, Precondition{Description: rc.failed.Name + " is not mounted (it has failed)", Result: ResultFailed})
			default:
				add(rc, s, true, rc.failed.Name+" is not mounted (it has failed)", "")
			}
		}

		key := strings.TrimPrefix(s.ID, "recovery."+rc.name+".")
		op := s.Operation
		switch {
		case key == "restore_backup":
			if rc.rec.Restore.Backup == "" {
				add(rc, s, false, "a backup set of "+rc.failed.Name+" is named",
					"Set restore.backup to the backup set to restore.")
			} else {
				s.Preconditions = append(s.Preconditions, Precondition{
					Description: "backup set " + rc.rec.Restore.Backup + " of " + rc.failed.Name + " exists",
					Result:      ResultAtApply,
				})
			}
		case op.Kind == providers.OpMountDatabase && op.Database == rc.rdb.Name:
			others := []string{}
			for name := range mounts.rdb(op.Server) {
				if name != op.Database {
					others = append(others, name)
				}
			}
			sortStrings(others)
			desc := "no other recovery database is mounted on " + op.Server
			if len(others) > 0 {
				desc += " (" + strings.Join(others, ", ") + " is)"
			}
			add(rc, s, len(others) == 0, desc,
				"Only one recovery database can be mounted on a server at a time; finish the other recovery's merge first, or put "+rc.rdb.Name+" on another server.")
			mounts.rdb(op.Server)[op.Database] = true
		case op.Kind == providers.OpDismountDatabase && op.Database == rc.rdb.Name:
			delete(mounts.rdb(op.Server), op.Database)
		case op.Kind == providers.OpMountDatabase:
			if srv, ok := mounts.mounted[op.Database]; ok && srv == op.Server {
				break // already mounted: the mount takes no new slot
			}
			limit, edition := mountLimit(cfg, st, op.Server)
			in := mounts.count[op.Server]
			add(rc, s, in+1 <= limit,
				fmt.Sprintf("a mount slot on %s for %s (%d of %d mounted databases in use, %s)", op.Server, op.Database, in, limit, edition),
				"Dismount or move a database on "+op.Server+" first, or raise its edition.")
			mounts.mounted[op.Database] = op.Server
			mounts.count[op.Server]++
		case op.Kind == providers.OpDismountDatabase:
			if srv, ok := mounts.mounted[op.Database]; ok {
				delete(mounts.mounted, op.Database)
				mounts.count[srv]--
			}
		}
	}
	return diags
}

// mountLimit is the number of mounted databases a server's edition allows
// (exchange-recovery.md 3.2); a trial or unknown edition behaves like Standard.
func mountLimit(cfg *config.Config, st *state.State, server string) (int, string) {
	edition := ""
	if s := st.Servers[server]; s != nil && s.Edition != "" {
		edition = s.Edition
	} else if s := cfg.Servers[server]; s != nil {
		edition = s.Edition
	}
	if strings.EqualFold(edition, "enterprise") {
		version, _ := serverBuild(cfg, st, server)
		if major, minor, build, ok := parseBuild(version); ok && major == 15 && minor == 0 && build < 712 {
			return 50, "enterprise, Exchange 2013 before CU2"
		}
		return 100, "enterprise"
	}
	if edition == "" {
		edition = "standard"
	}
	return 5, strings.ToLower(edition)
}
