package runreport

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
)

// WriteMarkdown renders a run report for the incident review: a summary, where
// a paused run stopped and what to do next, what happened to users (the outage windows
// as measured), a measured timeline (Mermaid gantt), the recoveries, every step (start
// time, duration, result, and in one details column the retries, who confirmed it, why
// it was skipped, its error) and, for a drill, what happened to the mail.
func WriteMarkdown(w io.Writer, r *Report) {
	title := "dialtone " + r.Command
	if r.Drill != "" {
		title += " " + r.Drill
	}
	fmt.Fprintf(w, "# Run report: %s\n\n", title)
	fmt.Fprintf(w, "- **Run:** `%s`\n", r.ID)
	result := r.Result
	if r.Result == "paused" {
		result = "paused at a manual step (see below)"
	}
	fmt.Fprintf(w, "- **Result:** %s\n", result)
	fmt.Fprintf(w, "- **Started:** %s\n", fmtTime(r.Started))
	fmt.Fprintf(w, "- **Finished:** %s (%s)\n", fmtTime(r.Finished), durfmt.Human(durfmt.FromMS(r.DurationMS)))
	if r.Lineage != "" {
		fmt.Fprintf(w, "- **State:** lineage `%s`, serial %d\n", r.Lineage, r.Serial)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "- **Error:** %s\n", mdInline(r.Error))
	}
	for i, wt := range r.Waiting {
		if i == 0 {
			fmt.Fprintf(w, "\n> [!IMPORTANT]\n> **Paused** at %s: %s.\n", mdCodeSpan(wt.Step), mdInline(wt.Summary))
			if wt.Instructions != "" {
				fmt.Fprintf(w, ">\n> Do this by hand: %s\n", mdInline(wt.Instructions))
			}
			fmt.Fprintf(w, ">\n> Next: once it is done, run %s, then %s again.\n", mdCodeSpan(wt.Confirm), mdCodeSpan("dialtone apply"))
			continue
		}
		fmt.Fprintf(w, ">\n> Also waiting for a person: %s (%s): %s once it is done.\n", mdCodeSpan(wt.Step), mdInline(wt.Summary), mdCodeSpan(wt.Confirm))
	}

	writeUsers(w, r)
	if g := timeline(r); g != "" {
		fmt.Fprintf(w, "\n## Timeline (measured)\n\n```mermaid\n%s```\n", g)
	}

	if len(r.Recoveries) > 0 {
		fmt.Fprintf(w, "\n## Recoveries\n\n| recovery | option | database | server | mailboxes | stages | reached |\n| --- | --- | --- | --- | ---: | --- | --- |\n")
		for _, rc := range r.Recoveries {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %s → %s | %s |\n", mdCodeSpan("recovery."+rc.Name), mdCell(rc.Option), mdCell(rc.Database),
				mdCell(rc.Server), rc.Mailboxes, mdCodeSpan(stageOr(rc.From, "(not started)")), mdCodeSpan(rc.To), mdCodeSpan(rc.Reached))
		}
	}

	fmt.Fprintf(w, "\n## Steps\n\n")
	if len(r.Steps) == 0 {
		fmt.Fprintf(w, "No step ran.\n")
	} else {
		fmt.Fprintf(w, "Times are UTC, on %s unless a date is given.\n\n", r.Started.UTC().Format("2006-01-02"))
		fmt.Fprintf(w, "| # | step | start | took | result | details |\n| ---: | --- | --- | ---: | --- | --- |\n")
		for i, s := range r.Steps {
			var details []string
			if s.Retries > 0 {
				details = append(details, fmt.Sprintf("%d %s", s.Retries, map[bool]string{true: "retry", false: "retries"}[s.Retries == 1]))
			}
			if s.ConfirmedBy != "" {
				details = append(details, "confirmed by "+s.ConfirmedBy)
			}
			if s.Detail != "" {
				details = append(details, s.Detail)
			}
			if s.Error != "" {
				details = append(details, "error: "+s.Error)
			}
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", i+1, mdCodeSpan(strings.TrimPrefix(s.ID, "recovery.")), clockTime(s.Started, r.Started),
				durfmt.Measured(durfmt.FromMS(s.DurationMS)), mdCell(s.Result), mdCell(strings.Join(details, "; ")))
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

// writeUsers is the outage windows as measured, one row each: users down since
// the failure (before the run: only the run's part is measured) until a step, or from
// one step to another, or still down when the run ended.
func writeUsers(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\n## What happened to users (measured)\n\n")
	if len(r.Outages) == 0 {
		fmt.Fprintf(w, "No outage window started in this run.\n")
		return
	}
	fmt.Fprintf(w, "| recovery | mailboxes | without service | took |\n| --- | ---: | --- | ---: |\n")
	for _, o := range r.Outages {
		var when, took string
		to := "until " + clockTime(o.Ended, r.Started) + " (" + mdCodeSpan(shortStep(o.ToStep)) + ")"
		if o.Open {
			to = "still without service when the run ended (" + mdCodeSpan(shortStep(o.ToStep)) + " not done)"
		}
		took = durfmt.Measured(durfmt.FromMS(o.DurationMS))
		if o.Reason == planner.ReasonFailure {
			when = "since the failure " + to
			took = "this run's part: " + took
		} else {
			when = mdCell(o.Reason) + ": from " + clockTime(o.Started, r.Started) + " (" + mdCodeSpan(shortStep(o.FromStep)) + ") " + to
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", mdCodeSpan("recovery."+o.Recovery), o.Mailboxes, when, took)
	}
}

// timeline is the run as measured: per recovery its phases and outage windows
// (one bar per window and per phase across recoveries above ten), in milliseconds,
// seconds or minutes from the start of the run. Empty without steps.
func timeline(r *Report) string {
	if len(r.Steps) == 0 {
		return ""
	}
	total := r.Finished.Sub(r.Started)
	unit, name := time.Millisecond, "milliseconds"
	switch {
	case total > 2*time.Hour:
		unit, name = time.Minute, "minutes"
	case total > 10*time.Second:
		unit, name = time.Second, "seconds"
	}
	pos := func(t time.Time) int64 {
		if t.Before(r.Started) {
			return 0
		}
		return int64(t.Sub(r.Started) / unit)
	}
	type span struct{ from, to time.Time }
	perRecovery := len(r.Recoveries) <= 10
	phases := map[string]map[string]*span{}
	var order []string // section|phase in first-seen order
	seen := map[string]bool{}
	for _, s := range r.Steps {
		if s.Phase == "" || s.Started.Before(r.Started) {
			continue // a step confirmed before the run
		}
		section := "Phases, all recoveries"
		if perRecovery {
			section = s.Recovery
		}
		if phases[section] == nil {
			phases[section] = map[string]*span{}
		}
		sp := phases[section][s.Phase]
		if sp == nil {
			sp = &span{s.Started, s.Finished}
			phases[section][s.Phase] = sp
		}
		sp.from = minTime(sp.from, s.Started)
		sp.to = maxTime(sp.to, s.Finished)
		if key := section + "|" + s.Phase; !seen[key] {
			seen[key] = true
			order = append(order, key)
		}
	}
	var bars []render.GanttBar
	for _, o := range r.Outages {
		bar := render.GanttBar{Section: "Users without service", Name: o.Recovery + " " + o.Reason, Crit: true,
			Start: pos(o.Started), End: pos(o.Ended)}
		if o.Reason == planner.ReasonFailure {
			bar.Start, bar.Name = 0, o.Recovery+" since the failure"
		}
		if o.Open {
			bar.End, bar.Name = pos(r.Finished), bar.Name+", still down at the end"
		}
		if perRecovery {
			bar.Section, bar.Name = o.Recovery, strings.TrimPrefix(bar.Name, o.Recovery+" ")
		}
		bars = append(bars, bar)
	}
	for _, key := range order {
		section, phase, _ := strings.Cut(key, "|")
		sp := phases[section][phase]
		bars = append(bars, render.GanttBar{Section: section, Name: phaseLabel(phase), Start: pos(sp.from), End: pos(sp.to)})
	}
	// Sections together, in the order of the recoveries (then the shared sections).
	rank := map[string]int{}
	for i, rc := range r.Recoveries {
		rank[rc.Name] = i + 1
	}
	sort.SliceStable(bars, func(i, j int) bool { return rank[bars[i].Section] < rank[bars[j].Section] })
	if !perRecovery {
		sort.SliceStable(bars, func(i, j int) bool { return bars[i].Crit && !bars[j].Crit })
	}
	return render.GanttChart(fmt.Sprintf("Measured, in %s from the start of the run", name), bars)
}

func phaseLabel(ph string) string {
	switch planner.Phase(ph) {
	case planner.PhaseRestoreService:
		return "Restore service"
	case planner.PhaseRestoreData:
		return "Restore data"
	case planner.PhaseSwap:
		return "Swap"
	case planner.PhaseMerge:
		return "Merge"
	case planner.PhaseCleanUp:
		return "Clean up"
	}
	return ph
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// clockTime is t as a time of day, with its date when it is not the run's day.
func clockTime(t, day time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case t.UTC().Format("2006-01-02") != day.UTC().Format("2006-01-02"):
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	return t.UTC().Format("15:04:05")
}

// shortStep is a step ID without its recovery prefix.
func shortStep(id string) string {
	if rest, ok := strings.CutPrefix(id, "recovery."); ok {
		if i := strings.Index(rest, "."); i >= 0 {
			return rest[i+1:]
		}
	}
	return id
}

func stageOr(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mdInline is s on one line as plain Markdown text: nothing in it makes emphasis,
// code, links, HTML or a table cell (render's escaper, the plans' own).
func mdInline(s string) string { return render.MarkdownText(oneLine(s)) }

func mdCell(s string) string { return mdInline(s) }

// mdCodeSpan is s as inline code in a table cell: fenced by more backticks than any
// run in it, "|" escaped (GitHub splits cells even inside code).
func mdCodeSpan(s string) string {
	s = strings.ReplaceAll(oneLine(s), "|", `\|`)
	if s == "" {
		return "-"
	}
	run, most := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			most = max(most, run)
		} else {
			run = 0
		}
	}
	ticks := strings.Repeat("`", most+1)
	if most > 0 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return ticks + " " + s + " " + ticks
	}
	return ticks + s + ticks
}
