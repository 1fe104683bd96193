package planner_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// copyCheckIn is the passive-copy precondition of a plan.
func copyCheckIn(t *testing.T, p *planner.Plan) planner.Precondition {
	t.Helper()
	for _, s := range p.Steps {
		for _, c := range s.Preconditions {
			if strings.Contains(c.Description, "passive copy") {
				return c
			}
		}
	}
	t.Fatal("no passive-copy check in the plan")
	return planner.Precondition{}
}

// dagCase is the example recovery of DB01 with copies declared on EX02 and EX03 and the
// copies the state reports; down names a server the state reports down.
func dagCase(t *testing.T, reported []state.DatabaseCopy, down string) planner.Precondition {
	t.Helper()
	cfg := plantest.Config(config.StageDialTone)
	st := plantest.State(3)
	for _, n := range []string{"EX02", "EX03"} {
		cfg.Servers[n] = &config.Server{Name: n, Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}
		st.Servers[n] = &state.Server{Name: n, Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: n != down}
		cfg.Databases["DB01"].Copies = append(cfg.Databases["DB01"].Copies, config.Addr{Kind: "server", Name: n})
	}
	st.Databases["DB01"].Copies = reported
	p, _ := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{})
	return copyCheckIn(t, p)
}

// TestCopyCheckStates: what each reported copy state makes of the recovery.
func TestCopyCheckStates(t *testing.T) {
	failed := state.DatabaseCopy{Server: "EX02", Status: "Failed"}
	for _, tc := range []struct {
		name     string
		reported []state.DatabaseCopy
		down     string
		result   string
		want     string
	}{
		{"every copy lost", []state.DatabaseCopy{failed, {Server: "EX03", Status: "ServiceDown"}}, "", planner.ResultOK, "dial tone is the way back"},
		{"a declared copy on a server that is down", []state.DatabaseCopy{failed}, "EX03", planner.ResultOK, "EX03: server down"},
		{"a declared copy nothing reports", []state.DatabaseCopy{failed}, "", planner.ResultUnknown, "nothing reports the copies declared on EX03"},
		{"a copy resynchronizing", []state.DatabaseCopy{failed, {Server: "EX03", Status: "Resynchronizing"}}, "", planner.ResultFailed, "EX03: Resynchronizing may become healthy"},
		{"a healthy copy", []state.DatabaseCopy{failed, {Server: "EX03", Status: "DisconnectedAndHealthy", Healthy: true, ContentIndex: "Healthy"}}, "", planner.ResultFailed, "EX03 holds a healthy copy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dagCase(t, tc.reported, tc.down)
			if c.Result != tc.result || !strings.Contains(c.Description, tc.want) {
				t.Fatalf("check %+v, want %s with %q", c, tc.result, tc.want)
			}
		})
	}
}

// TestReplicatedDatabasePathsStay: a configuration that gives a database with copies
// other paths than Exchange has is refused, naming Microsoft's rule (Move-DatabasePath
// can't be run against a replicated database).
func TestReplicatedDatabasePathsStay(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	st := plantest.State(3)
	cfg.Servers["EX02"] = &config.Server{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}
	st.Servers["EX02"] = &state.Server{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	cfg.Databases["DB01"].Copies = []config.Addr{{Kind: "server", Name: "EX02"}}
	st.Databases["DB01"].Copies = []state.DatabaseCopy{{Server: "EX02", Status: "Failed"}}
	mustPlan(t, cfg, st) // the same paths: the recovery goes ahead
	cfg.Databases["DB01"].EdbFilePath = `G:\Moved\DB01\DB01.edb`
	d := failedCheck(t, cfg, st, "DB01 keeps its paths (it has copies on EX02")
	wantDetail(t, d, "Move-DatabasePath can't be run against a replicated database", `G:\Moved\DB01\DB01.edb`, "removes all its copies first")
}

// TestSwapRefusedUnderCopies: copies added to the dial tone database while users were on
// it make the swap (which replaces its files) refused until they are removed.
func TestSwapRefusedUnderCopies(t *testing.T) {
	st := stateAt(t, config.StageDialTone, 3)
	mustPlan(t, plantest.Config(config.StageSwapped), st)
	st.Servers["EX02"] = &state.Server{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	st.Databases["DTDB01"].Copies = []state.DatabaseCopy{{Server: "EX02", Status: "Healthy", Healthy: true}}
	d := failedCheck(t, plantest.Config(config.StageSwapped), st, "DTDB01 has no passive copies (it has copies on EX02)")
	wantDetail(t, d, "Move-DatabasePath can't be run against a replicated database", "Remove DTDB01's copies first")
}

// TestCopyServersRecordedAtDialTone: a replicated database whose copies the
// configuration does not declare. The recovery's first step carries the copy servers
// the state reports, and apply journals them in that step's own record; once the
// failed database's object is gone from the state (removed at complete, before the
// copies are added back), the plan still has add_copies_back, from the record.
func TestCopyServersRecordedAtDialTone(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	cfg.Recoveries["db01-outage"].Restore = &config.Restore{Backup: "none", AcceptDataLoss: true}
	st := plantest.State(3)
	cfg.Servers["EX02"] = &config.Server{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}
	st.Servers["EX02"] = &state.Server{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	st.Databases["DB01"].Copies = []state.DatabaseCopy{{Server: "EX02", Status: "Failed"}}

	p := mustPlan(t, cfg, st)
	for i, s := range p.Steps {
		want := []string(nil)
		if i == 0 {
			want = []string{"EX02"}
		}
		if !slices.Equal(s.RecordCopyServers, want) {
			t.Fatalf("step %d %s records copy servers %v, want %v", i, s.ID, s.RecordCopyServers, want)
		}
	}
	j := &plantest.Journal{}
	if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, j, nil, planner.ApplyOptions{Parallelism: 1}); err != nil {
		t.Fatal(err)
	}
	first := j.StepRecords()[0]
	if len(first) < 2 || first[len(first)-2].CopyServers == nil || first[len(first)-1].StepDone == nil ||
		first[len(first)-1].StepDone.Record.ID != p.Steps[0].ID {
		t.Fatalf("the first step's record does not hold its copy servers: %+v", first)
	}
	if got := st.Recoveries["db01-outage"].CopyServers; !slices.Equal(got, []string{"EX02"}) {
		t.Fatalf("recorded copy servers %v", got)
	}

	// Stage complete: the failed database's object is removed first; the state then
	// knows nothing of its copies, and the configuration declares none.
	cfg.Recoveries["db01-outage"].Stage = config.StageComplete
	p = mustPlan(t, cfg, st)
	if p.Steps[0].ID != "recovery.db01-outage.remove_failed_database" || p.Steps[0].RecordCopyServers != nil {
		t.Fatalf("first step at complete: %+v", p.Steps[0])
	}
	delete(st.Databases, "DB01")
	st.Recoveries["db01-outage"].Steps[p.Steps[0].ID] = &state.StepRecord{ID: p.Steps[0].ID, Result: planner.RecordDone}
	p = mustPlan(t, cfg, st)
	last := p.Steps[len(p.Steps)-1]
	if last.ID != "recovery.db01-outage.add_copies_back" || !slices.Equal(last.Operation.Servers, []string{"EX02"}) || last.Operation.Database != "DTDB01" {
		t.Fatalf("after the failed database's removal the plan ends with %s %+v", last.ID, last.Operation)
	}
}

// TestConfirmAddCopiesWantsHealthyCopies: confirm of add_copies_back passes only when
// every copy is there and healthy (an Active Manager status); a copy object Exchange
// kept Failed or ServiceDown, or one still Seeding, does not count.
func TestConfirmAddCopiesWantsHealthyCopies(t *testing.T) {
	step := &planner.Step{ID: "recovery.r.add_copies_back", Manual: true,
		Operation: providers.Operation{Kind: providers.OpAddCopies, Database: "DTDB01", Servers: []string{"EX02", "EX03"}}}
	healthy := state.DatabaseCopy{Server: "EX02", Status: "Healthy", Healthy: true}
	for _, tc := range []struct {
		name   string
		copies []state.DatabaseCopy
		ok     bool
		want   string
	}{
		{"both healthy", []state.DatabaseCopy{healthy, {Server: "ex03", Status: "DisconnectedAndHealthy", Healthy: true}}, true, "DTDB01 has healthy copies on EX02, EX03"},
		{"one missing", []state.DatabaseCopy{healthy}, false, "DTDB01 has no copy on EX03"},
		{"a stale failed object", []state.DatabaseCopy{healthy, {Server: "EX03", Status: "Failed"}}, false, "DTDB01's copies are not healthy (EX03: Failed;"},
		{"server down", []state.DatabaseCopy{healthy, {Server: "EX03", Status: "ServiceDown"}}, false, "(EX03: ServiceDown;"},
		{"still seeding", []state.DatabaseCopy{{Server: "EX02", Status: "Seeding"}, {Server: "EX03", Status: "Healthy", Healthy: true}}, false, "(EX02: Seeding;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := state.New("l")
			st.Databases["DTDB01"] = &state.Database{Name: "DTDB01", Server: "EX01", Copies: tc.copies}
			seen, ok := planner.ConfirmSeen(step, st)
			if ok != tc.ok || !strings.Contains(seen, tc.want) {
				t.Fatalf("ConfirmSeen: %q, %t; want %t with %q", seen, ok, tc.ok, tc.want)
			}
		})
	}
}

// TestLaggedAndActivationSuspendedCopies: a lagged copy (ReplayLagTime > 0) or one whose
// activation is suspended still holds the mail, so the dial tone is refused, but the
// plan says what the copy is: a copy Active Manager would activate by itself is named
// first; a lagged one is activated with -SkipLagChecks, replaying its logs and losing
// its point in time (Microsoft: lagged copies are not highly available copies); a
// blocked one is activated only by hand.
func TestLaggedAndActivationSuspendedCopies(t *testing.T) {
	lagged := state.DatabaseCopy{Server: "EX02", Status: "Healthy", Healthy: true, ContentIndex: "Healthy", ReplayLag: "7.00:00:00"}
	blocked := state.DatabaseCopy{Server: "EX03", Status: "Healthy", Healthy: true, ContentIndex: "Healthy", ActivationSuspended: true}
	plain := state.DatabaseCopy{Server: "EX03", Status: "Healthy", Healthy: true, ContentIndex: "Healthy"}
	both := lagged
	both.ActivationSuspended = true
	for _, tc := range []struct {
		name       string
		reported   []state.DatabaseCopy
		desc       string
		fix, notin []string
	}{
		{"a plain copy is named before a lagged one", []state.DatabaseCopy{lagged, plain}, "EX03 holds a healthy copy)",
			[]string{"Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX03 brings"}, []string{"-SkipLagChecks", "lagged copy"}},
		{"only a lagged copy", []state.DatabaseCopy{lagged, {Server: "EX03", Status: "Failed"}}, "EX02 holds a lagged copy (replay lag 7.00:00:00): it has the mail",
			[]string{"Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX02 -SkipLagChecks brings", "not count lagged copies as highly available", "activate-lagged-db-copies"}, []string{"suspended"}},
		{"only a blocked copy", []state.DatabaseCopy{{Server: "EX02", Status: "Failed"}, blocked}, "EX03 holds a healthy copy whose activation is suspended",
			[]string{"Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX03 brings", "Activation of the copy on EX03 is suspended", "only by an administrator, by hand"}, []string{"-SkipLagChecks"}},
		{"a lagged and blocked copy", []state.DatabaseCopy{both, {Server: "EX03", Status: "ServiceDown"}}, "EX02 holds a lagged copy (replay lag 7.00:00:00) whose activation is suspended",
			[]string{"-ActivateOnServer EX02 -SkipLagChecks brings", "Activation of the copy on EX02 is suspended"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dagCase(t, tc.reported, "")
			if c.Result != planner.ResultFailed || !strings.Contains(c.Description, tc.desc) {
				t.Fatalf("check %+v, want refused with %q", c, tc.desc)
			}
			for _, w := range tc.fix {
				if !strings.Contains(c.Fix, w) {
					t.Errorf("fix %q lacks %q", c.Fix, w)
				}
			}
			for _, w := range tc.notin {
				if strings.Contains(c.Fix, w) {
					t.Errorf("fix %q has %q", c.Fix, w)
				}
			}
		})
	}
}
