package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// envReaders are the exceptions to "the environment is read in cmd only" (issue 16 §3):
// paths (a file, or a folder and everything under it) relative to the module root, each
// with its reason. Everything else outside cmd takes what it needs as options.
var envReaders = map[string]string{
	"providers/exchange/exchange.go": "credential_env: the provider reads its own credential variables (NAME_USERNAME, NAME_PASSWORD)",
	"providers/exchange/shell.go": "the PowerShell session inherits the sign-in of dialtone's environment (Kerberos ticket cache, " +
		"the Windows profile) and the variables DIALTONE_EXCHANGE_PASS_ENV names: the provider's own credential environment",
	"providers/exchange/internal/fakeshell": "the PowerShell double: a test program of its own (package main, never in dialtone), " +
		"configured by its environment as the tests start it",
	"state/pg/pgtest":        "test support (imported by _test files only): the connection string of the test database",
	"planner/render/mdcheck": "test support (imported by _test files only): whether CI requires cmark-gfm",
}

// testSupport are the exceptions that hold only because no non-test file imports them.
var testSupport = []string{"state/pg/pgtest", "planner/render/mdcheck"}

// envFuncs are the functions of os and syscall that read or change the environment.
var envFuncs = map[string][]string{
	"os":      {"Getenv", "LookupEnv", "Environ", "ExpandEnv", "Setenv", "Unsetenv", "Clearenv"},
	"syscall": {"Getenv", "Environ", "Setenv", "Unsetenv", "Clearenv"},
}

// TestOnlyCmdReadsTheEnvironment: no non-test Go file outside cmd reads the environment,
// but for the exceptions of envReaders; every exception is still needed, and the test
// support ones are imported by tests only.
func TestOnlyCmdReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/dialtone/dialtone/"
	used := map[string]bool{}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if rel == "cmd" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		names := map[string]string{} // local name -> "os" or "syscall"
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, ts := range testSupport {
				if p == mod+ts && !under(rel, ts) {
					t.Errorf("%s imports %s, which may read the environment because only tests import it", rel, ts)
				}
			}
			if _, ok := envFuncs[p]; ok {
				name := p
				if imp.Name != nil {
					name = imp.Name.Name
				}
				names[name] = p
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || names[id.Name] == "" || !slices.Contains(envFuncs[names[id.Name]], sel.Sel.Name) {
				return true
			}
			for ex := range envReaders {
				if rel == ex || under(rel, ex) {
					used[ex] = true
					return true
				}
			}
			t.Errorf("%s: %s.%s: only cmd reads the environment; take the value as an option (see cmd/dialtone/internal/envopts)",
				rel, names[id.Name], sel.Sel.Name)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files found under %s", files, root)
	}
	for ex := range envReaders {
		if !used[ex] {
			t.Errorf("%s no longer reads the environment: remove it from envReaders", ex)
		}
	}
}
