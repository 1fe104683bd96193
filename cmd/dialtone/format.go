package main

import (
	"fmt"
	"io"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
)

// planFormats lists the -format values of show and plan, for help and errors; keep it
// in step with planRenderer's cases.
const planFormats = "text, json, markdown, mermaid, powershell"

// planRenderer returns the view of a plan that -format names ("" is text). It is the
// one place where show and plan learn a format: add a case here and both have it.
func planRenderer(c *cli, format string) (func(w io.Writer, p *planner.Plan) error, error) {
	switch format {
	case "", "text":
		return func(w io.Writer, p *planner.Plan) error {
			return render.Text(w, p, render.TextOptions{Color: c.color})
		}, nil
	case "json":
		return render.JSON, nil
	case "markdown":
		return render.Markdown, nil
	case "mermaid":
		return render.Mermaid, nil
	case "powershell":
		return render.PowerShell, nil
	}
	return nil, fmt.Errorf("unknown format %q: use one of %s", format, planFormats)
}

// formatFlag resolves -json and -format into one format name; -json is -format=json.
func formatFlag(asJSON bool, format string) (string, error) {
	if asJSON {
		if format != "" && format != "json" {
			return "", fmt.Errorf("-json and -format=%s disagree: use one of them", format)
		}
		return "json", nil
	}
	if format == "" {
		return "text", nil
	}
	return format, nil
}
