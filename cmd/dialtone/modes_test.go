package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileModes: after a whole recovery through the binary, every file dialtone wrote
// in the working folder is 0600 and every folder it created 0700: the state, its
// backups, the journal and lock, plan files, run reports (.dialtone/reports), the lab
// (databases, logs, backups, directory), the drill's folder, and the log file
// (DIALTONE_LOG_PATH), and the journal an apply killed after its first step left.
// fmt keeps the mode a configuration file had.
func TestFileModes(t *testing.T) {
	dir := workdir(t)
	logPath := filepath.Join(t.TempDir(), "dialtone.log")
	env := []string{"DIALTONE_LOG=debug", "DIALTONE_LOG_PATH=" + logPath, "DIALTONE_ESTIMATES=off"}
	mustDialtone(t, dir, env, "init")
	mustDialtone(t, dir, env, "lab", "init", "-mailboxes=3")
	mustDialtone(t, dir, env, "lab", "deliver", "-database=DB01", "-count=4")
	mustDialtone(t, dir, env, "lab", "backup", "DB01", "-name=nightly")
	mustDialtone(t, dir, env, "lab", "fail", "database", "DB01", "-mode=lost")
	// An apply killed after its first step leaves the journal behind.
	setHCL(t, dir, "", "dial_tone")
	if r := dialtone(t, dir, append(env, killAfterEnv+"=1"), "apply", "-auto-approve"); !r.killed {
		t.Fatalf("apply with %s=1 was not killed: exit %d\n%s", killAfterEnv, r.code, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(dir, "dialtone.state.json.journal")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the journal after a killed apply: %v %v, want 0600", fi, err)
	}
	for _, stage := range []string{"dial_tone", "restored", "swapped", "merged", "complete"} {
		setHCL(t, dir, "", stage)
		if r := dialtone(t, dir, env, "plan", "-out="+stage+".plan"); r.code != 0 {
			t.Fatalf("plan: %s", r.stderr)
		}
		mustDialtone(t, dir, env, "apply", stage+".plan")
	}
	mustDialtone(t, dir, env, "report", "-list")
	if r := dialtone(t, dir, env, "drill", "-keep"); r.code != 0 {
		t.Fatalf("drill: exit %d\n%s", r.code, r.stderr)
	}

	// A configuration file keeps its mode through fmt.
	hcl := filepath.Join(dir, "main.hcl")
	if err := os.WriteFile(hcl, []byte("server \"EX09\" {\n  site=\"HQ\"\n  edition = \"enterprise\"\n  version = \"15.2.1544.4\"\n}\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(hcl, 0o640)
	mustDialtone(t, dir, env, "fmt")
	if b, _ := os.ReadFile(hcl); !strings.Contains(string(b), "site    = \"HQ\"") {
		t.Fatalf("fmt did not rewrite main.hcl:\n%s", b)
	}
	if fi, err := os.Stat(hcl); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("main.hcl after fmt: %v %v, want 0640", fi.Mode(), err)
	}

	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case p == dir || strings.HasSuffix(p, ".hcl"):
			// the test's own folder and configuration
		case e.IsDir():
			if m := info.Mode().Perm(); m != 0o700 {
				t.Errorf("folder %s: mode %04o, want 0700", rel, m)
			}
		case e.Type().IsRegular():
			if m := info.Mode().Perm(); m != 0o600 {
				t.Errorf("file %s: mode %04o, want 0600", rel, m)
			}
		}
		for _, kind := range []string{"dialtone.state.json", ".journal", ".lock", ".plan", ".dialtone/reports/", "lab/", ".dialtone-drill/", ".backup", ".edb", ".log"} {
			if strings.Contains(filepath.ToSlash(rel), kind) {
				seen[kind] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"dialtone.state.json", ".plan", ".dialtone/reports/", "lab/", ".dialtone-drill/", ".edb", ".log"} {
		if !seen[kind] {
			t.Errorf("no %s file was checked: the test proves less than it says", kind)
		}
	}
	t.Logf("checked: %v", seen)
	if fi, err := os.Stat(logPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the log file: %v %v, want 0600", fi, err)
	}
}
