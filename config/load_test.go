package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// loadOne loads a single file, copied alone into a fresh directory under its own name.
func loadOne(t *testing.T, path string) (*Config, hcl.Diagnostics) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(dir, LoadOptions{})
}

// loadSource loads src as the only file, main.hcl, of a fresh directory.
func loadSource(t *testing.T, src string) (*Config, hcl.Diagnostics) {
	t.Helper()
	return loadSourceWith(t, src, SizeLimits{})
}

// loadSourceWith is loadSource under the size limits lim.
func loadSourceWith(t *testing.T, src string, lim SizeLimits) (*Config, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(dir, LoadOptions{Limits: lim})
}

// backendSrc is a dialtone block holding backend typ with one attribute line.
func backendSrc(typ, attr string) string {
	return "dialtone {\n  backend \"" + typ + "\" {\n    " + attr + "\n  }\n}\n"
}

func TestLoadValidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.hcl")
	if len(files) == 0 {
		t.Fatal("no testdata/valid files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, diags := loadOne(t, path)
			for _, d := range diags {
				t.Errorf("unexpected diagnostic: %s", d)
			}
		})
	}
}

// marker is an inline "# ERROR: <summary substring>" or "# WARNING: ..." comment.
type marker struct {
	line     int
	severity hcl.DiagnosticSeverity
	summary  string
	matched  bool
}

var markerRE = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]*)`)

func readMarkers(t *testing.T, path string) []*marker {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ms []*marker
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range markerRE.FindAllStringSubmatch(line, -1) {
			sev := hcl.DiagError
			if m[1] == "WARNING" {
				sev = hcl.DiagWarning
			}
			ms = append(ms, &marker{line: i + 1, severity: sev, summary: strings.TrimSpace(m[2])})
		}
	}
	return ms
}

// TestLoadErrorFiles loads each testdata/errors file alone and checks that every
// marker is matched by a diagnostic of its severity starting on its line, and that
// no diagnostic goes unmarked.
func TestLoadErrorFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.hcl")
	if len(files) == 0 {
		t.Fatal("no testdata/errors files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			markers := readMarkers(t, path)
			if len(markers) == 0 {
				t.Fatal("file has no markers")
			}
			_, diags := loadOne(t, path)
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a subject: %s", d)
					continue
				}
				if d.Subject.Filename != filepath.Base(path) {
					t.Errorf("diagnostic names file %q, want %q: %s", d.Subject.Filename, filepath.Base(path), d)
				}
				if d.Detail == "" {
					t.Errorf("diagnostic without a detail: %s", d)
				}
				found := false
				for _, m := range markers {
					if m.line == d.Subject.Start.Line && m.severity == d.Severity && strings.Contains(d.Summary, m.summary) {
						m.matched, found = true, true
					}
				}
				if !found {
					t.Errorf("unmarked diagnostic at line %d: %s", d.Subject.Start.Line, d)
				}
			}
			for _, m := range markers {
				if !m.matched {
					t.Errorf("line %d: no diagnostic %q", m.line, m.summary)
				}
			}
		})
	}
}

func TestLoadExample(t *testing.T) {
	cfg, diags := Load("../examples/same-server", LoadOptions{})
	if diags.HasErrors() || len(diags) > 0 {
		t.Fatalf("diagnostics: %s", diags)
	}
	if got := keys(cfg.Sources); !reflect.DeepEqual(got, []string{"main.hcl"}) {
		t.Errorf("Sources = %v", got)
	}
	if cfg.Files["main.hcl"] == nil {
		t.Error("Files lacks main.hcl")
	}
	if cfg.Backend == nil || cfg.Backend.Type != "local" || cfg.Backend.Path != "dialtone.state.json" {
		t.Errorf("Backend = %+v", cfg.Backend)
	}
	if cfg.Provider == nil || cfg.Provider.Type != "lab" || cfg.Provider.Path != "lab" {
		t.Errorf("Provider = %+v", cfg.Provider)
	}
	ex01 := cfg.Servers["EX01"]
	if len(cfg.Servers) != 1 || ex01 == nil || ex01.Site != "HQ" || ex01.Edition != "enterprise" || ex01.Version != "15.2.1544.4" {
		t.Fatalf("Servers = %v", cfg.Servers)
	}
	if ex01.MountedDatabaseLimit() != 100 {
		t.Errorf("limit = %d", ex01.MountedDatabaseLimit())
	}
	if got := keys(cfg.Databases); !reflect.DeepEqual(got, []string{"DB01", "DB02"}) {
		t.Errorf("Databases = %v", got)
	}
	db := cfg.Databases["DB01"]
	if db.Server != (Addr{KindServer, "EX01"}) || db.EdbFilePath != `D:\Databases\DB01\DB01.edb` || db.LogFolderPath != `D:\Databases\DB01\Logs` {
		t.Errorf("DB01 = %+v", db)
	}
	if db.ServerRange.Filename != "main.hcl" || db.ServerRange.Start.Line != 23 {
		t.Errorf("DB01.ServerRange = %s", db.ServerRange)
	}

	r := cfg.Recoveries["db01-outage"]
	if r == nil {
		t.Fatal("no recovery db01-outage")
	}
	if r.Database != (Addr{KindDatabase, "DB01"}) || r.Option != OptionSameServer || r.Stage != StageDialTone {
		t.Errorf("recovery = %+v", r)
	}
	if r.StageRange.Start.Line != 37 {
		t.Errorf("StageRange = %s", r.StageRange)
	}
	wantDT := DialToneDatabase{Name: "DTDB01", Server: Addr{KindServer, "EX01"},
		EdbFilePath: `D:\DialTone\DTDB01\DTDB01.edb`, LogFolderPath: `D:\DialTone\DTDB01\Logs`}
	if dt := *r.DialTone; dt.Name != wantDT.Name || dt.Server != wantDT.Server || dt.EdbFilePath != wantDT.EdbFilePath || dt.LogFolderPath != wantDT.LogFolderPath {
		t.Errorf("DialTone = %+v", dt)
	}
	rdb := r.RecoveryDatabase
	if rdb.Name != "RDB01" || rdb.Server != (Addr{}) || rdb.EdbFilePath != `E:\Recovery\RDB01\DB01.edb` || rdb.LogFolderPath != `E:\Recovery\RDB01\Logs` {
		t.Errorf("RecoveryDatabase = %+v", rdb)
	}
	if r.Restore.Backup != "nightly" || !r.Restore.ReplayLogs {
		t.Errorf("Restore = %+v", r.Restore)
	}
	if m := r.Merge; m.ConflictResolution != "KeepSourceItem" || m.BadItemLimit != 10 || !reflect.DeepEqual(m.Priority, []string{"db01-user0001@contoso.com"}) {
		t.Errorf("Merge = %+v", m)
	}
	if cfg.RecoveryFor("DB01") != r || cfg.RecoveryFor("DB02") != nil {
		t.Error("RecoveryFor")
	}

	d := cfg.Drills["db01-lost"]
	want := DrillMessages{BeforeBackup: 60, AfterBackup: 25, DuringDialTone: 15}
	if d == nil || d.Failure != (Addr{KindDatabase, "DB01"}) || d.Mode != "lost" || d.Mailboxes != 20 || d.Messages != want {
		t.Errorf("Drill = %+v", d)
	}
}

// TestLoadDefaults checks what a configuration gets for what it leaves out.
func TestLoadDefaults(t *testing.T) {
	cfg, diags := loadOne(t, "testdata/valid/alternate.hcl")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if cfg.Backend == nil || cfg.Backend.Path != DefaultStatePath {
		t.Errorf("Backend = %+v", cfg.Backend)
	}
	if cfg.Provider == nil || cfg.Provider.Path != DefaultLabPath {
		t.Errorf("Provider = %+v", cfg.Provider)
	}
	if cfg.Backend.Backups != DefaultBackups || cfg.Backend.SchemaName != "" || cfg.Backend.ConnStr != "" {
		t.Errorf("local Backend = %+v", cfg.Backend)
	}
	if p := cfg.Provider; p.Command != nil || p.Authentication != "" {
		t.Errorf("lab Provider carries exchange settings: %+v", p)
	}
	r := cfg.Recoveries["db01_outage"]
	if r.Merge == nil || r.Merge.ConflictResolution != DefaultConflictResolution || r.Merge.BadItemLimit != 0 || r.Merge.Priority != nil {
		t.Errorf("Merge = %+v", r.Merge)
	}
	if !r.Restore.ReplayLogs {
		t.Error("replay_logs should default to true")
	}
	if r.Restore.AcceptDataLoss || r.Priority != DefaultRecoveryPriority || !r.Swap {
		t.Errorf("accept_data_loss %v, priority %d, swap %v: want false, 100, true", r.Restore.AcceptDataLoss, r.Priority, r.Swap)
	}
	if r.OptionRange.Start.Line != 36 {
		t.Errorf("OptionRange = %s", r.OptionRange)
	}
	if s := cfg.Servers["EX01"]; s.SchemaVersion != "" || s.CapacityBytes != 0 || s.MaximumActiveDatabases != 0 {
		t.Errorf("server defaults = %+v", s)
	}
	if d := cfg.Drills["db01-corrupt"]; d.Messages != (DrillMessages{}) {
		t.Errorf("Messages = %+v", d.Messages)
	}

	cfg, diags = loadOne(t, "testdata/valid/minimal.hcl")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if cfg.Backend != nil || cfg.Provider != nil || len(cfg.Recoveries) != 0 {
		t.Errorf("minimal config: backend %v provider %v recoveries %v", cfg.Backend, cfg.Provider, cfg.Recoveries)
	}
	cfg, _ = loadOne(t, "testdata/valid/standard_full.hcl")
	if got := cfg.Drills["r1-lost"].Messages; got != (DrillMessages{DuringDialTone: 7}) {
		t.Errorf("partial messages = %+v", got)
	}
	if cfg.Recoveries["r1"].Restore.ReplayLogs {
		t.Error("replay_logs = false was not kept")
	}
}

// TestLoadAlternateStay checks the values of the server and recovery settings added
// for the alternate-server options.
func TestLoadAlternateStay(t *testing.T) {
	cfg, diags := loadOne(t, "testdata/valid/alternate_stay.hcl")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ex01, ex02 := cfg.Servers["EX01"], cfg.Servers["EX02"]
	if ex01.SchemaVersion != "0.132" || ex01.CapacityBytes != 2<<40 || ex01.MaximumActiveDatabases != 20 {
		t.Errorf("EX01 = %+v", ex01)
	}
	if ex02.CapacityBytes != 3<<39 || ex02.MaximumActiveDatabases != 0 {
		t.Errorf("EX02 = %+v", ex02)
	}
	if limit, byCap := ex01.ActiveDatabaseLimit(); limit != 20 || !byCap {
		t.Errorf("EX01 limit = %d, %v", limit, byCap)
	}
	db01, db02, db03 := cfg.Recoveries["db01"], cfg.Recoveries["db02"], cfg.Recoveries["db03"]
	if db01.Priority != 0 || !db01.Swap || db02.Priority != 100 || db02.Swap || db03.Priority != 1000 || !db03.Swap {
		t.Errorf("priority/swap: db01 %d %v, db02 %d %v, db03 %d %v", db01.Priority, db01.Swap, db02.Priority, db02.Swap, db03.Priority, db03.Swap)
	}
	if db03.Restore.Backup != BackupNone || !db03.Restore.AcceptDataLoss || db03.Restore.ReplayLogs {
		t.Errorf("db03 restore = %+v", db03.Restore)
	}
	// The recovery database's server stays unset in the Config; RecoveryServer
	// resolves it per option.
	if db01.RecoveryDatabase.Server != (Addr{}) || cfg.RecoveryServer(db01) != (Addr{KindServer, "EX02"}) {
		t.Errorf("db01 recovery server = %v, resolved %v", db01.RecoveryDatabase.Server, cfg.RecoveryServer(db01))
	}
	if got := cfg.RecoveryServer(db03); got != (Addr{KindServer, "EX01"}) {
		t.Errorf("db03 recovery server resolved to %v, want the failed database's", got)
	}
	if got := cfg.RecoveryServer(db02); got != (Addr{KindServer, "EX02"}) {
		t.Errorf("db02 recovery server = %v", got)
	}
	if cfg.RecoveryServer(nil) != (Addr{}) {
		t.Error("RecoveryServer(nil)")
	}

	site := cfg.Drills["ex01-down"]
	if site.Failure != (Addr{KindServer, "EX01"}) || site.Mode != DrillModeServerDown || site.BadItems != DefaultDrillBadItems || site.Recovery != (Addr{}) {
		t.Errorf("ex01-down = %+v", site)
	}
	// Every recovery of EX01's databases, lowest priority first.
	var got []string
	for _, r := range cfg.DrillRecoveries(site) {
		got = append(got, r.Name)
	}
	if !reflect.DeepEqual(got, []string{"db01", "db02", "db03"}) {
		t.Errorf("DrillRecoveries(ex01-down) = %v", got)
	}
	bad := cfg.Drills["db02-bad-items"]
	if bad.BadItems != 0 || bad.Recovery != (Addr{KindRecovery, "db02"}) || bad.RecoveryRange.Start.Line == 0 {
		t.Errorf("db02-bad-items = %+v", bad)
	}
	if rs := cfg.DrillRecoveries(bad); len(rs) != 1 || rs[0] != db02 {
		t.Errorf("DrillRecoveries(db02-bad-items) = %v", rs)
	}
	crash := cfg.Drills["db01-crash"]
	if rs := cfg.DrillRecoveries(crash); crash.Recovery != (Addr{}) || len(rs) != 1 || rs[0] != db01 {
		t.Errorf("db01-crash: recovery %v, DrillRecoveries %v", crash.Recovery, rs)
	}
	if cfg.DrillRecoveries(nil) != nil || (*Config)(nil).DrillRecoveries(crash) != nil {
		t.Error("DrillRecoveries of nil")
	}
}

func TestLoadExchangeAndPG(t *testing.T) {
	cfg, diags := loadOne(t, "testdata/valid/exchange_pg.hcl")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	be := cfg.Backend
	if be.Type != "pg" || be.ConnStr != "" || be.SchemaName != "dialtone_ops" || be.Backups != 20 || be.Path != "" {
		t.Errorf("Backend = %+v", be)
	}
	p := cfg.Provider
	want := Provider{Type: "exchange", Command: []string{"powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"},
		ConnectionURI: "https://ex01.contoso.com/PowerShell/", Authentication: "Basic", DomainController: "dc01.contoso.com",
		CredentialFile: `C:\secure\exchange.cred`, DeclRange: p.DeclRange}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("Provider = %+v\nwant %+v", *p, want)
	}

	// Defaults of both.
	cfg, diags = loadSource(t, backendSrc("pg", "")+`provider "exchange" {}`)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if be := cfg.Backend; be.SchemaName != DefaultPGSchema || be.Backups != DefaultBackups || be.ConnStr != "" {
		t.Errorf("pg defaults = %+v", be)
	}
	if p := cfg.Provider; !reflect.DeepEqual(p.Command, DefaultExchangeCommand) || p.Authentication != AuthKerberos ||
		p.ConnectionURI != "" || p.CredentialEnv != "" || p.Path != "" {
		t.Errorf("exchange defaults = %+v", p)
	}
	cfg, diags = loadSource(t, `provider "exchange" { no_autodiscover_attribute = "CustomAttribute15" }`)
	if len(diags) > 0 || cfg.Provider.NoAutodiscoverAttribute != "CustomAttribute15" {
		t.Errorf("no_autodiscover_attribute: %v, %q", diags, cfg.Provider.NoAutodiscoverAttribute)
	}
	p.Command[0] = "changed"
	if DefaultExchangeCommand[0] != "pwsh" {
		t.Error("the default command is shared with a Config")
	}
}

// TestSecretsNotEchoed checks that no diagnostic repeats a credential written in HCL.
func TestSecretsNotEchoed(t *testing.T) {
	srcs := []string{
		backendSrc("pg", `conn_str = "host=x password=s3cr3t-value"`),
		backendSrc("pg", `conn_str = "postgresql://me:s3cr3t-value@db/ops?sslmode=require"`),
		backendSrc("pg", `conn_str = "postgres://db/ops?user=me&PASSWORD=s3cr3t-value"`),
		`provider "exchange" { password = "s3cr3t-value" }`,
		`provider "exchange" { credential = { user = "me", password = "s3cr3t-value" } }`,
		`provider "exchange" { connection_uri = "https://me:s3cr3t-value@ex01/PowerShell/" }`,
	}
	for _, src := range srcs {
		_, diags := loadSource(t, src)
		if len(diags) == 0 {
			t.Errorf("%s: no diagnostic", src)
		}
		for _, d := range diags {
			if strings.Contains(d.Summary+d.Detail, "s3cr3t") {
				t.Errorf("%s: diagnostic repeats the secret: %s", src, d)
			}
		}
	}
}

// TestLoadInline covers single-block cases that a marker file cannot hold (one
// provider and one backend per directory).
func TestLoadInline(t *testing.T) {
	tests := []struct {
		src, summary string
		severity     hcl.DiagnosticSeverity
		want         string
	}{
		{backendSrc("pg", `conn_str = var.pg`), "Unsupported attribute", hcl.DiagError, `"pg"`},
		{backendSrc("pg", `conn_str = "host=db user=me password=x"`), "Password in the configuration", hcl.DiagWarning, "end up in git"},
		{backendSrc("local", `backups = 2.5`), "Invalid number", hcl.DiagError, "fractional"},
		{`provider "exchange" { authentication = "Basic" }`, "Basic authentication without a credential", hcl.DiagError, "credential_env"},
		{`provider "exchange" {` + "\n" + `connection_uri = "HTTP://ex01/PowerShell/"` + "\n" + `authentication = "Basic"` + "\n" + `credential_env = "EX"` + "\n}", "Basic authentication over http", hcl.DiagError, "https://"},
		{`provider "exchange" { connection_uri = "https:///PowerShell/" }`, "Invalid connection URI", hcl.DiagError, "names no server"},
		{`provider "exchange" { connection_uri = "ex01.contoso.com" }`, "Invalid connection URI", hcl.DiagError, "is not a URL"},
		{`provider "exchange" { command = "pwsh -NoLogo" }`, "Invalid command", hcl.DiagError, "list of strings"},
		{`provider "exchange" { no_autodiscover_attribute = "extensionAttribute1" }`, "Invalid custom attribute", hcl.DiagError, "CustomAttribute1 to CustomAttribute15"},
		{`provider "exchange" { username = "admin" }`, "Credential in the configuration", hcl.DiagError, "Credentials never go in HCL"},
		{`provider "exchange" { max_sessions = 0 }`, "Invalid max_sessions", hcl.DiagError, "1 to 64 PowerShell sessions"},
		{`provider "exchange" { max_sessions = 65 }`, "Invalid max_sessions", hcl.DiagError, "PowerShellMaxConcurrency"},
		{`provider "exchange" { max_sessions = 12.5 }`, "Invalid number", hcl.DiagError, "fractional"},
		{`provider "exchange" { max_sessions = "many" }`, "Unsuitable value type", hcl.DiagError, "whole number"},
		{`provider "lab" { password = "x" }`, "Unsupported argument", hcl.DiagError, ""},
	}
	for _, tt := range tests {
		_, diags := loadSource(t, tt.src)
		if len(diags) != 1 {
			t.Errorf("%s: want 1 diagnostic, got %s", tt.src, diags)
			continue
		}
		d := diags[0]
		if d.Summary != tt.summary || d.Severity != tt.severity || !strings.Contains(d.Detail, tt.want) || d.Subject == nil {
			t.Errorf("%s: got %s (severity %v)", tt.src, d, d.Severity)
		}
	}

	// With accept_data_loss, replay_logs = false is a decision, not a warning.
	for _, replay := range []string{"backup = \"nightly\"\nreplay_logs = false\naccept_data_loss = true", `backup = "none"` + "\naccept_data_loss = true"} {
		src := strings.Replace(sameServerRecovery, "REPLAY", replay, 1)
		if _, diags := loadSource(t, src); len(diags) > 0 {
			t.Errorf("%s: %s", replay, diags)
		}
	}
}

const sameServerRecovery = `
server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}
database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}
recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"
  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DTDB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }
  recovery_database {
    name            = "RDB01"
    edb_file_path   = "F:\\RDB\\DB01.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }
  restore {
    REPLAY
  }
}
`

func TestLoadMultipleFiles(t *testing.T) {
	cfg, diags := Load("testdata/multifile", LoadOptions{})
	if got := keys(cfg.Sources); !reflect.DeepEqual(got, []string{"a_topology.hcl", "b_recovery.hcl"}) {
		t.Errorf("Sources = %v", got)
	}
	// The recovery in b_recovery.hcl resolves database.DB01 and server.EX01 of
	// a_topology.hcl; the only problem is the duplicate.
	if len(diags) != 1 {
		t.Fatalf("want 1 diagnostic, got %d: %s", len(diags), diags)
	}
	d := diags[0]
	if d.Summary != "Duplicate database name" || d.Subject.Filename != "b_recovery.hcl" {
		t.Errorf("got %s at %s", d.Summary, d.Subject)
	}
	if !strings.Contains(d.Detail, "first declared at a_topology.hcl:6,10-16") {
		t.Errorf("detail does not cite the first declaration: %s", d.Detail)
	}
	if r := cfg.RecoveryFor("DB01"); r == nil || r.DialTone.Server.Name != "EX01" {
		t.Errorf("recovery across files: %+v", r)
	}
}

func TestLoadNoFiles(t *testing.T) {
	dir := t.TempDir()
	// Neither a folder named like a file nor an editor leftover is configuration.
	if err := os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".#main.hcl"), []byte("junk {"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if cfg == nil || cfg.Servers == nil || cfg.Files == nil {
		t.Fatal("Load must return an empty, usable Config")
	}
	if len(diags) != 1 || diags[0].Summary != "No configuration files" {
		t.Fatalf("diags = %s", diags)
	}
	if !strings.Contains(diags[0].Detail, dir) || !strings.Contains(diags[0].Detail, "-chdir=DIR") {
		t.Errorf("detail = %s", diags[0].Detail)
	}

	if _, diags := Load(filepath.Join(dir, "missing"), LoadOptions{}); !diags.HasErrors() {
		t.Error("a missing directory loads without error")
	}
}

// TestLoadPartialOnError checks that a broken file still yields Files and Sources for
// rendering, and what could be decoded.
func TestLoadPartialOnError(t *testing.T) {
	dir := t.TempDir()
	src := "server \"EX01\" {\n  edition = \"standard\"\n  version = \"15.2.1.1\"\n}\nserver \"EX02\" {\n"
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if !diags.HasErrors() {
		t.Fatal("want a syntax error")
	}
	if cfg.Files["main.hcl"] == nil || string(cfg.Sources["main.hcl"]) != src {
		t.Error("Files/Sources not filled on error")
	}
	if diags[0].Subject == nil || diags[0].Subject.Filename != "main.hcl" {
		t.Errorf("subject = %v", diags[0].Subject)
	}
	var buf strings.Builder
	if err := hcl.NewDiagnosticTextWriter(&buf, cfg.Files, 80, false).WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "main.hcl line 5") {
		t.Errorf("rendered diagnostics lack file and line:\n%s", buf.String())
	}
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Names with a C1 control or a Unicode line break are refused here, as the Exchange
// provider refuses them on a command line: a plan must never show what apply refuses.
func TestUnicodeControlsInNamesRefused(t *testing.T) {
	for _, r := range []rune{'\u0085', '\u009b', '\u2028', '\u2029'} {
		src := "server \"EX01\" {\n  edition = \"enterprise\"\n  version = \"15.2.1544.4\"\n}\n" +
			"database \"DB" + string(r) + "01\" {\n  server = server.EX01\n  edb_file_path = \"D:\\\\DB\\\\DB.edb\"\n  log_folder_path = \"D:\\\\DB\\\\Logs\"\n}\n"
		_, diags := loadSource(t, src)
		found := false
		for _, d := range diags {
			if d.Summary == "Invalid database name" {
				found = true
			}
		}
		if !found {
			t.Errorf("U+%04X in a database name: no \"Invalid database name\" diagnostic in %s", r, diags)
		}
	}
}

// A renamed database keeps its file: the recovery database that restores it points at
// the file's real name (DB01.edb for the database now called Sales), not the
// database's name. The recovery database of alternate_server follows the dial tone
// database's file name, whatever it is.
func TestRecoveryDatabaseFollowsTheRealFileName(t *testing.T) {
	src := func(option, rdbFile, dtFile string) string {
		return `server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}
server "EX02" {
  edition = "enterprise"
  version = "15.2.1544.4"
}
database "Sales" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}
recovery "r1" {
  database = database.Sales
  option   = "` + option + `"
  stage    = "dial_tone"
  dial_tone_database {
    name            = "DTSales"
    server          = server.EX02
    edb_file_path   = "E:\\DialTone\\` + dtFile + `"
    log_folder_path = "E:\\DialTone\\Logs"
  }
  recovery_database {
    name            = "RDB01"
    server          = server.EX02
    edb_file_path   = "F:\\Recovery\\` + rdbFile + `"
    log_folder_path = "F:\\Recovery\\Logs"
  }
  restore {
    backup = "nightly"
  }
}
`
	}
	for _, c := range []struct{ option, rdbFile, dtFile, want string }{
		{"alternate_server_stay", "DB01.edb", "DT.edb", ""},
		{"alternate_server_stay", "Sales.edb", "DT.edb", `must be "DB01.edb" (a restore keeps the failed database's file name: Sales's file is`},
		{"alternate_server", "DT.edb", "DT.edb", ""},
		{"alternate_server", "DTSales.edb", "DT.edb", `must be "DT.edb"`},
	} {
		_, diags := loadSource(t, src(c.option, c.rdbFile, c.dtFile))
		var got []string
		for _, d := range diags {
			if d.Summary == "Wrong database file name" {
				got = append(got, d.Detail)
			}
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s with %s: refused: %v", c.option, c.rdbFile, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
			t.Errorf("%s with %s: %v, want one saying %q", c.option, c.rdbFile, got, c.want)
		}
	}
}
