package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestGitHubActions runs testdata/github_actions: the script the example workflow of
// examples/github-actions calls, driven without network (DIALTONE_COMMENT_OUT makes it
// write the comment body to a file). The script is copied in as $WORK/plan-comment.sh.
func TestGitHubActions(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "examples", "github-actions", "plan-comment.sh"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/github_actions",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("DIALTONE_LOG", "")
			e.Setenv("DIALTONE_ESTIMATES", "off") // estimates come from measured times: no goldens
			return os.WriteFile(filepath.Join(e.WorkDir, "plan-comment.sh"), script, 0o755)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"example":  cmdExample,
			"maxchars": cmdMaxChars,
			"bigfile":  cmdBigFile,
		},
	})
}

// cmdMaxChars is "maxchars N FILE": FILE holds at most N characters.
func cmdMaxChars(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: maxchars N FILE")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("maxchars: %v", err)
	}
	if got := utf8.RuneCountInString(ts.ReadFile(args[1])); got > n {
		ts.Fatalf("%s has %d characters, more than %d", args[1], got, n)
	}
}

// cmdBigFile is "bigfile FILE N": a Markdown plan of N characters or more.
func cmdBigFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigfile FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("bigfile: %v", err)
	}
	var b strings.Builder
	b.WriteString("## dialtone plan\n\n")
	for i := 1; b.Len() < n; i++ {
		fmt.Fprintf(&b, "**%d.** `reversible` `recovery.db01-outage.merge[\"user%05d@contoso.com\"]` — merge ü\n", i, i)
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("bigfile: %v", err)
	}
}
