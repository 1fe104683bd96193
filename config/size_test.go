package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// wantDiag checks that diags hold an error whose summary and detail say every one of want.
func wantDiag(t *testing.T, diags hcl.Diagnostics, want ...string) {
	t.Helper()
	for _, d := range diags {
		text := d.Summary + ": " + d.Detail
		ok := d.Severity == hcl.DiagError
		for _, w := range want {
			ok = ok && strings.Contains(text, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("no error saying %q among:\n%s", want, diags.Error())
}

const smallServer = "server \"EX01\" {\n  site = \"HQ\"\n  edition = \"enterprise\"\n  version = \"15.2.1544.4\"\n}\n"

func TestConfigFileSizeLimits(t *testing.T) {
	t.Parallel() // the limits are options, not the environment
	dir := t.TempDir()
	src := smallServer + "# " + strings.Repeat("x", 2000) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "a.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, diags := Load(dir, LoadOptions{Limits: SizeLimits{FileBytes: 1000}})
	wantDiag(t, diags, "Configuration too large", "a.hcl", fmt.Sprint(len(src)), "limit of 1000", EnvMaxConfigFileBytes)

	// The total: two files under the per-file limit, over the total one.
	if err := os.WriteFile(filepath.Join(dir, "b.hcl"), []byte("# "+strings.Repeat("y", 2000)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, diags = Load(dir, LoadOptions{Limits: SizeLimits{ConfigBytes: 3 << 10}})
	wantDiag(t, diags, "Configuration too large", "b.hcl", "limit of 3072", EnvMaxConfigBytes)

	// .dtvars files count, and a -var-file that is not a regular file is never read.
	if _, err := os.Stat("/dev/zero"); err == nil {
		done := make(chan hcl.Diagnostics)
		go func() {
			_, d := Load(dir, LoadOptions{VarFiles: []string{"/dev/zero"}})
			done <- d
		}()
		select {
		case diags := <-done:
			wantDiag(t, diags, "Not a regular file", "/dev/zero")
		case <-time.After(10 * time.Second):
			t.Fatal("-var-file=/dev/zero is being read")
		}
	}
}

func TestConfigBlockLimit(t *testing.T) {
	t.Parallel() // the limits are options, not the environment
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "server \"EX%02d\" {\n  site = \"HQ\"\n  edition = \"enterprise\"\n  version = \"15.2.1544.4\"\n}\n", i)
	}
	_, diags := loadSourceWith(t, b.String(), SizeLimits{Blocks: 10})
	wantDiag(t, diags, "number of blocks", "20", "limit of 10", EnvMaxConfigBlocks)

	// for_each instances count as blocks.
	src := smallServer + `database "DB" {
  for_each = toset([for i in [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60] : format("%02d", i)])
  server = server.EX01
  edb_file_path = "D:\\DB${each.key}\\DB${each.key}.edb"
  log_folder_path = "D:\\DB${each.key}\\Logs"
}
`
	_, diags = loadSourceWith(t, src, SizeLimits{Blocks: 50})
	wantDiag(t, diags, "for_each instances included", "limit of 50", EnvMaxConfigBlocks)
}

func TestConfigValueLimits(t *testing.T) {
	t.Parallel() // the limits are options, not the environment
	// Doubling through locals: 2^30 bytes from a few lines, stopped at the limit.
	var b strings.Builder
	b.WriteString("locals {\n  s0 = \"abcdefghijklmnop\"\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  s%d = \"${local.s%d}${local.s%d}\"\n", i, i-1, i-1)
	}
	b.WriteString("}\n")
	_, diags := loadSource(t, smallServer+b.String())
	wantDiag(t, diags, "Value too large", "string", fmt.Sprintf("limit of %d", DefaultMaxConfigStringBytes), EnvMaxConfigStringBytes)

	b.Reset()
	b.WriteString("locals {\n  l0 = [\"a\", \"b\"]\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  l%d = concat(local.l%d, local.l%d)\n", i, i-1, i-1)
	}
	b.WriteString("}\n")
	_, diags = loadSource(t, smallServer+b.String())
	wantDiag(t, diags, "Value too large", "collection", fmt.Sprintf("limit of %d", DefaultMaxConfigListLength), EnvMaxConfigListLength)

	_, diags = loadSourceWith(t, smallServer+`locals { s = "`+strings.Repeat("x", 200)+`" }`, SizeLimits{StringBytes: 100})
	wantDiag(t, diags, "Value too large", "200", "limit of 100", EnvMaxConfigStringBytes)

	// -var values are bounded too.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(smallServer+"variable \"x\" { type = string }\nvariable \"l\" { type = list(string) }\n"), 0o600)
	_, diags = Load(dir, LoadOptions{Vars: map[string]string{"x": strings.Repeat("v", 101), "l": "[]"}, Limits: SizeLimits{StringBytes: 100}})
	wantDiag(t, diags, "Invalid value for variable", "101 bytes", EnvMaxConfigStringBytes)
	_, diags = Load(dir, LoadOptions{Vars: map[string]string{"x": "v", "l": `["a","b","c","d"]`}, Limits: SizeLimits{ListLength: 3}})
	wantDiag(t, diags, "Invalid value for variable", "limit of 3", EnvMaxConfigListLength)
}

func TestConfigFormatWidthBounded(t *testing.T) {
	start := time.Now()
	_, diags := loadSource(t, smallServer+`locals { a = format("%999999999d", 1) }`)
	wantDiag(t, diags, "999999999", "over 1024")
	_, diags = loadSource(t, smallServer+`locals { a = formatlist("%.999999999s", ["x"]) }`)
	wantDiag(t, diags, "999999999", "over 1024")
	if _, diags := loadSource(t, smallServer+`locals { a = format("%05d %-8s %.2f %%", 1, "x", 1.5) }`); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s", d)
	}
}

// A file nesting brackets two million deep crashed the parser with a stack overflow
// (fatal, not a panic); it is refused before parsing.
func TestConfigNestingBounded(t *testing.T) {
	for _, c := range []struct {
		open, close string
		n           int
	}{{"(", ")", 2_000_000}, {"[", "]", 10_000}, {"{a=", "}", 10_000}, {`"${`, `}"`, 10_000}} {
		n := c.n
		src := "locals {\n  a = " + strings.Repeat(c.open, n) + "1" + strings.Repeat(c.close, n) + "\n}\n"
		_, diags := loadSource(t, src)
		wantDiag(t, diags, "nested too deeply", fmt.Sprint(MaxNesting))
	}
	// Deep but reasonable nesting is fine.
	src := "locals {\n  a = " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "\n}\n" + smallServer
	if _, diags := loadSource(t, src); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	// Many brackets that do not nest are fine too.
	src = "locals {\n  a = [" + strings.Repeat("[1],", 5000) + "]\n}\n" + smallServer
	if _, diags := loadSource(t, src); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(smallServer+"variable \"l\" { type = list(string) }\n"), 0o600)
	_, diags := Load(dir, LoadOptions{Vars: map[string]string{"l": strings.Repeat("[", 60000)}})
	wantDiag(t, diags, "Invalid value for variable", "nests more than")
}
