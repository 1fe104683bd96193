package exchange_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// dagTopology: DB01 on EX01 with copies on EX02 and EX03, DB02 on EX02 with a copy on
// EX01, DB03 on EX03 without copies.
var dagTopology = lab.Topology{
	Servers: []lab.ServerSpec{
		{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
		{Name: "EX02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
		{Name: "EX03", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"},
	},
	Databases: []lab.DatabaseSpec{
		{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, Copies: []string{"EX03", "EX02"}},
		{Name: "DB02", Server: "EX02", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`, Copies: []string{"EX01"}},
		{Name: "DB03", Server: "EX03", EdbFilePath: `D:\Databases\DB03\DB03.edb`, LogFolderPath: `D:\Databases\DB03\Logs`},
	},
}

// TestReadReportsCopies: a read through the double fills each database's passive copies
// with their status and content index (what import writes as copies and the planner
// checks), asking each server once, never each database.
func TestReadReportsCopies(t *testing.T) {
	r := newRig(t, dagTopology, 2, rigOpts{})
	if err := r.lab.FailDatabaseOn("DB01", "lost", "EX03"); err != nil {
		t.Fatal(err)
	}
	obs, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]state.DatabaseCopy{
		"DB01": {{Server: "EX02", Healthy: true, Status: "Healthy", ContentIndex: "Healthy"}, {Server: "EX03", Status: "Failed", ContentIndex: "Failed"}},
		"DB02": {{Server: "EX01", Healthy: true, Status: "Healthy", ContentIndex: "Healthy"}},
		"DB03": nil,
	}
	for db, w := range want {
		got, _ := json.Marshal(obs.Databases[db].Copies)
		exp, _ := json.Marshal(w)
		if string(got) != string(exp) {
			t.Errorf("%s: copies %s, want %s", db, got, exp)
		}
	}
	calls := r.callsOf(t, "Get-MailboxDatabaseCopyStatus")
	if len(calls) != 3 {
		t.Fatalf("Get-MailboxDatabaseCopyStatus ran %d times, want once per server (3): %+v", len(calls), calls)
	}
	for _, c := range calls {
		if _, ok := c.Args["server"]; !ok || c.Args["identity"] != nil {
			t.Errorf("Get-MailboxDatabaseCopyStatus not by -Server: %+v", c)
		}
	}
}

// TestReadCopiesOfADownServer: a DAG member that cannot answer does not stop the read;
// its copies are not reported (the double throws for it, as a dead server does).
func TestReadCopiesOfADownServer(t *testing.T) {
	r := newRig(t, dagTopology, 1, rigOpts{})
	if err := r.lab.FailServer("EX03"); err != nil {
		t.Fatal(err)
	}
	obs, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := obs.Databases["DB01"].Copies; len(c) != 1 || c[0].Server != "EX02" || !c[0].Healthy {
		t.Fatalf("DB01's copies with EX03 down: %+v", c)
	}
}

// copyDrill loads a DAG drill example, builds its lab behind the double, fails DB01 on
// the given server ("" every copy) and plans its dial tone stage from a refresh through
// the exchange provider.
func copyDrill(t *testing.T, example, failOn string, override map[string]any) (*rig, *config.Config, *state.State, *planner.Plan) {
	t.Helper()
	cfg := loadExample(t, "../../examples/drills/"+example)
	r := newRig(t, topologyOf(cfg), 4, rigOpts{})
	if override != nil {
		data, _ := json.Marshal(map[string]any{"copies": override})
		if err := os.WriteFile(filepath.Join(r.dir, "fakeshell.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.lab.DeliverToDatabase("DB01", 10); err != nil {
		t.Fatal(err)
	}
	if err := r.lab.Backup("DB01", cfg.Recoveries["db01-outage"].Restore.Backup); err != nil {
		t.Fatal(err)
	}
	if _, err := r.lab.DeliverToDatabase("DB01", 5); err != nil { // only in the logs
		t.Fatal(err)
	}
	if err := r.lab.FailDatabaseOn("DB01", "lost", failOn); err != nil {
		t.Fatal(err)
	}
	obs, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := state.New("6f1c7c9e-0000-4000-8000-00000000c0c0")
	st.Refresh(obs)
	p, _ := planner.Compute(cfg, st, r.prov.Capabilities(), planner.ComputeOptions{})
	return r, cfg, st, p
}

// copyCheckOf is the DAG precondition of the plan (description, fix, result).
func copyCheckOf(t *testing.T, p *planner.Plan) planner.Precondition {
	t.Helper()
	for _, s := range p.Steps {
		for _, c := range s.Preconditions {
			if strings.Contains(c.Description, "passive copy") {
				return c
			}
		}
	}
	t.Fatal("the plan has no passive-copy check")
	return planner.Precondition{}
}

// TestHealthyCopyRefusesDialToneThroughExchange: the active copy is lost, EX02's copy is
// healthy as Get-MailboxDatabaseCopyStatus reports it: the plan is refused, naming
// Move-ActiveMailboxDatabase.
func TestHealthyCopyRefusesDialToneThroughExchange(t *testing.T) {
	_, _, _, p := copyDrill(t, "copy-survives", "EX01", nil)
	c := copyCheckOf(t, p)
	if c.Result != planner.ResultFailed || !strings.Contains(c.Fix, "Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX02 brings") {
		t.Fatalf("check %+v", c)
	}
	if len(p.FailedPreconditions()) == 0 {
		t.Fatal("the plan is not refused")
	}
}

// TestCopyStatesThroughExchange: a healthy copy whose search catalog failed is still
// the way back (with -SkipClientExperienceChecks); a resynchronizing one is waited for.
func TestCopyStatesThroughExchange(t *testing.T) {
	_, _, _, p := copyDrill(t, "copy-survives", "EX01", map[string]any{`DB01\EX02`: map[string]string{"status": "Healthy", "content_index_state": "Failed"}})
	if c := copyCheckOf(t, p); c.Result != planner.ResultFailed || !strings.Contains(c.Fix, "-ActivateOnServer EX02 -SkipClientExperienceChecks") {
		t.Fatalf("catalog failed: check %+v", c)
	}
	_, _, _, p = copyDrill(t, "copy-survives", "EX01", map[string]any{`DB01\EX02`: map[string]string{"status": "Resynchronizing", "content_index_state": "Healthy"}})
	if c := copyCheckOf(t, p); c.Result != planner.ResultFailed || !strings.Contains(c.Description, "EX02: Resynchronizing may become healthy") {
		t.Fatalf("resynchronizing: check %+v", c)
	}
	_, _, _, p = copyDrill(t, "copy-survives", "EX01", map[string]any{`DB01\EX02`: map[string]string{"status": "FailedAndSuspended", "content_index_state": "Failed"}})
	if c := copyCheckOf(t, p); c.Result != planner.ResultOK {
		t.Fatalf("failed and suspended: check %+v", c)
	}
}

// TestEveryCopyLostThroughExchange: every copy of DB01 is lost; the refresh reports
// EX02's copy Failed and the recovery proceeds through every stage, every message
// verified.
func TestEveryCopyLostThroughExchange(t *testing.T) {
	r, cfg, st, p := copyDrill(t, "every-copy-lost", "", nil)
	if c := copyCheckOf(t, p); c.Result != planner.ResultOK || !strings.Contains(c.Description, "EX02: Failed") {
		t.Fatalf("check %+v", c)
	}
	rec := cfg.Recoveries["db01-outage"]
	lc := &lineCheck{}
	lc.watch(r)
	byHand, added := doByHand(t, r.lab), false
	for _, stage := range config.Stages {
		rec.Stage = stage
		applyStage(t, r, lc, cfg, st, func(s *planner.Step) {
			if s.Operation.Kind != providers.OpAddCopies {
				byHand(s)
				return
			}
			// The last step is manual (Add-MailboxDatabaseCopy is outside the reference):
			// the admin adds the copies, as the lab stands in for.
			if stage != config.StageComplete || s.Operation.Database != "DTDB01" || strings.Join(s.Operation.Servers, ",") != "EX02" || !s.Manual {
				t.Fatalf("add_copies_back at stage %s: %+v", stage, s)
			}
			// confirm checks what a refresh through the double shows: the copy must be
			// there and healthy, not a Failed object Exchange keeps after the copy's
			// disk or server died.
			seen := func() (string, bool) {
				obs, err := r.prov.Read(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				now := state.New("6f1c7c9e-0000-4000-8000-00000000c0c1")
				now.Refresh(obs)
				return planner.ConfirmSeen(s, now)
			}
			if what, ok := seen(); ok || !strings.Contains(what, "DTDB01 has no copy on EX02") {
				t.Fatalf("before the copy is added, confirm sees %q (ok %t)", what, ok)
			}
			for _, srv := range s.Operation.Servers {
				if err := r.lab.AddCopy(s.Operation.Database, srv); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.lab.FailDatabaseOn("DTDB01", "lost", "EX02"); err != nil {
				t.Fatal(err)
			}
			if what, ok := seen(); ok || !strings.Contains(what, "DTDB01's copies are not healthy (EX02: Failed") {
				t.Fatalf("with the added copy failed, confirm sees %q (ok %t)", what, ok)
			}
			if err := r.lab.AddCopy("DTDB01", "EX02"); err != nil { // reseeds the failed copy
				t.Fatal(err)
			}
			if what, ok := seen(); !ok {
				t.Fatalf("with the copy reseeded, confirm sees %q", what)
			}
			added = true
		})
	}
	if !added {
		t.Fatal("the recovery ended without the manual step that adds the copies back")
	}
	if len(r.callsOf(t, "Add-MailboxDatabaseCopy")) != 0 {
		t.Fatal("the provider ran Add-MailboxDatabaseCopy, which is outside the reference")
	}
	obs, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := obs.Databases["DTDB01"].Copies; len(c) != 1 || c[0].Server != "EX02" || !c[0].Healthy {
		t.Fatalf("DTDB01's copies after complete: %+v", c)
	}
	rep, err := r.lab.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Accepted == 0 {
		t.Fatalf("verification failed: %+v", rep)
	}
}

// TestLaggedAndSuspendedCopyThroughExchange: the double reports EX02's copy lagged
// (Get-MailboxDatabase ReplayLagTimes) and suspended for activation
// (Get-MailboxDatabaseCopyStatus ActivationSuspended); the read keeps both, and the plan
// is refused saying what the copy is, with -SkipLagChecks in the activation command.
func TestLaggedAndSuspendedCopyThroughExchange(t *testing.T) {
	_, _, st, p := copyDrill(t, "copy-survives", "EX01", map[string]any{`DB01\EX02`: map[string]any{"replay_lag_time": "7.00:00:00", "activation_suspended": true}})
	got := st.Databases["DB01"].Copies
	if len(got) != 1 || got[0].Server != "EX02" || !got[0].Healthy || got[0].ReplayLag != "7.00:00:00" || !got[0].ActivationSuspended {
		t.Fatalf("DB01's copies %+v", got)
	}
	c := copyCheckOf(t, p)
	if c.Result != planner.ResultFailed || !strings.Contains(c.Description, "EX02 holds a lagged copy (replay lag 7.00:00:00) whose activation is suspended") ||
		!strings.Contains(c.Fix, "Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX02 -SkipLagChecks") {
		t.Fatalf("check %+v", c)
	}
}
