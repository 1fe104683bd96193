package views

import "fmt"

import "github.com/dialtone/dialtone/state"

import "github.com/dialtone/dialtone/planner"

// Refresh is the view of "dialtone refresh".
type Refresh struct{ S Streams }

// Refreshed says what changed outside dialtone (drift), apart from the partial effects
// of steps an interrupted apply started (own), then what the state now records.
func (v Refresh) Refreshed(drift, own []planner.Drift, path string, st *state.State) {
	w := v.S.Out
	if len(own) > 0 {
		fmt.Fprintln(w, "Partial effects of steps an interrupted apply started (the next apply resumes them):")
		for _, d := range own {
			fmt.Fprintf(w, "  ~ %s (%s)\n", d.Summary, d.Step)
		}
	}
	if len(drift) == 0 {
		fmt.Fprintln(w, "Nothing changed outside dialtone since the last recorded state.")
	} else {
		fmt.Fprintln(w, "Changed outside dialtone since the last recorded state:")
		for _, d := range drift {
			fmt.Fprintf(w, "  ~ %s\n", d.Summary)
		}
	}
	fmt.Fprintf(w, "Refreshed: %d servers, %d databases, %d mailboxes recorded in %s (serial %d).\n",
		len(st.Servers), len(st.Databases), len(st.Mailboxes), path, st.Serial)
}
