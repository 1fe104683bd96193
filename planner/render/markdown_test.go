package render_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

func markdown(t testing.TB, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.Markdown(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// examplePlans are the examples/same-server plans of the golden tests: to dial_tone
// from scratch, and to complete from dial_tone (20 mailboxes).
func examplePlans(t *testing.T) map[string]*planner.Plan {
	t.Helper()
	dialTone := plan(t, plantest.Config(config.StageDialTone), plantest.State(20))
	st := plantest.State(20)
	p := plan(t, plantest.Config(config.StageDialTone), st)
	if err := planner.Apply(context.Background(), p, plantest.NewFake(), st, nil, nil, planner.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return map[string]*planner.Plan{"dial_tone": dialTone, "complete": plan(t, plantest.Config(config.StageComplete), st)}
}

func TestMarkdownExample(t *testing.T) {
	for name, p := range examplePlans(t) {
		t.Run(name, func(t *testing.T) {
			golden(t, "markdown-"+name+".md", markdown(t, p))
		})
	}
}

func TestMarkdownEssentials(t *testing.T) {
	out := markdown(t, examplePlans(t)["complete"])
	for _, want := range []string{
		"**39 steps** for 1 recovery: **20 mailboxes** affected, **2 outage windows**; steps by risk: 7 read-only, 27 reversible, 2 take service away, 3 data-loss risk; **0 manual steps**.\n",
		"| `recovery.db01-outage` | 20 | Information Store restart: step 5 `restart_information_store` to step 5 `restart_information_store`<br>swap: step 9 `dismount_dial_tone_database` to step 13 `mount_swapped_database` | ⚠ data loss: step 10 `move_dial_tone_files_to_recovery_database`, step 12 `move_recovered_files_into_dial_tone_database`, step 39 `delete_recovery_database_files` |\n",
		"```mermaid\ngantt\n", "  without service (Information Store restart) :crit, 4, 5\n  without service (swap) :crit, 8, 13\n",
		"| `recovery.db01-outage` | 0 | same_server | DB01 | EX01 | 20 | `dial_tone` → `complete` |\n",
		"| Swap | 1 | 7 | 20 | **20 mailboxes** |\n",
		"- `recovery.db01-outage`: **40 mailboxes without service** from step 5 `restart_information_store` to step 5 `restart_information_store` (Information Store restart)\n",
		"- `recovery.db01-outage`: **20 mailboxes without service** from step 9 `dismount_dial_tone_database` to step 13 `mount_swapped_database` (swap)\n",
		"**9.** **USER OUTAGE** **outage starts** `recovery.db01-outage.dismount_dial_tone_database`<br>\n",
		"**5.** **USER OUTAGE** `recovery.db01-outage.restart_information_store`<br>\nRestart the Information Store on EX01 so that it loads RDB01 (Microsoft's recovery database procedure, step 4). It interrupts every database mounted on EX01 for a minute or two: DB02 (20 mailboxes), DTDB01 (20 mailboxes)",
		"**10.** ⚠ **DATA-LOSS RISK** users down `recovery.db01-outage.move_dial_tone_files_to_recovery_database`<br>\n",
		"```diff\n- edb_file_path: D:\\DialTone\\DTDB01\\DTDB01.edb\n",
		"<details><summary>Exchange Management Shell (1 line)</summary>\n\n```powershell\nDismount-Database -Identity 'DTDB01' -Confirm:$false\n```\n\n</details>\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(out, "Shortened") {
		t.Error("a 20-mailbox plan was shortened")
	}
}

// TestMarkdownFitsOneComment plans a 20,000-mailbox site failure (4 recoveries of 5,000
// mailboxes each, to complete): the Markdown stays under MarkdownLimit (64,000 characters) and still
// names every outage window and every step that is not a merge.
func TestMarkdownFitsOneComment(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 4, 5000, config.StageComplete)
	p := plan(t, cfg, st)
	out := markdown(t, p)
	t.Logf("20,000 mailboxes, %d steps: %d characters of Markdown", len(p.Steps), len(out))
	if len(out) > render.MarkdownLimit {
		t.Fatalf("%d characters, more than %d", len(out), render.MarkdownLimit)
	}
	if len(p.Outages) != 12 { // per recovery: until dial tone, its store restart, the swap
		t.Fatalf("%d outage windows, want 12", len(p.Outages))
	}
	first := out[:strings.Index(out, "### Timeline")]
	for _, o := range p.Outages {
		if !windowWords(o).MatchString(first) {
			t.Errorf("outage window %+v not on the first screen", o)
		}
	}
	for _, s := range p.Steps {
		if s.Operation.Kind != "merge_mailbox" && !strings.Contains(out, "`"+s.ID+"`") {
			t.Errorf("step %s not named", s.ID)
		}
	}
	if !strings.Contains(out, "more merge steps (one per mailbox; the JSON plan lists them all)") {
		t.Error("merges not summarised")
	}
	if again := markdown(t, plan(t, cfg, st)); again != out {
		t.Error("two renderings of the same plan differ")
	}
}

// TestMarkdownShrinks renders one plan under smaller and smaller limits: each output
// fits and says it was shortened.
func TestMarkdownShrinks(t *testing.T) {
	cfg, st := plantest.SiteFailure(2, 5, 50, config.StageComplete)
	p := plan(t, cfg, st)
	full := markdown(t, p)
	prev := len(full)
	for _, limit := range []int{60000, 40000, 25000, 15000, 8000, 2000} {
		var b bytes.Buffer
		if err := render.MarkdownLimited(&b, p, limit); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if len(out) > limit {
			t.Errorf("limit %d: %d characters", limit, len(out))
		}
		if len(out) < len(full) && !strings.Contains(out, "Shortened to fit one comment") && !strings.Contains(out, "too large for one comment") {
			t.Errorf("limit %d: shortened without saying so", limit)
		}
		if strings.Count(out, "<details") != strings.Count(out, "</details>") || strings.Count(out, "\n```")%2 != 0 {
			t.Errorf("limit %d: a <details> or code fence left open", limit)
		}
		if cut, _, ok := strings.Cut(out, "\n\n**The plan is too large for one comment"); ok {
			if last := cut[strings.LastIndexByte(cut, '\n')+1:]; strings.HasPrefix(last, "#") || strings.HasSuffix(last, " of the plan.") {
				t.Errorf("limit %d: cut inside a recovery's steps, after %q", limit, last)
			}
		}
		if len(out) > prev {
			t.Errorf("limit %d: longer (%d) than under a larger limit (%d)", limit, len(out), prev)
		}
		prev = len(out)
		for _, o := range p.Outages {
			if limit >= 15000 && !windowWords(o).MatchString(out) {
				t.Errorf("limit %d: outage window %+v not named", limit, o)
			}
		}
	}
}

// windowWords is how the table at the top names an outage window: users down since
// the failure until a step, or from one step to another.
func windowWords(o planner.OutageWindow) *regexp.Regexp {
	short := func(id string) string {
		return regexp.QuoteMeta("`" + strings.TrimPrefix(id, "recovery."+o.Recovery+".") + "`")
	}
	if o.Reason == planner.ReasonFailure {
		return regexp.MustCompile(`\| ` + regexp.QuoteMeta("`recovery."+o.Recovery+"`") + ` \| \d+ \| since the failure until step \d+ ` + short(o.ToStep))
	}
	return regexp.MustCompile(`step \d+ ` + short(o.FromStep) + ` to step \d+ ` + short(o.ToStep))
}

func TestMarkdownCannotBeForgedByNames(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	cfg.Recoveries["db01-outage"].DialTone.Name = "DT|<img src=x>\n## Plan: 0 steps *"
	out := markdown(t, plan(t, cfg, plantest.State(2)))
	// Fenced code is literal (the fence is longer than any backtick run): only the
	// text outside it matters.
	var outside strings.Builder
	inFence := false
	for _, l := range strings.SplitAfter(out, "\n") {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			outside.WriteString(l)
		}
	}
	if !strings.Contains(out, "DT\\|&lt;img src=x&gt;?\\#\\# Plan: 0 steps \\*") {
		t.Errorf("the name is not escaped:\n%s", out)
	}
	out = outside.String()
	for _, bad := range []string{"<img", "\n## Plan", " *\n", "|<"} {
		if strings.Contains(out, bad) {
			t.Errorf("a name forged Markdown (%q):\n%s", bad, out)
		}
	}
}

func TestMarkdownNoChanges(t *testing.T) {
	cfg := plantest.Config(config.StageDialTone)
	delete(cfg.Recoveries, "db01-outage")
	if got := markdown(t, plan(t, cfg, plantest.State(2))); got != "## dialtone plan\n\nNo changes. Every recovery is at its requested stage.\n" {
		t.Errorf("got %q", got)
	}
}
