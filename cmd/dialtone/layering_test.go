package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering holds the package lines of design.md: config and state are leaves (state
// may use config; their primitives live inside them: config/limits, state/atomicfile),
// providers never
// import planner or cmd, planner never imports a concrete provider (providers/ems, the
// command lines, excepted), providers/ems imports at most the providers package, and
// nothing but cmd imports cmd.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/dialtone/dialtone/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const mod = "github.com/dialtone/dialtone/"
	rules := []struct {
		why string
		bad func(pkg, imp string) bool
	}{
		{why: "config is a leaf", bad: func(p, i string) bool { return under(p, "config") && !under(i, "config") }},
		{why: "state imports at most config", bad: func(p, i string) bool {
			return under(p, "state") && !under(i, "state") && !under(i, "config")
		}},
		{why: "providers never import planner or cmd", bad: func(p, i string) bool { return under(p, "providers") && (under(i, "planner") || under(i, "cmd")) }},
		{why: "planner uses the provider interface (and providers/ems), not a concrete provider", bad: func(p, i string) bool {
			return under(p, "planner") && strings.HasPrefix(i, "providers/") && i != "providers/ems"
		}},
		{why: "providers/ems is pure: it imports at most the providers package", bad: func(p, i string) bool {
			return under(p, "providers/ems") && i != "providers" && !under(i, "providers/ems")
		}},
		{why: "only cmd imports cmd", bad: func(p, i string) bool { return !under(p, "cmd") && under(i, "cmd") }},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			imp = strings.TrimPrefix(imp, mod)
			for _, r := range rules {
				if r.bad(pkg, imp) {
					t.Errorf("%s imports %s: %s", pkg, imp, r.why)
				}
			}
		}
	}
}

func under(pkg, top string) bool { return pkg == top || strings.HasPrefix(pkg, top+"/") }
