package render

import (
	"github.com/dialtone/dialtone/planner"
)

// settingsTitle heads the privileged settings (planner.Setting) in every plan that has
// them: a reviewer sees which program runs and where credentials and the state go, and
// any change to them since the state was last written.
const settingsTitle = "Provider and backend settings (privileged: pinned by the admin's environment or on the built-in allow-list)"

func (t *textWriter) settings(p *planner.Plan) {
	if len(p.Settings) == 0 {
		return
	}
	t.line(settingsTitle + ":")
	for _, s := range p.Settings {
		mark := "   "
		if s.Was != "" {
			mark = t.paint(ansiYellow, " ! ")
		}
		line := mark + clean(s.Name) + " = " + clean(s.Value) + " (" + clean(s.Source) + ")"
		if s.Was != "" {
			line += "; changed, was " + clean(s.Was)
		}
		t.line(line)
	}
	t.line("")
}

func (m *mdWriter) settings(p *planner.Plan) {
	if len(p.Settings) == 0 {
		return
	}
	changed := false
	for _, s := range p.Settings {
		changed = changed || s.Was != ""
	}
	if changed {
		m.line("> [!WARNING]")
		m.line("> **A privileged provider or backend setting changed** since the state was last written: check it below.")
		m.line("")
	}
	m.line("### " + settingsTitle)
	m.line("")
	for _, s := range p.Settings {
		line := "- " + mdCode(s.Name, false) + ": " + mdCode(s.Value, false) + " (" + mdText(s.Source) + ")"
		if s.Was != "" {
			line = "- **changed** " + mdCode(s.Name, false) + ": " + mdCode(s.Value, false) + ", was " + mdCode(s.Was, false) + " (" + mdText(s.Source) + ")"
		}
		m.line(line)
	}
	m.line("")
}
