package main

import (
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/ansi"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
)

// ANSI colours; used only through paint, which drops them when colour is off.
const (
	red    = ansi.Red
	green  = ansi.Green
	yellow = ansi.Yellow
	bold   = ansi.Bold
)

func (c *cli) paint(code, s string) string { return ansi.Paint(c.color, code, s) }

// writeDiags renders diagnostics with file:line:col and a source snippet on stderr.
// cfg may be nil (diagnostics without a configuration, e.g. from the planner when no
// file is known); files then come out as plain ranges.
func writeDiags(c *cli, cfg *config.Config, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files
	}
	writeDiagsTo(c.stderr, files, diags, c.color)
}

func writeDiagsTo(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	dw := hcl.NewDiagnosticTextWriter(w, files, 78, color)
	if err := dw.WriteDiagnostics(diags); err != nil {
		fmt.Fprintf(w, "Error: %v\n", diags.Error())
	}
}

// streams are the invocation's outputs for a view (internal/views).
func (c *cli) streams() views.Streams {
	return views.Streams{Out: c.stdout, Err: c.stderr, Color: c.color}
}
