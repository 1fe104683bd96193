package main

import (
	"bytes"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/hclfmt"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/state/atomicfile"
)

// exitFmtCheck is fmt -check's status when files are not in canonical layout
// (terraform fmt -check's 3).
const exitFmtCheck = 3

// fmtArgs are the flags of fmt.
type fmtArgs struct {
	check, diff, recursive, list bool
}

// cmdFmt rewrites *.hcl files in the canonical layout (hclwrite.Format: indentation,
// aligned equals signs, spacing). PATHs are files or folders (the working directory
// by default; -recursive descends into subfolders but not hidden ones); "-" formats
// stdin to stdout. It lists the files it changes; -check changes nothing and exits 3
// when a file would change; -diff prints what changes. A file that does not parse is
// reported with its diagnostics, exit 1, and no file is written.
func cmdFmt(c *cli, args []string) int {
	var a fmtArgs
	fs := newFlagSet(c, "fmt", "fmt [-check] [-diff] [-recursive] [-list=false] [PATH...]")
	fs.BoolVar(&a.check, "check", false, "change nothing; exit 3 when a file is not in canonical layout")
	fs.BoolVar(&a.diff, "diff", false, "print the changes as a diff")
	fs.BoolVar(&a.recursive, "recursive", false, "also format the files in subfolders")
	fs.BoolVar(&a.list, "list", true, "list the files whose layout changes (or would, with -check)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	for _, p := range paths {
		if p == "-" && len(paths) > 1 {
			return c.errorf("fmt: \"-\" (stdin) cannot be mixed with other paths")
		}
	}
	if paths[0] == "-" {
		return fmtStdin(c, a)
	}

	type job struct {
		name     string // as shown: relative to the working directory, as the user typed it
		path     string
		src, out []byte
		perm     os.FileMode
	}
	var jobs []*job
	for _, p := range paths {
		names, err := hclfmt.Files(c.path(p), p, a.recursive)
		if err != nil {
			return c.errorf("fmt: %v", err)
		}
		for _, n := range names {
			jobs = append(jobs, &job{name: n.Name, path: n.Path})
		}
	}

	var diags hcl.Diagnostics
	files := map[string]*hcl.File{}
	for _, j := range jobs {
		info, err := os.Stat(j.path)
		if err != nil {
			return c.errorf("fmt: %v", err)
		}
		j.perm = info.Mode().Perm()
		if j.src, err = os.ReadFile(j.path); err != nil {
			return c.errorf("fmt: %v", err)
		}
		out, f, d := hclfmt.Source(j.src, j.name)
		files[j.name] = f
		diags = append(diags, d...)
		j.out = out
	}
	if diags.HasErrors() {
		writeDiagsTo(c.stderr, files, diags, c.color)
		return c.errorf("fmt: syntax errors above; no file was changed")
	}

	changed := 0
	for _, j := range jobs {
		if bytes.Equal(j.src, j.out) {
			continue
		}
		changed++
		if a.list {
			views.NewFmt(c.streams()).Listed(j.name)
		}
		if a.diff {
			views.NewFmt(c.streams()).Diff(j.name, j.src, j.out)
		}
		if !a.check {
			if err := writeFileAtomic(j.path, j.out, j.perm); err != nil {
				return c.errorf("fmt: writing %s: %v", j.name, err)
			}
		}
	}
	if a.check && changed > 0 {
		return exitFmtCheck
	}
	return exitOK
}

// fmtStdin formats stdin to stdout; with -check it prints nothing and exits 3 when
// the input is not canonical; with -diff it prints the diff instead of the result.
func fmtStdin(c *cli, a fmtArgs) int {
	src, err := io.ReadAll(c.stdin)
	if err != nil {
		return c.errorf("fmt: reading stdin: %v", err)
	}
	out, f, diags := hclfmt.Source(src, "<stdin>")
	if diags.HasErrors() {
		writeDiagsTo(c.stderr, map[string]*hcl.File{"<stdin>": f}, diags, c.color)
		return c.errorf("fmt: syntax errors above")
	}
	same := bytes.Equal(src, out)
	switch {
	case a.diff:
		if !same {
			views.NewFmt(c.streams()).Diff("<stdin>", src, out)
		}
	case !a.check:
		views.NewFmt(c.streams()).Formatted(out)
	}
	if a.check && !same {
		return exitFmtCheck
	}
	return exitOK
}

// writeFileAtomic replaces path with data (the old file or the whole new one after a
// crash); the commands' files share the one writer of package atomicfile.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.WriteFile(path, data, perm)
}
