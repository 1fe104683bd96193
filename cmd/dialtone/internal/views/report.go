package views

import (
	"encoding/json"
	"fmt"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
)

// Report is the view of "dialtone report": one run report (Markdown for people, the
// JSON document for tools) or the list of them.
type Report interface {
	// List prints the reports, oldest first.
	List(reps []*runreport.Report) error
	// Show prints one report.
	Show(rep *runreport.Report) error
}

// NewReport returns the Markdown (human) or the JSON report view.
func NewReport(s Streams, asJSON bool) Report {
	if asJSON {
		return reportJSON{s}
	}
	return reportHuman{s}
}

type reportHuman struct{ s Streams }

func (h reportHuman) List(reps []*runreport.Report) error {
	w := h.s.Out
	if len(reps) == 0 {
		fmt.Fprintln(w, "No run reports yet: every apply and drill writes one.")
		return nil
	}
	fmt.Fprintf(w, "%-32s  %-20s  %-16s  %-11s  %s\n", "ID", "STARTED", "COMMAND", "RESULT", "DURATION")
	for _, r := range reps {
		cmd := r.Command
		if r.Drill != "" {
			cmd += " " + r.Drill
		}
		fmt.Fprintf(w, "%-32s  %-20s  %-16s  %-11s  %s\n", r.ID, r.Started.UTC().Format("2006-01-02 15:04:05Z"), cmd, r.Result, durfmt.Fine(durfmt.FromMS(r.DurationMS)))
	}
	return nil
}

func (h reportHuman) Show(rep *runreport.Report) error {
	runreport.WriteMarkdown(h.s.Out, rep)
	return nil
}

type reportJSON struct{ s Streams }

// reportEntry is one line of "report -list -format=json".
type reportEntry struct {
	ID         string `json:"id"`
	Time       string `json:"time"`
	Command    string `json:"command"`
	Drill      string `json:"drill,omitempty"`
	Result     string `json:"result"`
	DurationMS int64  `json:"duration_ms"`
}

func (j reportJSON) List(reps []*runreport.Report) error {
	out := []reportEntry{}
	for _, r := range reps {
		out = append(out, reportEntry{r.ID, r.Started.UTC().Format("2006-01-02T15:04:05Z"), r.Command, r.Drill, r.Result, r.DurationMS})
	}
	return j.encode(out)
}

func (j reportJSON) Show(rep *runreport.Report) error { return j.encode(rep) }

func (j reportJSON) encode(v any) error {
	enc := json.NewEncoder(j.s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
