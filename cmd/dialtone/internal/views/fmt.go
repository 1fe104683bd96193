package views

import (
	"fmt"
	"io"

	"github.com/dialtone/dialtone/planner/render"
)

// Fmt is the view of "dialtone fmt": the files it changes (-list), what it changes
// (-diff), or the formatted standard input.
type Fmt struct{ s Streams }

// NewFmt returns the fmt view (human only).
func NewFmt(s Streams) Fmt { return Fmt{s} }

// Listed names a file that is not canonical.
func (v Fmt) Listed(name string) { fmt.Fprintln(v.s.Out, name) }

// Diff shows how fmt changes name, from before to after.
func (v Fmt) Diff(name string, before, after []byte) {
	fmt.Fprintf(v.s.Out, "--- %s\n+++ %s (formatted)\n", name, name)
	io.WriteString(v.s.Out, render.DiffWith(string(before), string(after), render.DiffOptions{Context: 3, Color: v.s.Color}))
}

// Formatted is the standard input formatted.
func (v Fmt) Formatted(out []byte) { v.s.Out.Write(out) }
