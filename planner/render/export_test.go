package render

import (
	"io"

	"github.com/dialtone/dialtone/planner"
)

// MarkdownLimited is Markdown with another size limit, for tests of the shrinking.
func MarkdownLimited(w io.Writer, p *planner.Plan, limit int) error {
	return markdownLimited(w, p, limit)
}
