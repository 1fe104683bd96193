package render_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

// TestPartialPlanWarns: every view of a targeted plan says it is partial and names
// what was pulled in.
func TestPartialPlanWarns(t *testing.T) {
	cfg, st := plantest.SiteFailure(1, 2, 2, config.StageMerged)
	p, diags := planner.Compute(cfg, st, plantest.NewFake().Caps, planner.ComputeOptions{
		Targets: []config.Addr{{Kind: config.KindRecovery, Name: "db0102-outage"}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	views := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return render.Text(b, p, render.TextOptions{}) },
		"markdown": func(b *bytes.Buffer) error { return render.Markdown(b, p) },
		"mermaid":  func(b *bytes.Buffer) error { return render.Mermaid(b, p) },
		"dot":      func(b *bytes.Buffer) error { return render.DOT(b, p) },
		"json":     func(b *bytes.Buffer) error { return render.JSON(b, p) },
	}
	for name, view := range views {
		var b bytes.Buffer
		if err := view(&b); err != nil {
			t.Fatal(name, err)
		}
		out := b.String()
		if name == "json" {
			var doc struct {
				Partial  bool     `json:"partial"`
				Targets  []string `json:"targets"`
				PulledIn []struct {
					Recovery string `json:"recovery"`
				} `json:"pulled_in"`
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if !doc.Partial || len(doc.Targets) != 1 || len(doc.PulledIn) != 1 {
				t.Errorf("json: %+v", doc)
			}
			continue
		}
		if !strings.Contains(out, "-target=recovery.db0102-outage") || !strings.Contains(out, "recovery.db0101-outage") {
			t.Errorf("%s does not name the target and the pulled-in recovery:\n%s", name, out)
		}
		if name == "text" && !strings.HasPrefix(out, "╷\n│ Warning: Recovery targeting is in effect") {
			t.Errorf("text starts:\n%s", out[:200])
		}
		if name == "markdown" && !strings.Contains(out, "> [!WARNING]\n> **Recovery targeting is in effect.**") {
			t.Errorf("markdown lacks the alert:\n%s", out[:400])
		}
	}
}
