package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/planner/render/runbookcheck"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// referenceBuilds are one build of each Exchange version dialtone supports.
var referenceBuilds = map[ems.Version]string{
	ems.V2013: "15.0.1497.2",  // 2013 CU23
	ems.V2016: "15.1.2507.6",  // 2016 CU23
	ems.V2019: "15.2.1544.4",  // 2019 CU14
	ems.VSE:   "15.2.2562.17", // SE RTM
}

// TestEveryCommandFitsTheReference reads every cmdlet invocation of every plan and
// runbook dialtone writes for every example, with the organization on each of Exchange
// 2013, 2016, 2019 and SE, and checks it against Microsoft's reference
// (providers/ems/reference/exchange-cmdlets.json): the cmdlet exists in that version,
// each parameter exists in that version, the parameters fit one parameter set, and
// literal values are valid there. The plans are made for every stage at once (from
// nothing to complete), with the Exchange provider's capabilities (so nothing but the
// backup restore and the server rebuild is manual) and with the lab's (the files moved
// by the provider), on an organization built by the lab with the example's failure.
// Each runbook's structure is read too (planner/render/runbookcheck): file commands
// inside Invoke-Command for their step's server, exit codes checked, every step a
// person does paused and audited.
// The provider's own requests are checked by the PowerShell double, which refuses what
// the reference does not document (providers/exchange TestEveryVersionThroughExchange).
func TestEveryCommandFitsTheReference(t *testing.T) {
	dirs, err := filepath.Glob("../../examples/*/main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	drills, _ := filepath.Glob("../../examples/drills/*/main.hcl")
	dirs = append(dirs, drills...)
	if len(dirs) < 5 {
		t.Fatalf("found %d examples", len(dirs))
	}
	checked := 0
	for _, file := range dirs {
		dir := filepath.Dir(file)
		for _, v := range ems.Versions {
			name := strings.TrimPrefix(dir, "../../examples/") + "/" + string(v)
			t.Run(name, func(t *testing.T) {
				for _, caps := range []providers.Capabilities{{MoveFiles: true, DeleteFiles: true, ReplayLogs: true}, {}} {
					checked += checkPlanCommands(t, referencePlan(t, dir, referenceBuilds[v], caps), v)
				}
			})
		}
	}
	if checked == 0 {
		t.Fatal("no command was checked")
	}
}

// referencePlan plans the example at dir with every server at build, on a lab
// organization with the example's failure, every recovery asked for stage complete.
func referencePlan(t *testing.T, dir, build string, caps providers.Capabilities) *planner.Plan {
	t.Helper()
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		// The no-mount-slot drill is refused by validate on purpose: no plan to read.
		t.Skipf("the example is refused by its configuration's checks: %s", diags.Error())
	}
	var topo lab.Topology
	for _, name := range refSorted(cfg.Servers) {
		s := cfg.Servers[name]
		s.Version = build
		topo.Servers = append(topo.Servers, lab.ServerSpec{Name: s.Name, Site: s.Site, Edition: s.Edition, Version: build})
	}
	for _, name := range refSorted(cfg.Databases) {
		d := cfg.Databases[name]
		topo.Databases = append(topo.Databases, lab.DatabaseSpec{Name: d.Name, Server: d.Server.Name, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath})
	}
	l, err := lab.Init(filepath.Join(t.TempDir(), "lab"), topo, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range refSorted(cfg.Recoveries) {
		rec := cfg.Recoveries[name]
		rec.Stage = config.StageComplete
		if b := rec.Restore.Backup; b != "" && b != "none" {
			if err := l.Backup(rec.Database.Name, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range refSorted(cfg.Recoveries) {
		rec := cfg.Recoveries[name]
		db := cfg.Databases[rec.Database.Name]
		if rec.Option == config.OptionAlternateServer {
			if err := l.FailServer(db.Server.Name); err != nil && !strings.Contains(err.Error(), "already") {
				t.Fatal(err)
			}
			continue
		}
		if err := l.FailDatabase(db.Name, "lost"); err != nil {
			t.Fatal(err)
		}
	}
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := state.New("6f1c7c9e-0000-4000-8000-00000000c0de")
	st.Refresh(obs)
	p, diags := planner.Compute(cfg, st, caps, planner.ComputeOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(p.Steps) == 0 {
		t.Fatal("the plan has no steps")
	}
	return p
}

// checkPlanCommands checks the commands of the plan as its JSON, text and Markdown
// renderings show them, and its runbook, for version v. It returns how many
// invocations it checked.
func checkPlanCommands(t *testing.T, p *planner.Plan, v ems.Version) int {
	t.Helper()
	n := 0
	report := func(where string, probs []ems.Problem) {
		for _, pr := range probs {
			t.Errorf("%s: %s", where, pr.Error())
		}
	}
	var js bytes.Buffer
	if err := render.JSON(&js, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Steps []struct {
			ID       string   `json:"id"`
			Commands []string `json:"commands"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Steps {
		for _, c := range s.Commands {
			invs, err := ems.ScriptInvocations(c)
			if err != nil {
				t.Errorf("%s: %q: %v", s.ID, c, err)
				continue
			}
			for _, inv := range invs {
				n++
				report("plan (JSON) "+s.ID, ems.Check(inv, v))
			}
		}
	}
	var txt bytes.Buffer
	if err := render.Text(&txt, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(txt.String(), "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "PS> "); ok {
			probs, err := ems.CheckScript(c, v)
			if err != nil {
				t.Errorf("plan (text): %q: %v", c, err)
			}
			report("plan (text)", probs)
		}
	}
	var md bytes.Buffer
	if err := render.Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(md.String(), "```powershell\n")[1:] {
		body, _, _ := strings.Cut(block, "\n```")
		probs, err := ems.CheckScript(body, v)
		if err != nil {
			t.Errorf("plan (Markdown): %q: %v", body, err)
		}
		report("plan (Markdown)", probs)
	}
	var ps bytes.Buffer
	if err := render.PowerShell(&ps, p); err != nil {
		t.Fatal(err)
	}
	invs, err := ems.ScriptInvocations(ps.String())
	if err != nil {
		t.Fatalf("runbook: %v", err)
	}
	exchange := 0
	for _, inv := range invs {
		if ems.Ref().Cmdlet(inv.Cmd) != nil {
			exchange++
		}
		report("runbook", ems.Check(inv, v))
	}
	if exchange == 0 {
		t.Error("the runbook has no Exchange cmdlet")
	}
	// Its structure: file commands on their server, exit codes, pauses (runbookcheck).
	probs, _ := runbookcheck.Check(p, ps.String())
	for _, e := range probs {
		t.Errorf("runbook: %v", e)
	}
	return n + len(invs)
}

func refSorted[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
