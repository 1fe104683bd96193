package render_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
)

// Every plan shows the privileged settings, and a change to one stands out.
func TestSettingsShown(t *testing.T) {
	p, _ := planner.Compute(plantest.Config(config.StageDialTone), plantest.State(2), providers.Capabilities{}, planner.ComputeOptions{})
	p.Settings = []planner.Setting{
		{Name: "provider.exchange.command", Value: `["pwsh"]`, Source: "default"},
		{Name: "provider.exchange.connection_uri", Value: "https://ex02/PowerShell/", Source: "environment DIALTONE_EXCHANGE_CONNECTION_URI", Was: "https://ex01/PowerShell/"},
	}
	var text, md, js bytes.Buffer
	if err := render.Text(&text, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := render.Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if err := render.JSON(&js, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"   provider.exchange.command = [\"pwsh\"] (default)\n",
		" ! provider.exchange.connection_uri = https://ex02/PowerShell/ (environment DIALTONE_EXCHANGE_CONNECTION_URI); changed, was https://ex01/PowerShell/\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, want := range []string{
		"**A privileged provider or backend setting changed**",
		"- **changed** `provider.exchange.connection_uri`: `https://ex02/PowerShell/`, was `https://ex01/PowerShell/`",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if !strings.Contains(js.String(), `"was": "https://ex01/PowerShell/"`) {
		t.Error("JSON lacks the previous value")
	}
}
