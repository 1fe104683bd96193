package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/providers"
)

// transitions are every move of a same_server recovery: from not started to each
// stage, and from each stage to each later one.
func transitions() [][2]string {
	var out [][2]string
	from := append([]string{config.StageNone}, config.Stages...)
	for i, f := range from {
		for _, to := range from[i+1:] {
			out = append(out, [2]string{f, to})
		}
	}
	return out
}

func TestSameServerStageTransitions(t *testing.T) {
	if n := len(transitions()); n != 15 {
		t.Fatalf("%d transitions, want 15", n)
	}
	for _, tr := range transitions() {
		from, to := tr[0], tr[1]
		name := from
		if name == "" {
			name = "none"
		}
		name += "-" + to
		t.Run(name, func(t *testing.T) {
			st := stateAt(t, from, 3)
			p := mustPlan(t, plantest.Config(to), st)
			golden(t, "stages/"+name+".golden", []byte(strings.Join(stepIDs(p), "\n")+"\n"))
			checkKeyFacts(t, p)

			if len(p.Recoveries) != 1 || p.Recoveries[0].From != from || p.Recoveries[0].To != to {
				t.Errorf("recoveries = %+v, want one from %q to %q", p.Recoveries, from, to)
			}
			for _, s := range p.Steps {
				if config.StageIndex(s.Stage) <= config.StageIndex(from) || config.StageIndex(s.Stage) > config.StageIndex(to) {
					t.Errorf("%s belongs to stage %s, outside (%q, %q]", s.ID, s.Stage, from, to)
				}
			}
		})
	}
}

// checkKeyFacts asserts what every same_server plan must hold, whatever its range.
func checkKeyFacts(t *testing.T, p *planner.Plan) {
	t.Helper()
	for _, s := range p.Steps {
		for _, c := range s.Commands {
			if strings.Contains(c, "Get-Mailbox ") && !strings.Contains(c, "-ResultSize Unlimited") {
				t.Errorf("%s: Get-Mailbox without -ResultSize Unlimited: %s", s.ID, c)
			}
			if strings.Contains(c, "-Force") {
				t.Errorf("%s: -Force: %s", s.ID, c)
			}
			if strings.HasPrefix(c, "New-MailboxDatabase") && !strings.Contains(c, " -Server '") {
				t.Errorf("%s: New-MailboxDatabase without -Server: %s", s.ID, c)
			}
			if (strings.HasPrefix(c, "Dismount-Database") || strings.HasPrefix(c, "Remove-")) && !strings.HasSuffix(c, "-Confirm:$false") {
				t.Errorf("%s: no -Confirm:$false: %s", s.ID, c)
			}
		}
		if len(s.Commands) == 0 {
			t.Errorf("%s has no commands", s.ID)
		}
		if s.Summary == "" || s.Number < 1 || s.Number > 14 {
			t.Errorf("%s: summary %q, number %d", s.ID, s.Summary, s.Number)
		}
	}

	// AllowFileRestore is true only around the swap's move and mount.
	if i, allow := findStep(p, "allow_file_restore"); allow != nil {
		moveIn, _ := findStep(p, "move_recovered_files_into_dial_tone_database")
		mount, _ := findStep(p, "mount_swapped_database")
		disallow, dis := findStep(p, "disallow_file_restore")
		if moveIn != i+1 || mount != i+2 || disallow != i+3 {
			t.Errorf("allow_file_restore at %d, move at %d, mount at %d, disallow at %d: want consecutive", i, moveIn, mount, disallow)
		}
		if !allow.Operation.Value || dis.Operation.Value {
			t.Errorf("allow sets %v, disallow sets %v", allow.Operation.Value, dis.Operation.Value)
		}
	}

	// Merges come only after the merge mount, priority first, then by address.
	mountAt, _ := findStep(p, "mount_recovery_database_for_merge")
	var merged []string
	for i, s := range p.Steps {
		if s.Operation.Kind != providers.OpMergeMailbox {
			continue
		}
		if mountAt < 0 || i < mountAt {
			t.Errorf("%s at %d before the merge mount at %d", s.ID, i, mountAt)
		}
		if !s.Parallel || !s.Async || len(s.DependsOn) != 1 || !strings.HasSuffix(s.DependsOn[0], ".mount_recovery_database_for_merge") {
			t.Errorf("%s: parallel %v async %v depends on %v", s.ID, s.Parallel, s.Async, s.DependsOn)
		}
		merged = append(merged, s.Operation.Mailbox)
	}
	if merged != nil {
		want := []string{"db01-user0001@contoso.com", "db01-user0002@contoso.com", "db01-user0003@contoso.com"}
		if strings.Join(merged, " ") != strings.Join(want, " ") {
			t.Errorf("merge order %v, want %v", merged, want)
		}
	}

	// Every step's dependencies come before it.
	pos := map[string]int{}
	for i, s := range p.Steps {
		pos[s.ID] = i
		for _, d := range s.DependsOn {
			if j, ok := pos[d]; ok && j >= i {
				t.Errorf("%s depends on later step %s", s.ID, d)
			}
		}
	}
}
