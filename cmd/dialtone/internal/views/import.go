package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/importhcl"
	"github.com/dialtone/dialtone/planner/render"
)

// ImportSummary says what "dialtone import" added and what it left out, and why: on
// stderr when the HCL itself goes to stdout, so that "dialtone import > org.hcl" gives
// a clean file.
func ImportSummary(w io.Writer, res *importhcl.Result, out string) {
	where := ""
	if out != "" {
		where = " to " + out
	}
	fmt.Fprintf(w, "Imported %s and %s%s.\n", render.Count(len(res.AddedServers), "server", "servers"), render.Count(len(res.AddedDatabases), "database", "databases"), where)
	if n := len(res.SkippedServers) + len(res.SkippedDatabases); n > 0 {
		fmt.Fprintf(w, "Left out, already declared in this folder: %s.\n", joinNames(append(prefixed("server ", res.SkippedServers), prefixed("database ", res.SkippedDatabases)...)))
	}
	if len(res.RecoveryDatabases) > 0 {
		fmt.Fprintf(w, "Left out, recovery databases (never part of the topology): %s.\n", joinNames(res.RecoveryDatabases))
	}
	for _, note := range res.Notes {
		fmt.Fprintf(w, "Note: %s\n", note)
	}
}

func prefixed(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

// joinNames lists names, the first ten and then how many more, so that re-importing a
// folder of 2,000 databases says so in one line.
func joinNames(names []string) string {
	const max = 10
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
}

// ImportUnchanged says "dialtone import -out=FILE" found nothing new to write.
func ImportUnchanged(s Streams, out string) {
	fmt.Fprintf(s.Out, "Nothing new: %s not written.\n", out)
}
