package views

import (
	"fmt"
	"io"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
)

// PlanFormats lists the -format values of show and plan, for help and errors; keep it
// in step with NewPlan's cases.
const PlanFormats = "text, json, markdown, mermaid, powershell"

// Plan is the view of a plan (plan, show PLANFILE): one of the planner's renderers.
type Plan interface {
	// Show prints the plan.
	Show(p *planner.Plan) error
	// Saved says where the plan was written and how to apply it (text only: the other
	// formats are documents, read by tools).
	Saved(path string)
}

// NewPlan returns the view of a plan that -format names ("" is text). It is the one
// place where show and plan learn a format: add a case here and both have it.
func NewPlan(s Streams, format string) (Plan, error) {
	var r func(w io.Writer, p *planner.Plan) error
	switch format {
	case "", "text":
		r = func(w io.Writer, p *planner.Plan) error {
			return render.Text(w, p, render.TextOptions{Color: s.Color})
		}
	case "json":
		r = render.JSON
	case "markdown":
		r = render.Markdown
	case "mermaid":
		r = render.Mermaid
	case "powershell":
		r = render.PowerShell
	default:
		return nil, fmt.Errorf("unknown format %q: use one of %s", format, PlanFormats)
	}
	return planView{s: s, render: r, text: format == "" || format == "text"}, nil
}

type planView struct {
	s      Streams
	render func(w io.Writer, p *planner.Plan) error
	text   bool
}

func (v planView) Show(p *planner.Plan) error { return v.render(v.s.Out, p) }

func (v planView) Saved(path string) {
	if v.text {
		fmt.Fprintf(v.s.Out, "\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n  dialtone apply %s\n", path, path)
	}
}
