package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// topologyOf is the lab topology of a configuration (as "dialtone lab init" builds it).
func topologyOf(cfg *config.Config) lab.Topology {
	var t lab.Topology
	for _, name := range sortedKeys(cfg.Servers) {
		s := cfg.Servers[name]
		t.Servers = append(t.Servers, lab.ServerSpec{Name: s.Name, Site: s.Site, Edition: s.Edition, Version: s.Version})
	}
	for _, name := range sortedKeys(cfg.Databases) {
		d := cfg.Databases[name]
		spec := lab.DatabaseSpec{Name: d.Name, Server: d.Server.Name, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath}
		for _, c := range d.Copies {
			spec.Copies = append(spec.Copies, c.Name)
		}
		t.Databases = append(t.Databases, spec)
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func loadExample(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return cfg
}

// applyStage plans the stage, applies it through the Exchange provider and, at each
// manual step, has the "admin" do it with the lab's API and confirms it, then applies
// again. Every operation is applied twice in a row (see twice). It returns the plan.
func applyStage(t *testing.T, r *rig, lc *lineCheck, cfg *config.Config, st *state.State, manual func(s *planner.Step)) *planner.Plan {
	t.Helper()
	ctx := context.Background()
	obs, err := r.prov.Read(ctx)
	if err != nil {
		t.Fatalf("Read through the exchange provider: %v", err)
	}
	st.Refresh(obs)
	p, diags := planner.Compute(cfg, st, r.prov.Capabilities(), planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		t.Fatalf("failed preconditions: %v", failed)
	}
	lc.expect(p)
	for round := 0; ; round++ {
		err := planner.Apply(ctx, p, &twice{t: t, prov: r.prov, lc: lc}, st, nil, nil, planner.ApplyOptions{})
		if err == nil {
			return p
		}
		var me *planner.ManualStepError
		if !errors.As(err, &me) || round > 10 {
			t.Fatalf("apply: %v", err)
		}
		manual(me.Step)
		changes, err := planner.Confirm(p, st, me.Step.ID, "admin@test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			st.ApplyChange(c)
		}
	}
}

// doByHand carries out a manual step with the lab's own API, as the admin would with
// backup software.
func doByHand(t *testing.T, l *lab.Lab) func(s *planner.Step) {
	return func(s *planner.Step) {
		t.Helper()
		if s.Operation.Kind != providers.OpRestoreBackup {
			t.Fatalf("unexpected manual step %s (%s)", s.ID, s.Operation.Kind)
		}
		if _, err := l.Apply(context.Background(), s.Operation, nil); err != nil {
			t.Fatalf("restoring the backup by hand: %v", err)
		}
	}
}

// TestSameServerThroughExchange runs examples/same-server stage by stage through the
// Exchange provider, the fake PowerShell and the lab, and ends with the lab's
// per-message verification.
func TestSameServerThroughExchange(t *testing.T) { sameServerThroughExchange(t, "") }

// TestEveryVersionThroughExchange runs the same-server recovery with the organization
// on Exchange 2013, 2016 and SE (the example's own servers are 2019): the double refuses
// any cmdlet, parameter or value Microsoft's reference does not document for that
// version, so every request the provider sends is checked against it.
func TestEveryVersionThroughExchange(t *testing.T) {
	for _, build := range []string{"15.0.1497.2", "15.1.2507.6", "15.2.2562.17"} {
		t.Run(build, func(t *testing.T) { sameServerThroughExchange(t, build) })
	}
}

func sameServerThroughExchange(t *testing.T, build string) {
	cfg := loadExample(t, "../../examples/same-server")
	if build != "" {
		for _, s := range cfg.Servers {
			s.Version = build
		}
	}
	rec := cfg.Recoveries["db01-outage"]
	r := newRig(t, topologyOf(cfg), 6, rigOpts{})
	l := r.lab
	if _, err := l.DeliverToDatabase("DB01", 40); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup("DB01", rec.Restore.Backup); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 15); err != nil { // only in the logs
		t.Fatal(err)
	}
	if err := l.FailDatabase("DB01", "lost"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeliverToDatabase("DB01", 5); err != nil { // queued
		t.Fatal(err)
	}
	st := state.New("6f1c7c9e-0000-4000-8000-00000000e6e6")
	kinds := map[providers.OpKind]int{}
	lc := &lineCheck{}
	lc.watch(r)
	var plans []*planner.Plan
	for _, stage := range config.Stages {
		rec.Stage = stage
		p := applyStage(t, r, lc, cfg, st, doByHand(t, l))
		plans = append(plans, p)
		for _, s := range p.Steps {
			kinds[s.Operation.Kind]++
		}
		if got := st.Recoveries["db01-outage"]; got == nil || got.Stage != stage {
			t.Fatalf("after applying %s the recorded stage is %+v", stage, got)
		}
		if stage == config.StageDialTone {
			if _, err := l.DeliverToDatabase(rec.DialTone.Name, 12); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verification failed: %+v", rep)
	}
	if rep.Accepted == 0 {
		t.Fatal("nothing was delivered")
	}
	// The merges ran as named restore requests through the double, each watched.
	if n := len(r.callsOf(t, "New-MailboxRestoreRequest")); n == 0 {
		t.Fatal("no restore request was created")
	}
	for _, k := range []providers.OpKind{providers.OpKeepFiles, providers.OpCreateDatabase, providers.OpRehomeMailboxes,
		providers.OpMountDatabase, providers.OpReplayLogs, providers.OpMoveFiles, providers.OpMergeMailbox, providers.OpDeleteFiles} {
		if kinds[k] == 0 {
			t.Errorf("the same-server plan had no %s step", k)
		}
	}
	lc.wantChecked(t, plans...)
	// A plan after complete is empty, and a second read agrees with the lab.
	obs, err := r.prov.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	labObs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	compareObserved(t, obs, labObs)
	st.Refresh(obs)
	p, _ := planner.Compute(cfg, st, r.prov.Capabilities(), planner.ComputeOptions{})
	if len(p.Steps) != 0 {
		t.Fatalf("after complete the plan still has %d steps", len(p.Steps))
	}
}

// compareObserved checks that the Exchange provider reads what the lab reports.
func compareObserved(t *testing.T, got, want *state.Observed) {
	t.Helper()
	if len(got.Databases) != len(want.Databases) || len(got.Mailboxes) != len(want.Mailboxes) || len(got.Servers) != len(want.Servers) {
		t.Fatalf("read %d servers, %d databases, %d mailboxes; the lab has %d, %d, %d",
			len(got.Servers), len(got.Databases), len(got.Mailboxes), len(want.Servers), len(want.Databases), len(want.Mailboxes))
	}
	for name, w := range want.Databases {
		g := got.Databases[name]
		if g == nil {
			t.Fatalf("database %s not read", name)
		}
		if g.Server != w.Server || g.EdbFilePath != w.EdbFilePath || g.LogFolderPath != w.LogFolderPath || g.Mounted != w.Mounted ||
			g.Recovery != w.Recovery || g.AllowFileRestore != w.AllowFileRestore || g.LogFilePrefix != w.LogFilePrefix || g.FilesOK != w.FilesOK {
			t.Errorf("database %s: read %+v, lab %+v", name, g, w)
		}
		if !g.Mounted && g.FilesOK && g.Clean != w.Clean {
			t.Errorf("database %s: read clean %t, lab %t", name, g.Clean, w.Clean)
		}
		// Every copy on a server that answers, with the lab's status (Get-MailboxDatabaseCopyStatus).
		var wc []state.DatabaseCopy
		for _, c := range w.Copies {
			if s := want.Servers[c.Server]; s != nil && s.Up {
				wc = append(wc, state.DatabaseCopy{Server: c.Server, Status: c.Status, Healthy: c.Healthy})
			}
		}
		var gc []state.DatabaseCopy
		for _, c := range g.Copies {
			gc = append(gc, state.DatabaseCopy{Server: c.Server, Status: c.Status, Healthy: c.Healthy})
		}
		sort.Slice(wc, func(i, j int) bool { return wc[i].Server < wc[j].Server })
		if fmt.Sprint(gc) != fmt.Sprint(wc) {
			t.Errorf("database %s: read copies %+v, lab %+v", name, gc, wc)
		}
	}
	for addr, w := range want.Mailboxes {
		g := got.Mailboxes[addr]
		if g == nil || g.Database != w.Database || g.ExchangeGuid != w.ExchangeGuid || g.Kind != w.Kind || g.ArchiveDatabase != w.ArchiveDatabase {
			t.Errorf("mailbox %s: read %+v, lab %+v", addr, g, w)
		}
	}
	for name, w := range want.Servers {
		g := got.Servers[name]
		if g == nil || g.Edition != w.Edition || g.Version != w.Version || g.Site != w.Site || g.Up != w.Up {
			t.Errorf("server %s: read %+v, lab %+v", name, g, w)
		}
	}
	_ = fmt.Sprint
}
