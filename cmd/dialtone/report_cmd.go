package main

import (
	"errors"
	"os"
	"sort"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
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
	ids, err := store.ReportIDs(c.ctx)
	if err != nil {
		return c.errorf("listing run reports: %v", err)
	}
	view := views.NewReport(c.streams(), *format == "json")
	if *list {
		reps := runreport.LoadAll(c.ctx, store, c.log)
		// By start, as the latest is chosen (runreport.Latest): IDs share their second,
		// and their random suffix must not order runs of the same second.
		sort.SliceStable(reps, func(i, j int) bool { return reps[i].Started.Before(reps[j].Started) })
		view.List(reps)
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
		id = runreport.Latest(c.ctx, store, ids)
	}
	rep, err := runreport.Load(c.ctx, store, id)
	if errors.Is(err, os.ErrNotExist) {
		return c.errorf("no run report %q; \"dialtone report -list\" lists them", id)
	}
	if err != nil {
		return c.errorf("%v", err)
	}
	if err := view.Show(rep); err != nil {
		return c.errorf("%v", err)
	}
	return exitOK
}
