package hclfmt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSource(t *testing.T) {
	out, f, diags := Source([]byte("server \"EX01\" {\nedition=\"standard\"\n    version = \"15.2.1544.4\"\n}\n"), "main.hcl")
	if diags.HasErrors() || f == nil {
		t.Fatal(diags)
	}
	want := "server \"EX01\" {\n  edition = \"standard\"\n  version = \"15.2.1544.4\"\n}\n"
	if string(out) != want {
		t.Errorf("formatted:\n%s\nwant:\n%s", out, want)
	}
	out, f, diags = Source([]byte("server \"EX01\" {\n  edition = \n"), "bad.hcl")
	if !diags.HasErrors() || out != nil || f == nil {
		t.Errorf("a syntax error: out %q, diags %v", out, diags)
	}
	if !strings.Contains(diags.Error(), "bad.hcl:") {
		t.Errorf("the diagnostics do not name the file: %v", diags)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b.hcl", "a.hcl", "notes.txt", "sub/c.hcl", ".hidden/d.hcl", "sub/.e/f.hcl"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	names := func(fs []File) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return strings.Join(out, " ")
	}
	got, err := Files(dir, "x", false)
	if err != nil || names(got) != "x/a.hcl x/b.hcl" {
		t.Errorf("one folder: %q, %v", names(got), err)
	}
	got, err = Files(dir, "x", true)
	if err != nil || names(got) != "x/a.hcl x/b.hcl x/sub/c.hcl" {
		t.Errorf("recursive, hidden folders skipped: %q, %v", names(got), err)
	}
	got, err = Files(filepath.Join(dir, "notes.txt"), "notes.txt", false)
	if err != nil || len(got) != 1 || got[0].Path != filepath.Join(dir, "notes.txt") {
		t.Errorf("a file named itself: %+v, %v", got, err)
	}
	if _, err := Files(filepath.Join(dir, "missing"), "missing", false); err == nil {
		t.Error("a missing path gives no error")
	}
}
