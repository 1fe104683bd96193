package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// BenchmarkTimeToDialTone applies the dial_tone stage of examples/same-server (its
// failed DB01.edb corrupt and extended, sparse, to the size named) through the real
// command: the time users are without service must not grow with the failed database
// (issue 12 §5). Only the apply is timed; each run builds a fresh lab.
func BenchmarkTimeToDialTone(b *testing.B) {
	for _, size := range []struct {
		name  string
		bytes int64
	}{{"edb=1MB", 1 << 20}, {"edb=100GB", 100 << 30}} {
		b.Run(size.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := dialToneBenchSetup(b, size.bytes)
				b.StartTimer()
				if out, code := runIn(dir, "apply", "-auto-approve"); code != 0 || !strings.Contains(out, `at stage "dial_tone"`) {
					b.Fatalf("apply: exit %d\n%s", code, out)
				}
			}
		})
	}
}

// TestTimeToDialToneBench runs the benchmark's setup and apply once with a 1 GB sparse
// failed .edb, so that plain "go test" exercises it (no timing is checked): the file is
// kept aside by a rename, whole, not copied.
func TestTimeToDialToneBench(t *testing.T) {
	dir := dialToneBenchSetup(t, 1<<30)
	if out, code := runIn(dir, "apply", "-auto-approve"); code != 0 || !strings.Contains(out, "DB01.edb renamed in place") {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	fi, err := os.Stat(filepath.Join(dir, "lab", "servers", "EX01", "D", "Databases", "DB01-preserved", "DB01.edb"))
	if err != nil || fi.Size() != 1<<30 {
		t.Fatalf("kept file: %v, %v", fi, err)
	}
}

func dialToneBenchSetup(tb testing.TB, size int64) string {
	tb.Helper()
	dir := tb.TempDir()
	hcl, err := os.ReadFile(filepath.Join("..", "..", "examples", "same-server", "main.hcl"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), hcl, 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, args := range [][]string{{"init"}, {"lab", "init", "-mailboxes=20"}, {"lab", "deliver", "-database=DB01", "-count=20"},
		{"lab", "fail", "database", "DB01", "-mode=corrupt"}} {
		if out, code := runIn(dir, args...); code != 0 {
			tb.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	edb := filepath.Join(dir, "lab", "servers", "EX01", "D", "Databases", "DB01", "DB01.edb")
	if err := os.Truncate(edb, size); err != nil { // sparse: no disk is written
		tb.Fatal(err)
	}
	return dir
}

func runIn(dir string, args ...string) (string, int) {
	var out bytes.Buffer
	code := run(append([]string{"-chdir=" + dir}, args...), strings.NewReader(""), &out, &out)
	return out.String(), code
}

// cmdSparse is "sparse FILE BYTES": extend (or cut) FILE to BYTES without writing
// them, as a large database file that costs no disk.
func cmdSparse(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sparse FILE BYTES")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("sparse: %v", err)
	}
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}
