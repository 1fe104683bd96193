package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/planner/render/mdcheck"
)

// siteSizes are the site failures of the Markdown goldens: recoveries (databases of 20
// mailboxes, to complete) on servers of up to 10 databases.
var siteSizes = []int{3, 20, 50}

// TestMarkdownSiteGoldens renders site failures of 3, 20 and 50 recoveries: the first
// fits whole, the others shrink to fit one comment.
func TestMarkdownSiteGoldens(t *testing.T) {
	for _, n := range siteSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cfg, st := plantest.SiteFailure((n+9)/10, min(n, 10), 20, config.StageComplete)
			out := markdown(t, plan(t, cfg, st))
			if len(out) > render.MarkdownLimit {
				t.Errorf("%d characters", len(out))
			}
			golden(t, fmt.Sprintf("markdown-site-%d.md", n), out)
		})
	}
}

// TestMarkdownRendersAsWritten renders every Markdown golden (the examples, the site
// failures) as GitHub does and checks the HTML: no italics or emphasis around code, no
// literal backtick, every table a table, every <details> closed, the timeline and
// the graph (or the sentence that stands for it) present, Mermaid within its limits.
func TestMarkdownRendersAsWritten(t *testing.T) {
	mdcheck.Require(t)
	files, err := filepath.Glob(filepath.Join("testdata", "markdown-*.md"))
	if err != nil || len(files) < 2+len(siteSizes) {
		t.Fatalf("Markdown goldens: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			md := string(b)
			html, err := mdcheck.Render(md)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range mdcheck.Problems(md, html) {
				t.Error(p)
			}
			var gantt, flow int
			for _, m := range mdcheck.MermaidBlocks(html) {
				switch {
				case strings.HasPrefix(m, "gantt\n"):
					gantt++
				case strings.HasPrefix(m, "flowchart TD\n"):
					flow++
				}
			}
			if gantt != 1 && !strings.Contains(md, "the timeline is left out") {
				t.Errorf("%d gantt blocks", gantt)
			}
			if flow != 1 && !strings.Contains(html, "dialtone graph -format=") {
				t.Errorf("%d graph blocks and no pointer at dialtone graph", flow)
			}
			if !strings.Contains(html, "<table>") {
				t.Error("no table")
			}
		})
	}
}

// TestMarkdownCheckCatches: the check finds the defects it is for (each once wrote
// by dialtone), so a pass means something.
func TestMarkdownCheckCatches(t *testing.T) {
	mdcheck.Require(t)
	for md, want := range map[string]string{
		"7 `repoint_profiles_to_dial_tone`*, 141 `recover_server`*, 142.\n": "italics",
		"**`DATA-LOSS RISK`** step\n":                                       "emphasis around a code span",
		"| a | b |\n| --- | --- |\n| `` | x |\n":                            "a literal backtick",
		"<details><summary>x</summary>\n\n```powershell\nGet-Mailbox\n":     "<details>",
	} {
		html, err := mdcheck.Render(md)
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(mdcheck.Problems(md, html), "; "); !strings.Contains(p, want) {
			t.Errorf("%q: problems %q, want %q", md, p, want)
		}
	}
}
