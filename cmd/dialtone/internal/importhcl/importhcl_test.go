package importhcl

import (
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

func observed() *state.Observed {
	return &state.Observed{
		Servers: map[string]*state.Server{
			"ex02": {Name: "ex02", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", MaximumActiveDatabases: 50},
			"EX01": {Name: "EX01", Edition: "standard", Version: "15.2.1544.4", SchemaVersion: "15.2"},
			"9bad": {Name: "9bad", Edition: "standard", Version: "15.2.1544.4"},
		},
		Databases: map[string]*state.Database{
			"DB01":  {Name: "DB01", Server: "EX01", EdbFilePath: `D:\DB01\DB01.edb`, LogFolderPath: `D:\DB01\Logs`, Copies: []state.DatabaseCopy{{Server: "EX01"}, {Server: "ex02"}}},
			"RDB01": {Name: "RDB01", Server: "EX01", Recovery: true},
			"DTDB1": {Name: "DTDB1", Server: "EX01"},
			"db00":  {Name: "db00", Server: "ex02", EdbFilePath: `E:\db00.edb`, LogFolderPath: `E:\Logs`},
		},
	}
}

func TestBuildWritesWhatTheFolderLacks(t *testing.T) {
	cfg := &config.Config{
		Servers:    map[string]*config.Server{"EX02": {Name: "EX02"}},
		Databases:  map[string]*config.Database{},
		Recoveries: map[string]*config.Recovery{"r": {Name: "r", DialTone: &config.DialToneDatabase{Name: "dtdb1"}}},
	}
	res := Build(observed(), cfg, "# header\n")
	got := string(res.HCL)
	if !strings.HasPrefix(got, "# header\n") {
		t.Errorf("no header:\n%s", got)
	}
	// Case-insensitive order, the declared server (EX02 as ex02) and the dial tone
	// database's name left out, the recovery database never imported.
	if strings.Join(res.AddedServers, " ") != "9bad EX01" || strings.Join(res.SkippedServers, " ") != "ex02" {
		t.Errorf("servers added %v, skipped %v", res.AddedServers, res.SkippedServers)
	}
	if strings.Join(res.AddedDatabases, " ") != "db00 DB01" || strings.Join(res.SkippedDatabases, " ") != "DTDB1" || strings.Join(res.RecoveryDatabases, " ") != "RDB01" {
		t.Errorf("databases added %v, skipped %v, recovery %v", res.AddedDatabases, res.SkippedDatabases, res.RecoveryDatabases)
	}
	for _, want := range []string{
		"server \"EX01\" {\n  edition        = \"standard\"\n  version        = \"15.2.1544.4\"\n  schema_version = \"15.2\"\n}\n",
		"database \"DB01\" {\n  server          = server.EX01\n",
		"copies          = [server.EX01, server.ex02]",
		"log_folder_path = \"E:\\\\Logs\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], `server "9bad" cannot be referenced`) {
		t.Errorf("notes %v", res.Notes)
	}
	if again := Build(observed(), cfg, "# header\n"); string(again.HCL) != got {
		t.Error("the same organization gives different bytes")
	}
}

func TestBuildNothingToAdd(t *testing.T) {
	obs := &state.Observed{Servers: map[string]*state.Server{"EX01": {Name: "EX01"}}, Databases: map[string]*state.Database{}}
	cfg := &config.Config{Servers: map[string]*config.Server{"ex01": {Name: "ex01"}}, Databases: map[string]*config.Database{}}
	res := Build(obs, cfg, "")
	if !strings.Contains(string(res.HCL), "# Nothing to add") || len(res.AddedServers) != 0 {
		t.Fatalf("%+v\n%s", res, res.HCL)
	}
}

func TestHeaderAndTime(t *testing.T) {
	at, err := Time(func(string) string { return "1767225600" })
	if err != nil || !at.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("SOURCE_DATE_EPOCH: %v, %v", at, err)
	}
	if _, err := Time(func(string) string { return "-5" }); err == nil {
		t.Error("a negative SOURCE_DATE_EPOCH is accepted")
	}
	if now, err := Time(func(string) string { return "" }); err != nil || time.Since(now) > time.Minute || now.Nanosecond() != 0 {
		t.Errorf("now: %v, %v", now, err)
	}
	h := Header(&config.Config{Provider: &config.Provider{Type: "exchange", ConnectionURI: "http://secret.example/"}}, at)
	if !strings.Contains(h, `provider "exchange"`) || !strings.Contains(h, "2026-01-01T00:00:00Z") || strings.Contains(h, "secret") {
		t.Errorf("header %q", h)
	}
	if h := Header(&config.Config{}, at); !strings.Contains(h, `provider "lab"`) {
		t.Errorf("header without a provider block %q", h)
	}
}
