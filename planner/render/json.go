package render

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"

	"github.com/dialtone/dialtone/planner"
)

// JSON writes the plan document: the Plan as JSON, format_version first, indented by
// two spaces, with a trailing newline. HTML characters are left as they are: the
// document is read by people and tools, never embedded in a page.
func JSON(w io.Writer, p *planner.Plan) error {
	if p == nil {
		return errors.New("render: no plan")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return err
	}
	return bw.Flush()
}
