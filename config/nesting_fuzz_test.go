package config

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// FuzzNestingDepth: the quick scan that guards the parser's stack never reports less
// nesting than the lexer finds, so nothing deeper than MaxNesting gets past it.
func FuzzNestingDepth(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*/*.hcl")
	more, _ := filepath.Glob("testdata/*/*.hcl")
	for _, p := range append(paths, more...) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		`a = "${(((1)))}"`, "a = <<EOT\n${[[1]]}\nEOT\n", "a = <<-EOT\n  x ${ {a=[1]} }\n  EOT\n",
		`a = "$${((" # ((`, "/* ((( */ a = [[1]]", `a = "\"${[1]}"`, "a = ) ((1))", `a = "%{ if true }(${[1]})%{ endif }"`,
		"a = <<EOT\n#${((1))}\nEOT\n", "a = <<EOT\n\"${((1))}\nEOT\n", `a = "${"${"${1}"}"}"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !utf8.Valid(src) {
			return // checkNesting lexes those
		}
		lexed, _ := lexDepth(src, "f.hcl", hcl.InitialPos, 1<<30)
		if scanned := nestingDepth(src); scanned < lexed {
			t.Fatalf("the scan found depth %d, the lexer %d", scanned, lexed)
		}
	})
}
