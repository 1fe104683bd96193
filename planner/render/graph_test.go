package render_test

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

func draw(t testing.TB, f func(io.Writer, *planner.Plan) error, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGraphExample(t *testing.T) {
	for name, p := range examplePlans(t) {
		t.Run(name, func(t *testing.T) {
			golden(t, "mermaid-"+name+".mmd", draw(t, render.Mermaid, p))
			golden(t, "dot-"+name+".dot", draw(t, render.DOT, p))
		})
	}
}

func TestGraphEssentials(t *testing.T) {
	p := examplePlans(t)["complete"]
	mm := draw(t, render.Mermaid, p)
	for _, want := range []string{
		"flowchart TD\n",
		"  subgraph r1[\"recovery.db01-outage\"]\n",
		"    subgraph r1p2[\"Swap\"]\n",
		"      s9[\"9. dismount_dial_tone_database<br/>user outage, outage starts\"]\n",
		"      r1merge[\"16+. merge: 20 steps, one per mailbox<br/>reversible, shown as one node\"]\n",
		"  s15 --> r1merge\n  r1merge --> s36\n",
		"  class s9,s10,s11,s12 outage\n", "  class s13 serviceback\n", "  class s10,s12,s39 dataloss\n",
	} {
		if !strings.Contains(mm, want) {
			t.Errorf("Mermaid lacks %q", want)
		}
	}
	dot := draw(t, render.DOT, p)
	for _, want := range []string{
		"digraph dialtone {\n", "  subgraph cluster_r1 {\n", `label="recovery.db01-outage";`,
		`s9 [label="9. dismount_dial_tone_database\nuser outage, outage starts", fillcolor="#f8d7da"];`,
		"  s15 -> r1merge;\n",
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %q", want)
		}
	}
	// A few merges are drawn one by one.
	few := draw(t, render.Mermaid, plan(t, plantest.Config(config.StageComplete), plantest.State(3)))
	if strings.Contains(few, "merge:") || !strings.Contains(few, `merge#91;`) && !strings.Contains(few, `merge[#quot;db01-user0001@contoso.com#quot;]`) {
		t.Errorf("three merges not drawn one by one:\n%s", few)
	}
}

// TestGraphLabelsEscaped: names with quotes, brackets, HTML and line breaks stay
// inside their label, and every node id is a plain identifier.
func TestGraphLabelsEscaped(t *testing.T) {
	name := "x\"]; click s1 \"y\n<b>#`\\"
	p := &planner.Plan{
		Recoveries: []planner.RecoveryChange{{Name: name}},
		Steps: []*planner.Step{
			{ID: "recovery." + name + ".one", Recovery: name, Phase: "odd\"phase", Risk: planner.RiskOutage, Outage: planner.OutageStarts},
			{ID: "recovery." + name + `.merge["a@b"]`, Recovery: name, Phase: planner.PhaseMerge, Number: 13, Parallel: true,
				DependsOn: []string{"recovery." + name + ".one", "recovery.elsewhere.done"}},
		},
	}
	mm := draw(t, render.Mermaid, p)
	label := regexp.MustCompile(`^\s+(subgraph )?\w+\["[^"<>]*(<br/>[^"<>]*)?"\]$`)
	for _, l := range strings.Split(strings.TrimSpace(mm), "\n") {
		if strings.Contains(l, "[") && !label.MatchString(l) {
			t.Errorf("line %q is not id[\"label\"]", l)
		}
	}
	for _, want := range []string{`x#quot;]; click s1 #quot;y?#lt;b#gt;#35;#96;\`, `s2["2. merge#91;#quot;a@b#quot;#93;`, "s1 --> s2\n"} {
		if !strings.Contains(mm, want) && !strings.Contains(mm, strings.ReplaceAll(strings.ReplaceAll(want, "#91;", "["), "#93;", "]")) {
			t.Errorf("Mermaid lacks %q:\n%s", want, mm)
		}
	}
	dot := draw(t, render.DOT, p)
	if !strings.Contains(dot, `label="recovery.x\"]; click s1 \"y?<b>#`+"`"+`\\";`) || !strings.Contains(dot, "s1 -> s2;\n") {
		t.Errorf("DOT label not quoted:\n%s", dot)
	}
}

func TestGraphNoChanges(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	delete(cfg.Recoveries, "db01-outage")
	p := plan(t, cfg, plantest.State(2))
	if got := draw(t, render.Mermaid, p); !strings.Contains(got, "No changes") {
		t.Errorf("got %q", got)
	}
	if got := draw(t, render.DOT, p); !strings.HasSuffix(got, "}\n") || !strings.Contains(got, "No changes") {
		t.Errorf("got %q", got)
	}
}

// TestMermaidWithinLimits: site failures of 20 and 50 recoveries (to complete) draw
// within Mermaid's limits as GitHub applies them (500 edges, 50,000 characters: 450 and
// 45,000 with room to spare), one node per recovery and phase, recoveries one below the
// other in priority order; 150 recoveries are too many even so, and say where the
// graph is instead.
func TestMermaidWithinLimits(t *testing.T) {
	for _, n := range []int{20, 50, 150} {
		cfg, st := plantest.SiteFailure(n/10, 10, 3, config.StageComplete)
		p := plan(t, cfg, st)
		mm := draw(t, render.Mermaid, p)
		edges := strings.Count(mm, " --> ") + strings.Count(mm, " ~~~ ")
		t.Logf("%d recoveries, %d steps: %d edges, %d characters", n, len(p.Steps), edges, len(mm))
		if edges > 450 || len(mm) > 45000 {
			t.Errorf("%d recoveries: %d edges, %d characters", n, edges, len(mm))
		}
		if n == 150 {
			if !strings.Contains(mm, "dialtone graph -format=dot") {
				t.Errorf("150 recoveries: no pointer at the DOT graph:\n%.500s", mm)
			}
			continue
		}
		if strings.Contains(mm, "dismount_dial_tone_database") || !strings.Contains(mm, "[\"Swap: ") {
			t.Errorf("%d recoveries: not one node per recovery and phase:\n%.2000s", n, mm)
		}
		if !strings.Contains(mm, "  r1 ~~~ r2\n") || !strings.Contains(mm, fmt.Sprintf("  r%d ~~~ r%d\n", n-1, n)) {
			t.Errorf("%d recoveries: not ordered one below the other", n)
		}
	}
	// Below the size, phase subgraphs lay their steps out top to bottom.
	mm := draw(t, render.Mermaid, examplePlans(t)["complete"])
	if strings.Count(mm, "    subgraph ") != strings.Count(mm, "      direction TB\n") {
		t.Errorf("a phase subgraph without direction TB:\n%s", mm)
	}
}
