package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds any bytes to Load as main.hcl: no input may panic it, and it always
// returns a Config that can render its diagnostics.
func FuzzLoad(f *testing.F) {
	for _, path := range []string{"../examples/same-server/main.hcl", "testdata/valid/alternate.hcl", "testdata/errors/drill.hcl", "testdata/errors/options.hcl",
		"testdata/valid/alternate_stay.hcl", "testdata/valid/exchange_pg.hcl", "testdata/errors/recovery_options.hcl",
		"testdata/errors/drill_failures.hcl", "testdata/errors/backend_pg.hcl", "testdata/errors/server_limits.hcl"} {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(src)
		}
	}
	examples, _ := filepath.Glob("../examples/*/*.hcl")
	drills, _ := filepath.Glob("../examples/drills/*/*.hcl")
	for _, path := range append(examples, drills...) {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`drill "d" { messages = { "x" = null, (1) = 2 } }`))
	f.Add([]byte(`locals { a = format("%999999999d", 1) }`))
	f.Add([]byte("locals {\n  s0 = \"ab\"\n  s1 = \"${local.s0}${local.s0}\"\n}\n"))
	f.Add([]byte(`server "S" { capacity = "1.5TB" }` + "\n" + `provider "exchange" { command = ["a", null] }`))
	// One directory for every run: workers run inputs one at a time, and a fresh
	// TempDir per run made each run slow enough to stall the fuzzer's minimizer.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(dir, LoadOptions{})
		if cfg == nil || cfg.Files == nil || cfg.Sources["main.hcl"] == nil && len(src) > 0 {
			t.Fatal("Load returned no usable Config")
		}
		for _, d := range diags {
			if d.Severity == 0 || d.Summary == "" {
				t.Fatalf("malformed diagnostic %#v", d)
			}
		}
		_ = cfg.Digest()
	})
}
