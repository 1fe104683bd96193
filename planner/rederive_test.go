package planner_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// A plan read back from its file is the plan computed again; every edit an attacker can
// make to the steps (kind, a path, a re-targeted merge, a summary, a dropped or added
// step) or to the rest of the plan is the first difference named.
func TestCompareRederived(t *testing.T) {
	cfg, st := plantest.Config(config.StageComplete), plantest.State(4)
	saved := mustPlan(t, cfg, st)
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := planner.WritePlanFile(path, saved); err != nil {
		t.Fatal(err)
	}
	read, err := planner.ReadPlanFile(path, planner.ReadPlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fresh := mustPlan(t, cfg, st)
	fresh.Drift = []planner.Drift{{Summary: "UI only"}}
	if m := planner.CompareRederived(read, fresh); m != nil {
		t.Fatalf("the plan read back differs from the plan computed again: %v", m)
	}

	merge := -1
	for i, s := range fresh.Steps {
		if s.Operation.Kind == providers.OpMergeMailbox {
			merge = i
			break
		}
	}
	if merge < 0 {
		t.Fatal("no merge step to re-target")
	}
	for _, tc := range []struct {
		name string
		edit func(p *planner.Plan)
		want string
	}{
		{"kind", func(p *planner.Plan) { p.Steps[0].Operation.Kind = providers.OpDeleteFiles },
			`step 1 (` + fresh.Steps[0].ID + `): operation.kind is "delete_files" in the file, "` + string(fresh.Steps[0].Operation.Kind) + `" when planned again`},
		{"path", func(p *planner.Plan) { p.Steps[0].Operation.LogFolderPath = `D:\Databases` },
			`operation.log_folder_path is "D:\\Databases" in the file`},
		{"merge target", func(p *planner.Plan) { p.Steps[merge].Operation.Mailbox = "ceo@contoso.com" },
			`): operation.mailbox is "ceo@contoso.com" in the file`},
		{"summary", func(p *planner.Plan) { p.Steps[1].Summary = "harmless" },
			`step 2 (` + fresh.Steps[1].ID + `): summary is "harmless" in the file`},
		{"commands", func(p *planner.Plan) { p.Steps[1].Commands = append(p.Steps[1].Commands, "Remove-Item C:\\ -Recurse") },
			`commands has`},
		{"dropped", func(p *planner.Plan) { p.Steps = p.Steps[:len(p.Steps)-1] },
			`missing from the file`},
		{"added", func(p *planner.Plan) {
			s := *p.Steps[0]
			s.ID += "-again"
			p.Steps = append(p.Steps, &s)
		}, `in the file, but not in the plan`},
		{"notes", func(p *planner.Plan) { p.Notes = append(p.Notes, "approved") },
			`plan notes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := mustPlan(t, cfg, st)
			tc.edit(forged)
			m := planner.CompareRederived(forged, fresh)
			if m == nil {
				t.Fatal("the edited plan was accepted")
			}
			if !strings.Contains(m.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", m.Error(), tc.want)
			}
		})
	}
}

// BenchmarkRederive is what apply FILE and show FILE add to reading a plan file:
// computing the plan again ("compute") and comparing it with the file's ("compare"),
// for a plan merging 20,000 mailboxes back.
func BenchmarkRederive(b *testing.B) {
	cfg, st := plantest.Config(config.StageComplete), plantest.State(20000)
	saved := mustPlan(b, cfg, st)
	b.Run("compute", func(b *testing.B) {
		for range b.N {
			mustPlan(b, cfg, st)
		}
	})
	fresh := mustPlan(b, cfg, st)
	b.Run("compare", func(b *testing.B) {
		for range b.N {
			if m := planner.CompareRederived(saved, fresh); m != nil {
				b.Fatal(m)
			}
		}
	})
}
