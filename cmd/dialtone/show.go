package main

import (
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// cmdShow renders a saved plan (PLANFILE) or, without one, the current state.
func cmdShow(c *cli, args []string) int {
	fs := newFlagSet(c, "show", "show [-json | -format=FORMAT] [PLANFILE]")
	asJSON := fs.Bool("json", false, "print JSON: the plan document or the state document (same as -format=json)")
	formatName := fs.String("format", "", "how to show a plan: "+planFormats+" (a state: text or json)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	format, err := formatFlag(*asJSON, *formatName)
	if err != nil {
		return c.errorf("%v", err)
	}
	renderPlan, err := planRenderer(c, format)
	if err != nil {
		return c.errorf("%v", err)
	}
	if fs.NArg() > 1 {
		return c.errorf("show takes at most one argument, a plan file")
	}
	if fs.NArg() == 1 {
		file := fs.Arg(0)
		p, err := planner.ReadPlanFile(c.path(file))
		if err != nil {
			return c.errorf("reading the plan file %s: %v", file, err)
		}
		if err := renderPlan(c.stdout, p); err != nil {
			return c.errorf("rendering the plan: %v", err)
		}
		return exitOK
	}
	if format != "text" && format != "json" {
		return c.errorf("show -format=%s shows a plan: give a plan file (dialtone plan -out=FILE makes one)", format)
	}
	*asJSON = format == "json"

	st, path, ok := recordedState(c)
	if !ok {
		return exitError
	}
	if *asJSON {
		data, err := state.Encode(st)
		if err != nil {
			return c.errorf("encoding the state: %v", err)
		}
		if _, err := c.stdout.Write(data); err != nil {
			return exitError
		}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			c.stdout.Write([]byte("\n"))
		}
		return exitOK
	}
	writeStateText(c, path, st)
	return exitOK
}
