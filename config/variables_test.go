package config

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// writeDir writes files into a fresh directory and returns it.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const varsMain = `
variable "site" {
  default = "default"
}

variable "count" {
  type    = number
  default = 1
}

variable "vips" {
  type    = list(string)
  default = []
}

server "EX01" {
  site    = var.site
  edition = "enterprise"
  version = "15.2.1544.4"
}
`

func TestVariablePrecedence(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"main.hcl":         varsMain,
		"dialtone.dtvars":  `site = "dtvars"`,
		"a.auto.dtvars":    `site = "auto-a"`,
		"b.auto.dtvars":    `site = "auto-b"`,
		"one.dtvars":       `site = "file-one"`,
		"two.dtvars":       "site = \"file-two\"\ncount = 7\n",
		"unrelated.dtvars": `site = "never read"`,
	})
	env := []string{"DIALTONE_VAR_site=env", "DIALTONE_VAR_vips=[\"a@x.com\", \"b@x.com\"]", "DIALTONE_VAR_undeclared=ignored"}
	cases := []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"env only", LoadOptions{Env: env}, "auto-b"},
		{"var file", LoadOptions{Env: env, VarFiles: []string{"one.dtvars"}}, "file-one"},
		{"var beats files", LoadOptions{Env: env, VarFiles: []string{"one.dtvars"}, Vars: map[string]string{"site": "cli"}}, "cli"},
		{"args in order: file last", LoadOptions{Args: []VarArg{{Name: "site", Value: "cli"}, {File: "two.dtvars"}}}, "file-two"},
		{"args in order: var last", LoadOptions{Args: []VarArg{{File: "two.dtvars"}, {Name: "site", Value: "cli"}}}, "cli"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, diags := Load(dir, c.opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := cfg.Servers["EX01"].Site; got != c.want {
				t.Errorf("site = %q, want %q (source %s)", got, c.want, cfg.Variables["site"].Source)
			}
		})
	}
	// Without auto files, the environment wins over the default.
	dir2 := writeDir(t, map[string]string{"main.hcl": varsMain})
	cfg, diags := Load(dir2, LoadOptions{Env: env})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := cfg.Servers["EX01"].Site; got != "env" {
		t.Errorf("site = %q, want env", got)
	}
	if v := cfg.Variables["vips"]; v.Value.LengthInt() != 2 || v.Source != "environment variable DIALTONE_VAR_vips" {
		t.Errorf("vips = %#v from %s", v.Value, v.Source)
	}
	// The var files count in Sources (a plan notices when they change).
	cfg, _ = Load(dir, LoadOptions{VarFiles: []string{"two.dtvars"}})
	if got := keys(cfg.Sources); !reflect.DeepEqual(got, []string{"a.auto.dtvars", "b.auto.dtvars", "dialtone.dtvars", "main.hcl", "two.dtvars"}) {
		t.Errorf("Sources = %v", got)
	}
	if got := cfg.Variables["count"].Display(); got != "7" {
		t.Errorf("count = %s", got)
	}
}

func TestVariableErrors(t *testing.T) {
	secret := `
variable "secret" {
  sensitive = true
}
`
	cases := []struct {
		name    string
		files   map[string]string
		opts    LoadOptions
		summary string
		detail  string
		ranged  bool
	}{
		{"undeclared -var", map[string]string{"main.hcl": varsMain}, LoadOptions{Vars: map[string]string{"nosuch": "x"}}, "Value for undeclared variable", "Declared variables: count, site, vips.", false},
		{"wrong type -var", map[string]string{"main.hcl": varsMain}, LoadOptions{Vars: map[string]string{"count": "many"}}, "Invalid value for variable", `"many"`, false},
		{"wrong type env list", map[string]string{"main.hcl": varsMain}, LoadOptions{Env: []string{"DIALTONE_VAR_vips=a@x.com"}}, "Invalid value for variable", "list(string)", false},
		{"wrong type in file", map[string]string{"main.hcl": varsMain, "dialtone.dtvars": `count = "many"`}, LoadOptions{}, "Invalid value for variable", "number", true},
		{"missing var file", map[string]string{"main.hcl": varsMain}, LoadOptions{VarFiles: []string{"nope.dtvars"}}, "Failed to read variables file", "nope.dtvars", false},
		{"required", map[string]string{"main.hcl": secret}, LoadOptions{}, "No value for required variable", "DIALTONE_VAR_secret", true},
		{"sensitive value never echoed", map[string]string{"main.hcl": "variable \"n\" {\n type = number\n sensitive = true\n}\n"}, LoadOptions{Vars: map[string]string{"n": "hunter2"}}, "Invalid value for variable", "(sensitive)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := Load(writeDir(t, c.files), c.opts)
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == c.summary {
					found = d
				}
				if strings.Contains(d.Detail, "hunter2") {
					t.Errorf("a sensitive value is echoed: %s", d)
				}
			}
			if found == nil {
				t.Fatalf("no %q in %v", c.summary, diags)
			}
			if !strings.Contains(found.Detail, c.detail) {
				t.Errorf("detail %q lacks %q", found.Detail, c.detail)
			}
			if (found.Subject != nil) != c.ranged {
				t.Errorf("subject = %v, want ranged %v", found.Subject, c.ranged)
			}
		})
	}
	// An undeclared name in a var file is a warning, at its line.
	_, diags := Load(writeDir(t, map[string]string{"main.hcl": varsMain, "x.auto.dtvars": "\nnosuch = 1\n"}), LoadOptions{})
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Subject.Filename != "x.auto.dtvars" || diags[0].Subject.Start.Line != 2 {
		t.Errorf("diags = %v", diags)
	}
}

func TestForEachAndLocals(t *testing.T) {
	cfg, diags := loadOne(t, "testdata/valid/variables.hcl")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := keys(cfg.Databases)
	if want := []string{"DB01", "DB02", "MBX-A", "MBX-B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("databases = %v, want %v", got, want)
	}
	if db := cfg.Databases["MBX-B"]; db.EdbFilePath != `F:\MBX-B\MBX-B.edb` {
		t.Errorf("MBX-B path = %q", db.EdbFilePath)
	}
	if got := keys(cfg.Recoveries); !reflect.DeepEqual(got, []string{"db01-outage", "db02-outage"}) {
		t.Errorf("recoveries = %v", got)
	}
	r := cfg.Recoveries["db02-outage"]
	if r.Database.Name != "DB02" || r.Restore.Backup != "weekly" || r.Priority != 12 || r.DialTone.EdbFilePath != `D:\Databases\DialTone\DTDB02\DTDB02.edb` {
		t.Errorf("db02-outage = %+v %+v %+v", r, r.Restore, r.DialTone)
	}
	if !reflect.DeepEqual(r.Merge.Priority, []string{"ceo@contoso.com", "cfo@contoso.com"}) {
		t.Errorf("priority = %v", r.Merge.Priority)
	}
	if cfg.Servers["EX01"].Site != "hq-EX01" {
		t.Errorf("site = %q", cfg.Servers["EX01"].Site)
	}
	// The sensitive conn_str is used, flagged, and redacted from any text.
	be := cfg.Backend
	if !be.ConnStrSensitive || !strings.Contains(be.ConnStr, "hunter2") {
		t.Errorf("backend = %+v", be)
	}
	if !cfg.SensitiveValue(be.ConnStr) || cfg.Variables["pg_conn_str"].Display() != SensitiveText {
		t.Errorf("conn_str not recorded as sensitive")
	}
	if got := cfg.Redact("connecting with " + be.ConnStr + "."); got != "connecting with (sensitive)." {
		t.Errorf("Redact = %q", got)
	}
}

// TestLoadOrderIndependent: locals and variables used before (in file order) they are
// declared work the same.
func TestLoadOrderIndependent(t *testing.T) {
	src, err := os.ReadFile("testdata/valid/variables.hcl")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	cut := strings.Index(text, "dialtone {")
	a, _ := Load(writeDir(t, map[string]string{"a.hcl": text[:cut], "b.hcl": text[cut:]}), LoadOptions{})
	b, diags := Load(writeDir(t, map[string]string{"b.hcl": text[:cut], "a.hcl": text[cut:]}), LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !reflect.DeepEqual(keys(a.Databases), keys(b.Databases)) || len(a.Recoveries) != len(b.Recoveries) {
		t.Errorf("different configurations")
	}
	var names []string
	for n := range b.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != 6 {
		t.Errorf("variables = %v", names)
	}
}
