package render_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
)

// splitBlocks cuts an HCL source into its top-level blocks (comments before a block
// go with it).
func splitBlocks(t *testing.T, src []byte) []string {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out []string
	start := 0
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		end := b.Range().End.Byte
		out = append(out, string(src[start:end])+"\n")
		start = end
	}
	return out
}

// allViews renders p in every format, the config digests normalized: they identify
// the files by name, so renaming files changes them on purpose (a plan made from
// other files is stale).
func allViews(t *testing.T, p *planner.Plan) map[string][]byte {
	t.Helper()
	cp := *p
	cp.ConfigDigest, cp.ConfigFiles = "sha256:normalized", nil
	views := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return render.Text(b, &cp, render.TextOptions{}) },
		"json":     func(b *bytes.Buffer) error { return render.JSON(b, &cp) },
		"markdown": func(b *bytes.Buffer) error { return render.Markdown(b, &cp) },
		"mermaid":  func(b *bytes.Buffer) error { return render.Mermaid(b, &cp) },
		"dot":      func(b *bytes.Buffer) error { return render.DOT(b, &cp) },
	}
	out := map[string][]byte{}
	for name, v := range views {
		var b bytes.Buffer
		if err := v(&b); err != nil {
			t.Fatal(name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// TestDeterminism: the example planned twice, and split into several files loaded in
// other orders (the blocks dealt to files whose names sort differently), gives the
// same bytes in every format.
func TestDeterminism(t *testing.T) {
	src, err := os.ReadFile("../../examples/same-server/main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.ReplaceAll(string(src), `stage    = "dial_tone"`, `stage    = "complete"`))
	blocks := splitBlocks(t, src)
	if len(blocks) < 5 {
		t.Fatalf("only %d blocks", len(blocks))
	}
	load := func(files map[string]string) *planner.Plan {
		dir := t.TempDir()
		for name, s := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, diags := config.Load(dir, config.LoadOptions{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return plan(t, cfg, plantest.State(20))
	}
	want := allViews(t, load(map[string]string{"main.hcl": string(src)}))
	if !bytes.Contains(want["text"], []byte("merge[")) {
		t.Fatalf("the plan has no merges:\n%s", want["text"])
	}
	if again := allViews(t, load(map[string]string{"main.hcl": string(src)})); !sameViews(t, "planned twice", want, again) {
		return
	}
	// Deal the blocks round-robin to k files; rotate which file gets the first block,
	// and reverse the file names, so the load order of the blocks changes.
	for k := 2; k <= 4; k++ {
		for rot := 0; rot < k; rot++ {
			for _, reverse := range []bool{false, true} {
				files := map[string]string{}
				for i, b := range blocks {
					n := (i + rot) % k
					if reverse {
						n = k - 1 - n
					}
					name := fmt.Sprintf("%c_part.hcl", 'a'+n)
					files[name] += b
				}
				sameViews(t, fmt.Sprintf("%d files, rotation %d, reversed %v", k, rot, reverse), want, allViews(t, load(files)))
			}
		}
	}
}

func sameViews(t *testing.T, what string, want, got map[string][]byte) bool {
	t.Helper()
	ok := true
	for name := range want {
		if !bytes.Equal(want[name], got[name]) {
			t.Errorf("%s: %s differs", what, name)
			ok = false
		}
	}
	return ok
}
