package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/dialtone/dialtone/planner/render/mdcheck"
)

// TestScriptMarkdownRendersAsWritten renders the Markdown files the end-to-end scripts
// compare output with (a plan shown and planned as Markdown) with cmark-gfm and checks
// the HTML, like the goldens of planner/render.
func TestScriptMarkdownRendersAsWritten(t *testing.T) {
	mdcheck.Require(t)
	scripts, _ := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	seen := 0
	for _, f := range scripts {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range a.Files {
			if !strings.HasSuffix(file.Name, ".md") {
				continue
			}
			seen++
			md := string(file.Data)
			html, err := mdcheck.Render(md)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range mdcheck.Problems(md, html) {
				t.Errorf("%s, %s: %s", f, file.Name, p)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no Markdown file in the scripts")
	}
}
