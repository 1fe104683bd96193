package planner_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// Microsoft's "Restore data using a recovery database" restarts the Information Store
// after creating the recovery database and before mounting it (step 4, on 2013, 2016,
// 2019 and SE). Every option plans it once, in that place, on the recovery database's
// server, with the databases it interrupts named, their users counted and an outage
// window of its own; the runbook mounts each of them again.
func TestStoreRestartAfterCreatingTheRecoveryDatabase(t *testing.T) {
	for opt, p := range optionPlans(t) {
		t.Run(opt, func(t *testing.T) {
			ci, create := findStep(p, "create_recovery_database")
			ri, restart := findStep(p, "restart_information_store")
			if create == nil || restart == nil {
				t.Fatalf("steps %v", stepIDs(p))
			}
			mi := -1
			for i, s := range p.Steps {
				if s.Operation.Kind == providers.OpMountDatabase && s.Operation.Database == create.Operation.Database {
					mi = i
					break
				}
			}
			if !(ci < ri && ri < mi) || ri != mi-1 {
				t.Errorf("create %d, restart %d, first mount of %s %d: want the restart right before the mount", ci, ri, create.Operation.Database, mi)
			}
			n := 0
			for _, s := range p.Steps {
				if s.Operation.Kind == providers.OpRestartStore {
					n++
				}
			}
			op := restart.Operation
			if n != 1 || op.Server != create.Operation.Server || op.Database != create.Operation.Database || restart.Risk != planner.RiskOutage {
				t.Errorf("%d restarts; %+v, risk %s", n, op, restart.Risk)
			}
			if restart.Commands[0] != "Restart-Service -Name MSExchangeIS" || len(restart.Commands) != len(op.Databases)+1 {
				t.Errorf("commands %q for %v", restart.Commands, op.Databases)
			}
			for i, db := range op.Databases {
				if restart.Commands[i+1] != "Mount-Database -Identity '"+db+"'" || !strings.Contains(restart.Summary, db+" (") {
					t.Errorf("%s: command %q, summary %q", db, restart.Commands[i+1], restart.Summary)
				}
			}
			var w *planner.OutageWindow
			for i := range p.Outages {
				if p.Outages[i].Reason == planner.ReasonStoreRestart {
					w = &p.Outages[i]
				}
			}
			if restart.Mailboxes > 0 && (w == nil || w.FromStep != restart.ID || w.ToStep != restart.ID || w.Mailboxes != restart.Mailboxes) {
				t.Errorf("outage window %+v for %d mailboxes", w, restart.Mailboxes)
			}
			t.Logf("%s: %s", restart.ID, restart.Summary)
		})
	}
}

// Same server: the recovery database is on EX01 with the dial tone database (DB01's
// users, re-homed there) and DB02; the restart interrupts both, and their users.
func TestStoreRestartNamesWhatItInterrupts(t *testing.T) {
	p := mustPlan(t, plantest.Config(config.StageComplete), plantest.State(3))
	_, restart := findStep(p, "restart_information_store")
	if restart == nil {
		t.Fatalf("steps %v", stepIDs(p))
	}
	if !slices.Equal(restart.Operation.Databases, []string{"DB02", "DTDB01"}) {
		t.Errorf("interrupted %v, want DB02 and DTDB01", restart.Operation.Databases)
	}
	// DB02's own 3 mailboxes, and DB01's 3 (and its system mailboxes) now on DTDB01.
	if restart.Mailboxes < 6 || !strings.Contains(restart.Summary, "DTDB01 (") || !strings.Contains(restart.Summary, "DB02 (3 mailboxes)") {
		t.Errorf("%d mailboxes; summary %q", restart.Mailboxes, restart.Summary)
	}
	// A plan of stage restored alone, after dial tone was reached: the same impact.
	st := stateAt(t, config.StageDialTone, 3)
	p2 := mustPlan(t, plantest.Config(config.StageRestored), st)
	_, r2 := findStep(p2, "restart_information_store")
	if r2 == nil || !slices.Equal(r2.Operation.Databases, restart.Operation.Databases) {
		t.Errorf("after dial tone: %+v", r2)
	}
}

// Nothing acting on the restarted server's store runs beside the restart: in a site
// failure with two recoveries on each server, every step of another recovery that acts
// on that server (or a database there) waits for the restart or is waited for by it.
func TestStoreRestartIsABarrierOnItsServer(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 2, 3, config.StageComplete)
	p := mustPlan(t, cfg, st)
	anc := ancestors(p)
	dbServer := map[string]string{}
	for _, s := range p.Steps {
		if op := s.Operation; op.Database != "" && op.Server != "" {
			dbServer[op.Database] = op.Server
		}
	}
	restarts := 0
	for _, r := range p.Steps {
		if r.Operation.Kind != providers.OpRestartStore {
			continue
		}
		restarts++
		srv := r.Operation.Server
		for _, s := range p.Steps {
			if s.Recovery == r.Recovery || s.ID == r.ID {
				continue
			}
			op := s.Operation
			on := op.Server == srv || op.DestServer == srv || op.SourceServer == srv
			for _, db := range []string{op.Database, op.Target, op.Source} {
				on = on || db != "" && dbServer[db] == srv
			}
			if on && !anc[s.ID][r.ID] && !anc[r.ID][s.ID] {
				t.Errorf("%s may run beside %s (both on %s)", s.ID, r.ID, srv)
			}
		}
	}
	if restarts < 2 {
		t.Fatalf("%d store restarts in the site failure plan", restarts)
	}
}
