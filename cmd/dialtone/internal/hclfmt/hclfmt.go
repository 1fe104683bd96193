// Package hclfmt is the canonical layout of dialtone's HCL files ("dialtone fmt"):
// which files a folder holds, and each file formatted (hclwrite's layout), or the
// syntax errors that keep it from being formatted.
package hclfmt

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Source returns src in canonical layout, or the syntax errors that keep it from
// being formatted (with the parsed file, for snippets in diagnostics).
func Source(src []byte, name string) ([]byte, *hcl.File, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, f, diags
	}
	// hclwrite reparses; its own diagnostics repeat the ones above, so only a
	// disagreement between the two parsers reaches this.
	if _, wdiags := hclwrite.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1}); wdiags.HasErrors() {
		return nil, f, wdiags
	}
	return hclwrite.Format(src), f, diags
}

// File is a file to format: its name as shown, and its path.
type File struct{ Name, Path string }

// Files lists the files to format under path (shown as name): path itself when it
// is a file, else its *.hcl files (and those of its subfolders, recursive, skipping
// hidden folders), sorted.
func Files(path, name string, recursive bool) ([]File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []File{{Name: name, Path: path}}, nil
	}
	var out []File
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".hcl") {
			return nil
		}
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		out = append(out, File{Name: filepath.Join(name, rel), Path: p})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}
