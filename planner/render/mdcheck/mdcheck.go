// Package mdcheck renders Markdown as GitHub does (cmark-gfm, the engine GitHub uses,
// with its table, autolink, tagfilter and strikethrough extensions) and checks that
// the HTML says what the Markdown meant: for the tests of every Markdown dialtone
// writes (plans, run reports).
package mdcheck

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Mermaid's limits as GitHub applies them, with room to spare (see planner/render).
const (
	MaxEdges = 450
	MaxChars = 45000
)

// Require skips t when cmark-gfm cannot run, or fails it when
// DIALTONE_TEST_REQUIRE_CMARK=1 (CI installs it: .ci/run).
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("cmark-gfm"); err != nil {
		if os.Getenv("DIALTONE_TEST_REQUIRE_CMARK") == "1" {
			t.Fatalf("cmark-gfm is required (DIALTONE_TEST_REQUIRE_CMARK=1) and cannot run: %v", err)
		}
		t.Skip("cmark-gfm not installed (Debian package cmark-gfm)")
	}
}

// Render is md as HTML, as GitHub's engine renders it (raw HTML kept, as GitHub keeps
// <details> and <sub>).
func Render(md string) (string, error) {
	cmd := exec.Command("cmark-gfm", "--unsafe", "--github-pre-lang", "-e", "table", "-e", "autolink", "-e", "tagfilter", "-e", "strikethrough")
	cmd.Stdin = strings.NewReader(md)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cmark-gfm: %v: %s", err, errb.String())
	}
	return out.String(), nil
}

var (
	emphasis  = regexp.MustCompile(`(?s)<(em|strong)>.*?</(em|strong)>`)
	codeOrPre = regexp.MustCompile(`(?s)<pre[^>]*>.*?</pre>|<code>.*?</code>`)
	mermaid   = regexp.MustCompile(`(?s)<pre lang="mermaid"><code>(.*?)</code></pre>`)
	tag       = regexp.MustCompile(`<[^>]*>`)
)

// Problems lists where html (the rendering of md) differs from what md meant: any
// italics (dialtone never writes them: they come from a stray * or _), emphasis around
// a code span, a backtick outside code that md did not escape (a code span that did
// not close, or an empty one), a table row
// that became a paragraph, a <details> section left open, or a Mermaid block over
// Mermaid's limits.
func Problems(md, htmlOut string) []string {
	var out []string
	for _, e := range emphasis.FindAllString(htmlOut, -1) {
		switch {
		case strings.HasPrefix(e, "<em>"):
			out = append(out, "italics: "+short(e))
		case strings.Contains(e, "<code>"):
			out = append(out, "emphasis around a code span: "+short(e))
		}
	}
	// A backtick outside code is one the Markdown escaped (\`, text that holds one) or
	// one of a code span that did not close.
	text := codeOrPre.ReplaceAllString(htmlOut, "")
	escaped := strings.Count(md, "\\`")
	for _, l := range strings.Split(text, "\n") {
		if n := strings.Count(tag.ReplaceAllString(l, ""), "`"); n > 0 {
			if escaped >= n {
				escaped -= n
				continue
			}
			out = append(out, "a literal backtick: "+short(l))
		}
		if strings.HasPrefix(l, "<p>|") {
			out = append(out, "a table row rendered as text: "+short(l))
		}
	}
	opened, closed := strings.Count(htmlOut, "<details"), strings.Count(htmlOut, "</details>")
	if opened != closed {
		out = append(out, fmt.Sprintf("%d <details> opened, %d closed", opened, closed))
	}
	if want := strings.Count(md, "\n<details"); strings.HasPrefix(md, "<details") && want+1 != opened || !strings.HasPrefix(md, "<details") && want != opened {
		out = append(out, fmt.Sprintf("%d <details> written, %d rendered (one was swallowed by a code block)", want, opened))
	}
	for _, m := range MermaidBlocks(htmlOut) {
		edges := strings.Count(m, "-->") + strings.Count(m, "~~~")
		if edges > MaxEdges || len(m) > MaxChars {
			out = append(out, fmt.Sprintf("a Mermaid block over the limits: %d edges, %d characters", edges, len(m)))
		}
	}
	return out
}

// MermaidBlocks are the sources of the Mermaid blocks of the HTML.
func MermaidBlocks(htmlOut string) []string {
	var out []string
	for _, m := range mermaid.FindAllStringSubmatch(htmlOut, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
