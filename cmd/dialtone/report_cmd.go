package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
)

// cmdReport prints a run report (the latest by default) as Markdown or JSON, or lists
// them with -list.
func cmdReport(c *cli, args []string) int {
	fs := newFlagSet(c, "report", "report [-list] [-format=markdown|json] [RUN_ID]")
	list := fs.Bool("list", false, "list the reports: id, time, command, result, duration")
	format := fs.String("format", "markdown", "markdown or json")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *format != "markdown" && *format != "json" {
		return c.errorf("-format=%s: use markdown or json", *format)
	}
	if fs.NArg() > 1 {
		return c.errorf("report takes at most one argument, the run ID")
	}
	cfg, ok := loadConfig(c)
	if !ok {
		return exitError
	}
	store := reportStore(c, cfg)
	ids, err := store.ReportIDs()
	if err != nil {
		return c.errorf("listing run reports: %v", err)
	}
	if *list {
		reps := runreport.LoadAll(store, c.log)
		// By start, as the latest is chosen (latestReport): IDs share their second,
		// and their random suffix must not order runs of the same second.
		sort.SliceStable(reps, func(i, j int) bool { return reps[i].Started.Before(reps[j].Started) })
		if *format == "json" {
			type entry struct {
				ID         string `json:"id"`
				Time       string `json:"time"`
				Command    string `json:"command"`
				Drill      string `json:"drill,omitempty"`
				Result     string `json:"result"`
				DurationMS int64  `json:"duration_ms"`
			}
			out := []entry{}
			for _, r := range reps {
				out = append(out, entry{r.ID, r.Started.UTC().Format("2006-01-02T15:04:05Z"), r.Command, r.Drill, r.Result, r.DurationMS})
			}
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			enc.Encode(out)
			return exitOK
		}
		if len(reps) == 0 {
			fmt.Fprintln(c.stdout, "No run reports yet: every apply and drill writes one.")
			return exitOK
		}
		fmt.Fprintf(c.stdout, "%-32s  %-20s  %-16s  %-11s  %s\n", "ID", "STARTED", "COMMAND", "RESULT", "DURATION")
		for _, r := range reps {
			cmd := r.Command
			if r.Drill != "" {
				cmd += " " + r.Drill
			}
			fmt.Fprintf(c.stdout, "%-32s  %-20s  %-16s  %-11s  %s\n", r.ID, r.Started.UTC().Format("2006-01-02 15:04:05Z"), cmd, r.Result, durfmt.Fine(durfmt.FromMS(r.DurationMS)))
		}
		return exitOK
	}
	id := fs.Arg(0)
	if id == "" {
		if len(ids) == 0 {
			where := reportsDir + " beside the state"
			if _, local := store.(runreport.Local); !local {
				where = "the state backend"
			}
			return c.errorf("no run reports yet: every apply and drill writes one (in %s)", where)
		}
		id = runreport.Latest(store, ids)
	}
	rep, err := runreport.Load(store, id)
	if errors.Is(err, os.ErrNotExist) {
		return c.errorf("no run report %q; \"dialtone report -list\" lists them", id)
	}
	if err != nil {
		return c.errorf("%v", err)
	}
	if *format == "json" {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return c.errorf("%v", err)
		}
		return exitOK
	}
	runreport.WriteMarkdown(c.stdout, rep)
	return exitOK
}
