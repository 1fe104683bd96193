package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestMarkdownLinks checks every relative link of every Markdown file of the repository
// (the README, docs/, the examples' READMEs): the file or folder it names exists, and an
// #anchor names a heading of the Markdown file it points at (as GitHub spells anchors).
// The README is a map into docs/: a page moved or a heading renamed must not leave a
// reader at a dead link. testdata folders hold golden outputs, not documentation.
func TestMarkdownLinks(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %d Markdown files under %s", len(files), root)
	}
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		anchors[path] = markdownAnchors(string(data))
		return anchors[path]
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		for _, l := range markdownLinks(string(data)) {
			target := l.target
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
				if !strings.HasPrefix(dest, root) {
					t.Errorf("%s:%d: link %q leaves the repository", rel, l.line, target)
					continue
				}
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s:%d: link %q: no such file or folder", rel, l.line, target)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(dest, ".md") && !anchorsOf(dest)[anchor] {
				t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s", rel, l.line, target, filepath.Base(dest), anchor)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative link found: the link scanner is broken")
	}
	t.Logf("%d relative links in %d Markdown files resolve", checked, len(files))
}

type mdLink struct {
	target string
	line   int
}

var (
	inlineLinkRE = regexp.MustCompile(`\]\(([^)\s]*)(?:\s+"[^"]*")?\)`)
	refLinkRE    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s+(\S+)`)
	codeSpanRE   = regexp.MustCompile("`+[^`]*`+")
	fenceRE      = regexp.MustCompile("^\\s{0,3}(`{3,}|~{3,})")
)

// markdownLinks returns the link targets of a Markdown text, outside code blocks and
// code spans.
func markdownLinks(text string) []mdLink {
	var out []mdLink
	fence := ""
	for i, line := range strings.Split(text, "\n") {
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			switch {
			case fence == "":
				fence = m[1]
				continue
			case strings.TrimSpace(line) == fence:
				fence = ""
				continue
			}
		}
		if fence != "" {
			continue
		}
		if m := refLinkRE.FindStringSubmatch(line); m != nil {
			out = append(out, mdLink{m[1], i + 1})
			continue
		}
		line = codeSpanRE.ReplaceAllStringFunc(line, func(span string) string {
			// A code span inside link text ([`examples/x`](examples/x)) is kept as text.
			return strings.Repeat("x", len(span))
		})
		for _, m := range inlineLinkRE.FindAllStringSubmatch(line, -1) {
			out = append(out, mdLink{m[1], i + 1})
		}
	}
	return out
}

// markdownAnchors returns the anchors GitHub gives the headings of a Markdown text:
// lower case, punctuation dropped, spaces as hyphens, a repeated one suffixed -1, -2.
func markdownAnchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fence := ""
	linkText := regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	for _, line := range strings.Split(text, "\n") {
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			switch {
			case fence == "":
				fence = m[1]
				continue
			case strings.TrimSpace(line) == fence:
				fence = ""
				continue
			}
		}
		if fence != "" || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		title = linkText.ReplaceAllString(title, "$1")
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			out[fmt.Sprintf("%s-%d", anchor, n)] = true
		} else {
			out[anchor] = true
		}
		seen[anchor]++
	}
	return out
}

// TestMarkdownAnchors pins the anchor rules on headings the docs use.
func TestMarkdownAnchors(t *testing.T) {
	got := markdownAnchors("# Walkthrough: a same-server recovery by hand\n" +
		"## Manual steps and `dialtone confirm`\n" +
		"```\n# not a heading\n```\n" +
		"## Moving the state to another backend: `init -migrate-state`\n" +
		"## Logs\n## Logs\n")
	for _, want := range []string{"walkthrough-a-same-server-recovery-by-hand", "manual-steps-and-dialtone-confirm",
		"moving-the-state-to-another-backend-init--migrate-state", "logs", "logs-1"} {
		if !got[want] {
			t.Errorf("anchor %q missing from %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a line in a code block was taken for a heading")
	}
	links := markdownLinks("see [a](docs/a.md#x) and `[b](no)`\n```\n[c](no)\n```\n[d]: e.md\n")
	if len(links) != 2 || links[0].target != "docs/a.md#x" || links[1].target != "e.md" {
		t.Errorf("links = %+v", links)
	}
}
