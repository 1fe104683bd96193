// Package views is what dialtone's commands print: one view type per command, with a
// human implementation and, for a command with -json, a JSON one, as Terraform's
// internal/command/views. Commands decide and call their view; a view prints and
// decides nothing, and never feeds a record (the run report is collected by the run).
package views

import (
	"io"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/ansi"
)

// Streams are the outputs of one invocation and its colour decision.
type Streams struct {
	Out, Err io.Writer
	Color    bool
}

func (s Streams) paint(code, text string) string { return ansi.Paint(s.Color, code, text) }

const (
	red    = ansi.Red
	green  = ansi.Green
	yellow = ansi.Yellow
	bold   = ansi.Bold
)
