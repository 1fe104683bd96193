package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxFaceLines bounds the Go files directly in cmd/dialtone (tests aside): the command
// layer is flags, wiring and views; logic with a life of its own (drills, run reports,
// estimates, privileged settings, the lab's listener, the views themselves) lives in
// packages with their own tests (issue 16 §1).
const maxFaceLines = 4000

func TestCommandLayerStaysThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		name  string
		lines int
	}
	var all []file
	total := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(b, []byte("\n"))
		all = append(all, file{f, n})
		total += n
	}
	if total > maxFaceLines {
		sort.Slice(all, func(i, j int) bool { return all[i].lines > all[j].lines })
		var biggest []string
		for _, f := range all[:min(5, len(all))] {
			biggest = append(biggest, f.name)
		}
		t.Errorf("the Go files directly in cmd/dialtone hold %d non-test lines, more than %d: move logic into a package of its own (cmd/dialtone/internal/..., or the package it belongs to) with unit tests; largest: %s",
			total, maxFaceLines, strings.Join(biggest, ", "))
	}
}
