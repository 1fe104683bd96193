package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// No suggestion may name a configuration file as -out= (issue 15: "Run dialtone plan
// -out=recovery.hcl again" overwrote the configuration). Two halves: the advice built
// from a user's file name never ends in .hcl or .dtvars, and no other string of the
// program builds a -out= suggestion from a name (a format verb or a concatenation right
// after -out=), so every such suggestion goes through planNameFor.
func TestNoSuggestionNamesConfigAsOut(t *testing.T) {
	for _, name := range []string{"main.hcl", "recovery.HCL", "site/recovery.hcl", "dialtone.dtvars", "x.auto.dtvars", "restored.plan", "plan"} {
		for _, advice := range []string{planAgainAdvice(name), "-out=" + planNameFor(name)} {
			if m := regexp.MustCompile(`-out=\S*\.(?i:hcl|dtvars)\b`).FindString(advice); m != "" {
				t.Errorf("advice for %q names a configuration file: %s", name, advice)
			}
		}
	}
	if got := planNameFor("site/recovery.hcl"); got != "site/recovery.plan" {
		t.Errorf("planNameFor = %q", got)
	}

	root := filepath.Join("..", "..")
	builds := regexp.MustCompile(`\bplan\b.*-out=(%|$)`) // a plan suggestion, not lab generate -out=DIR
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || !strings.Contains(lit.Value, "-out=") {
				return true
			}
			seen++
			text := strings.Trim(lit.Value, "`\"")
			if builds.MatchString(text) && filepath.Base(path) != "planfile_names.go" {
				t.Errorf("%s: %s builds a -out= suggestion from a name: use planNameFor (planfile_names.go)", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no string with -out= found: the scan is broken")
	}
}
