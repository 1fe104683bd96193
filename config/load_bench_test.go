package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
)

// writeLargeConfig writes the topology of servers servers with perServer databases
// each (the layout of "dialtone lab generate") into a new folder.
func writeLargeConfig(tb testing.TB, servers, perServer int) string {
	var b strings.Builder
	b.WriteString("provider \"lab\" {\n  path = \"lab\"\n}\n")
	k := 0
	for s := 1; s <= servers; s++ {
		fmt.Fprintf(&b, "\nserver \"EX%03d\" {\n  edition = \"enterprise\"\n  version = \"15.2.1544.4\"\n}\n", s)
		for d := 1; d <= perServer; d++ {
			k++
			fmt.Fprintf(&b, "\ndatabase \"DB%04d\" {\n  server          = server.EX%03d\n  edb_file_path   = \"D:\\\\Databases\\\\DB%04d\\\\DB%04d.edb\"\n  log_folder_path = \"D:\\\\Databases\\\\DB%04d\\\\Logs\"\n}\n", k, s, k, k, k)
		}
	}
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func benchLoad(tb testing.TB, servers, perServer int, loop func() bool) {
	dir := writeLargeConfig(tb, servers, perServer)
	for loop() {
		cfg, diags := config.Load(dir, config.LoadOptions{})
		if diags.HasErrors() {
			tb.Fatal(diags)
		}
		if len(cfg.Databases) != servers*perServer {
			tb.Fatalf("%d databases", len(cfg.Databases))
		}
	}
}

// BenchmarkLoad2000Databases loads the HCL of 200 servers and 2,000 databases, and half
// of it (doubling must at most double the time).
func BenchmarkLoad2000Databases(b *testing.B) {
	for _, servers := range []int{100, 200} {
		b.Run(fmt.Sprintf("databases=%d", servers*10), func(b *testing.B) {
			b.ReportAllocs()
			benchLoad(b, servers, 10, b.Loop)
		})
	}
}

// TestBenchmarksSmall runs the benchmark bodies once at a tiny size, so that plain
// "go test" proves they still work (no timing is checked).
func TestBenchmarksSmall(t *testing.T) { benchLoad(t, 2, 3, once()) }

func once() func() bool {
	done := false
	return func() bool { r := !done; done = true; return r }
}
