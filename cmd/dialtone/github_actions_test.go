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
			"exitcode":  cmdExitcode,
			"example":   cmdExample,
			"maxchars":  cmdMaxChars,
			"bigfile":   cmdBigFile,
			"githubapi": cmdGitHubAPI,
			"closed":    cmdClosed,
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

// cmdBigFile is "bigfile FILE N [plain]": a Markdown plan of N characters or more, its
// steps' commands in fenced blocks inside <details>, or plain lines (an error output).
func cmdBigFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: bigfile FILE N [plain]")
	}
	plain := len(args) == 3 && args[2] == "plain"
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("bigfile: %v", err)
	}
	var b strings.Builder
	b.WriteString("## dialtone plan\n\n")
	for i := 1; b.Len() < n; i++ {
		fmt.Fprintf(&b, "**%d.** `reversible` `recovery.db01-outage.merge[\"user%05d@contoso.com\"]` — merge ü\n", i, i)
		if plain {
			continue
		}
		// Steps carry their commands folded in a fenced block: a cut must not land inside.
		fmt.Fprintf(&b, "\n<details><summary>Exchange Management Shell (3 lines)</summary>\n\n```powershell\n")
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&b, "New-MailboxRestoreRequest -Name 'user%05d-%d' -SourceDatabase 'RDB01'\n", i, j)
		}
		b.WriteString("```\n\n</details>\n\n")
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("bigfile: %v", err)
	}
}

// cmdClosed is "closed FILE TEXT": every code fence and <details> section of FILE is
// closed, and the line holding TEXT is outside all of them (so that GitHub shows it).
func cmdClosed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: closed FILE TEXT")
	}
	fence, depth, seen := "", 0, false
	for n, l := range strings.Split(ts.ReadFile(args[0]), "\n") {
		t := strings.TrimLeft(l, " ")
		switch {
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
		case fence != "" && strings.HasPrefix(t, fence) && strings.Trim(strings.TrimSpace(t), fence[:1]) == "":
			fence = ""
		case fence == "":
			depth += strings.Count(l, "<details") - strings.Count(l, "</details>")
		}
		if strings.Contains(l, args[1]) {
			if fence != "" || depth != 0 {
				ts.Fatalf("line %d holds %q inside a code fence or <details>", n+1, args[1])
			}
			seen = true
		}
	}
	if fence != "" || depth != 0 {
		ts.Fatalf("%s ends inside a code fence (%q) or %d <details> sections", args[0], fence, depth)
	}
	if !seen {
		ts.Fatalf("%s lacks %q", args[0], args[1])
	}
}
