package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// writeReportMarkdown renders a run report for the incident review: a summary, the
// recoveries, the outage windows as measured, every step (start, end, duration,
// result, retries, who confirmed it) and, for a drill, what happened to the mail.
func writeReportMarkdown(w io.Writer, r *runReport) {
	title := "dialtone " + r.Command
	if r.Drill != "" {
		title += " " + r.Drill
	}
	fmt.Fprintf(w, "# Run report: %s\n\n", title)
	fmt.Fprintf(w, "- **Run:** `%s`\n", r.ID)
	fmt.Fprintf(w, "- **Result:** %s\n", r.Result)
	fmt.Fprintf(w, "- **Started:** %s\n", fmtTime(r.Started))
	fmt.Fprintf(w, "- **Finished:** %s (%s)\n", fmtTime(r.Finished), fmtDurHuman(msDur(r.DurationMS)))
	if r.Lineage != "" {
		fmt.Fprintf(w, "- **State:** lineage `%s`, serial %d\n", r.Lineage, r.Serial)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "- **Error:** %s\n", oneLine(r.Error))
	}

	if len(r.Recoveries) > 0 {
		fmt.Fprintf(w, "\n## Recoveries\n\n| recovery | option | database | server | mailboxes | stages | reached |\n| --- | --- | --- | --- | ---: | --- | --- |\n")
		for _, rc := range r.Recoveries {
			from := rc.From
			if from == "" {
				from = "(not started)"
			}
			fmt.Fprintf(w, "| `recovery.%s` | %s | %s | %s | %d | `%s` → `%s` | `%s` |\n", rc.Name, rc.Option, rc.Database, rc.Server, rc.Mailboxes, from, rc.To, rc.Reached)
		}
	}

	fmt.Fprintf(w, "\n## Outage windows (measured)\n\n")
	if len(r.Outages) == 0 {
		fmt.Fprintf(w, "No outage window started in this run.\n")
	} else {
		fmt.Fprintf(w, "| recovery | reason | mailboxes | from | to | duration |\n| --- | --- | ---: | --- | --- | ---: |\n")
		for _, o := range r.Outages {
			to := fmtTime(o.Ended)
			if o.Open {
				to = "still open at the end of the run"
			}
			fmt.Fprintf(w, "| `recovery.%s` | %s | %d | %s (`%s`) | %s (`%s`) | %s |\n", o.Recovery, o.Reason, o.Mailboxes,
				fmtTime(o.Started), shortStep(o.FromStep), to, shortStep(o.ToStep), fmtDurHuman(msDur(o.DurationMS)))
		}
	}

	fmt.Fprintf(w, "\n## Steps\n\n")
	if len(r.Steps) == 0 {
		fmt.Fprintf(w, "No step ran.\n")
	} else {
		fmt.Fprintf(w, "| # | step | started | finished | duration | result | retries | confirmed by |\n| ---: | --- | --- | --- | ---: | --- | ---: | --- |\n")
		for i, s := range r.Steps {
			res := s.Result
			if s.Error != "" {
				res += ": " + oneLine(s.Error)
			}
			fmt.Fprintf(w, "| %d | `%s` | %s | %s | %s | %s | %d | %s |\n", i+1, s.ID, fmtTime(s.Started), fmtTime(s.Finished),
				fmtDurFine(msDur(s.DurationMS)), mdCell(res), s.Retries, mdCell(s.ConfirmedBy))
		}
	}

	if v := r.Verification; v != nil {
		verdict := "every message recovered, or lost exactly as the failure implies"
		if !v.OK {
			verdict = "**messages missing, doubled or still queued**"
		}
		fmt.Fprintf(w, "\n## Mail (lab ledger)\n\n- delivered (accepted by transport): %d\n- recovered (in their owner's mailbox exactly once): %d\n- lost to the injected failure: %d\n- missing: %d, duplicated: %d, still queued: %d\n- verdict: %s\n",
			v.Delivered, v.Recovered, v.Lost, v.Missing, v.Duplicated, v.Queued, verdict)
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func msDur(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

// shortStep is a step ID without its recovery prefix.
func shortStep(id string) string {
	if i := strings.LastIndex(id, "."); i >= 0 && !strings.Contains(id[i:], "[") {
		return id[i+1:]
	}
	return id
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func mdCell(s string) string { return strings.ReplaceAll(oneLine(s), "|", `\|`) }
