package views

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// validateDoc is the document of validate -json, shaped like terraform validate -json
// so that the same tools read it. format_version "1.0"; diagnostics in the order the
// loader reports them.
type validateDoc struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// jsonDiagnostic is one diagnostic: severity "error" or "warning", the summary and
// detail, the source range when known, and a snippet of the source when the file is.
type jsonDiagnostic struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *jsonRange   `json:"range,omitempty"`
	Snippet  *jsonSnippet `json:"snippet,omitempty"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// jsonSnippet is the source lines of the range; the highlight offsets are byte
// offsets into Code.
type jsonSnippet struct {
	Code                 string `json:"code"`
	StartLine            int    `json:"start_line"`
	HighlightStartOffset int    `json:"highlight_start_offset"`
	HighlightEndOffset   int    `json:"highlight_end_offset"`
}

// Validate is the view of "dialtone validate": the success line for people (the
// diagnostics went to stderr as the configuration loaded), or the validate document.
type Validate interface {
	// Result reports the configuration's diagnostics; it returns false when there
	// are errors.
	Result(files map[string]*hcl.File, diags hcl.Diagnostics) (valid bool, err error)
}

// NewValidate returns the human or the JSON validate view.
func NewValidate(s Streams, asJSON bool) Validate {
	if asJSON {
		return validateJSON{s}
	}
	return validateHuman{s}
}

type validateHuman struct{ s Streams }

func (h validateHuman) Result(_ map[string]*hcl.File, diags hcl.Diagnostics) (bool, error) {
	if diags.HasErrors() {
		return false, nil
	}
	fmt.Fprintln(h.s.Out, h.s.paint(green, "Success! The configuration is valid."))
	return true, nil
}

// validateJSON prints the validate document on stdout, nothing on stderr.
type validateJSON struct{ s Streams }

func (j validateJSON) Result(files map[string]*hcl.File, diags hcl.Diagnostics) (bool, error) {
	doc := validateDoc{FormatVersion: "1.0", Diagnostics: []jsonDiagnostic{}}
	for _, d := range diags {
		if d == nil {
			continue
		}
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			doc.WarningCount++
		} else {
			doc.ErrorCount++
		}
		if r := d.Subject; r != nil {
			jd.Range = &jsonRange{Filename: r.Filename,
				Start: jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:   jsonPos{r.End.Line, r.End.Column, r.End.Byte}}
			if f := files[r.Filename]; f != nil {
				jd.Snippet = snippet(f.Bytes, *r)
			}
		}
		doc.Diagnostics = append(doc.Diagnostics, jd)
	}
	doc.Valid = doc.ErrorCount == 0
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return false, fmt.Errorf("encoding the result: %w", err)
	}
	j.s.Out.Write(append(out, '\n'))
	return doc.Valid, nil
}

// snippet cuts the whole lines of src that r covers; nil when r is outside src.
func snippet(src []byte, r hcl.Range) *jsonSnippet {
	if r.Start.Byte < 0 || r.End.Byte < r.Start.Byte || r.End.Byte > len(src) {
		return nil
	}
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[r.End.Byte:], '\n'); i >= 0 {
		end = r.End.Byte + i
	}
	if r.End.Byte > r.Start.Byte && r.End.Byte <= len(src) && r.End.Byte > 0 && src[r.End.Byte-1] == '\n' {
		end = r.End.Byte - 1
	}
	if end < start {
		return nil
	}
	code := string(bytes.TrimRight(src[start:end], "\r"))
	hs, he := r.Start.Byte-start, r.End.Byte-start
	he = min(he, len(code))
	hs = min(hs, he)
	return &jsonSnippet{Code: code, StartLine: r.Start.Line, HighlightStartOffset: hs, HighlightEndOffset: he}
}
