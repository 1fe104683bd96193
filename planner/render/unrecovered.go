package render

import (
	"fmt"

	"github.com/dialtone/dialtone/planner"
)

// Databases on failed servers that no recovery block recovers: a warning at the top of
// every rendering, plan or no plan, for as long as they stay down.

func unrecoveredText(u planner.UnrecoveredDatabase) (head, next string) {
	head = fmt.Sprintf("%s on %s (%s) is without service: %s.",
		u.Database, u.Server, Count(u.Mailboxes, "mailbox", "mailboxes"), u.Why)
	switch {
	case u.Step != "":
		return head, "Step " + u.Step + " mounts it."
	case u.Fix != "":
		return head, u.Fix
	}
	return head, "Nothing in this plan brings it back: add a recovery block for " + u.Database +
		", or mount it (Mount-Database) once " + u.Server + " is rebuilt."
}

func (t *textWriter) unrecovered(p *planner.Plan) {
	for _, u := range p.Unrecovered {
		head, next := unrecoveredText(u)
		t.line(t.paint(ansiYellow, "Warning: ") + clean(head))
		t.line("  " + clean(next))
	}
	if len(p.Unrecovered) > 0 {
		t.line("")
	}
}

func (m *mdWriter) unrecovered(p *planner.Plan) {
	for i, u := range p.Unrecovered {
		if i == mdListCap {
			m.line(fmt.Sprintf("> … and %d more databases without a recovery block (the JSON plan lists them)", len(p.Unrecovered)-mdListCap))
			m.line("")
			break
		}
		head, next := unrecoveredText(u)
		m.line("> [!WARNING]")
		m.line("> " + mdText(head) + "<br>")
		m.line("> " + mdText(next))
		m.line("")
	}
}
