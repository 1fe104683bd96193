package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdMoveBlocks is "moveblocks FROM TO TYPE...": move the top-level blocks of the given
// types from FROM to the end of TO (created when absent), as an admin cuts a
// configuration apart by hand.
func cmdMoveBlocks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: moveblocks FROM TO TYPE...")
	}
	from, to := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	src, err := os.ReadFile(from)
	ts.Check(err)
	f, diags := hclwrite.ParseConfig(src, args[0], hcl.InitialPos)
	if diags.HasErrors() {
		ts.Fatalf("moveblocks: %s", diags)
	}
	var dst []byte
	if b, err := os.ReadFile(to); err == nil {
		dst = b
	}
	moved := 0
	for _, blk := range f.Body().Blocks() {
		if !slices.Contains(args[2:], blk.Type()) {
			continue
		}
		dst = append(dst, '\n')
		dst = append(dst, hclwrite.Format(blk.BuildTokens(nil).Bytes())...)
		f.Body().RemoveBlock(blk)
		moved++
	}
	if moved == 0 {
		ts.Fatalf("moveblocks: %s has no block of type %v", args[0], args[2:])
	}
	ts.Check(os.WriteFile(from, hclwrite.Format(f.Bytes()), 0o644))
	ts.Check(os.WriteFile(to, dst, 0o644))
}

// BenchmarkImport imports the organization of "lab generate -servers=200
// -databases-per-server=10" (2,000 databases, 20,000 mailboxes) into a folder that
// declares none of it. The target is under 2 s per import.
func BenchmarkImport(b *testing.B) {
	dir := b.TempDir()
	if out, code := runIn(dir, "lab", "generate", "-servers=200", "-databases-per-server=10"); code != 0 {
		b.Fatalf("lab generate: exit %d\n%s", code, out)
	}
	// Keep the dialtone and provider blocks only: everything else is to import.
	src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	head, _, ok := strings.Cut(string(src), "\nserver ")
	if !ok {
		b.Fatalf("main.hcl has no server block:\n%s", src)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(head), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, code := runIn(dir, "import", "-out=org.hcl", "-force"); code != 0 || !strings.Contains(out, "Imported 200 servers and 2000 databases") {
			b.Fatalf("import: exit %d\n%s", code, out)
		}
	}
}
