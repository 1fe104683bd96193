package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// findDiag returns the diagnostic with the summary whose subject starts on line.
func findDiag(t *testing.T, diags hcl.Diagnostics, summary string, line int) *hcl.Diagnostic {
	t.Helper()
	for _, d := range diags {
		if d.Summary == summary && d.Subject != nil && d.Subject.Start.Line == line {
			return d
		}
	}
	t.Fatalf("no %q at line %d in %s", summary, line, diags)
	return nil
}

// TestDiagnosticWording pins the details a user relies on to fix a mistake.
func TestDiagnosticWording(t *testing.T) {
	tests := []struct {
		file, summary string
		line          int
		want          []string
	}{
		{"undeclared.hcl", "Reference to undeclared server", 12,
			[]string{`A server named "EX09" is not declared. Declared servers: EX01, EX02.`}},
		{"undeclared.hcl", "Reference to undeclared server", 30,
			[]string{"Did you mean server.EX02?"}},
		{"undeclared.hcl", "Reference to undeclared database", 24,
			[]string{`A database named "DB09" is not declared. Declared databases: DB01, DB02.`}},
		{"undeclared.hcl", "Reference to undeclared database", 48,
			[]string{"DTDB01 is the dial tone database of recovery r1"}},
		{"duplicates.hcl", "Duplicate server name", 6,
			[]string{"already declared at duplicates.hcl:1,1-14"}},
		{"duplicates.hcl", "Duplicate database name", 29,
			[]string{`The name "DB01" of dial tone database DB01 of recovery r1`, "database DB01, first declared at duplicates.hcl:11,10-16"}},
		{"invalid_reference.hcl", "Invalid reference", 7,
			[]string{"Expected a reference like server.EX01"}},
		{"options.hcl", "Invalid recovery option", 14,
			[]string{`"same_server", "alternate_server" or "alternate_server_stay"`}},
		{"options.hcl", "Invalid recovery stage", 15,
			[]string{`"dial_tone", "restored", "swapped", "merged" or "complete"`}},
		{"options.hcl", "Invalid conflict resolution", 36,
			[]string{`"ForceCopy", "KeepAll", "KeepLatestItem", "KeepSourceItem", "KeepTargetItem" or "UpdateFromSource"`}},
		{"paths.hcl", "Wrong database file name", 57,
			[]string{`names the file "RDB01.edb", but it must be "DB01.edb"`, "keeps the failed database's file name", `DB05's file is D:\Databases\DB05\DB01.edb`}},
		{"limits.hcl", "Too many databases on server", 50,
			[]string{"Server EX01", "standard edition", "at most 5", "6 would be mounted", "5 databases and 1 dial tone database", `edition = "enterprise"`}},
		{"schema_version.hcl", "Exchange version mismatch", 24,
			[]string{"EX16", "Exchange 2016", "EX01", "15.2"}},
		{"same_server.hcl", "Database not on the failed database's server", 24,
			[]string{"server = server.EX01", `"alternate_server"`}},
		{"server_limits.hcl", "Too many databases on server", 55,
			[]string{"Server EX01 is capped by maximum_active_databases = 2 (below the 100 of its enterprise edition)", "at most 2 databases", "3 would be mounted", "raise maximum_active_databases"}},
		{"server_limits.hcl", "Invalid capacity", 15,
			[]string{`capacity "500": it has no unit`, `"1.5TB"`, "1024^3"}},
		{"server_limits.hcl", "Invalid schema version", 14,
			[]string{`"0.132"`, "CurrentSchemaVersion"}},
		{"server_limits.hcl", "Maximum active databases above the edition's limit", 16,
			[]string{"standard edition mounts at most 5"}},
		{"recovery_options.hcl", "Data loss not accepted", 78,
			[]string{"old mail is lost", "explicit decision", "accept_data_loss = true"}},
		{"recovery_options.hcl", "Mail after the backup will be lost", 105,
			[]string{"mail received between the backup and the failure is lost", "accept_data_loss = true"}},
		{"recovery_options.hcl", "Swap required", 61,
			[]string{`option "alternate_server"`, `use option = "alternate_server_stay"`, "merge-forward"}},
		{"recovery_options.hcl", "Wrong database file name", 73,
			[]string{`must be "DTDB01.edb"`, "2.3 step 9"}},
		{"recovery_options.hcl", "Wrong database file name", 99,
			[]string{`must be "DB02.edb"`, "keeps the failed database's file name"}},
		{"recovery_options.hcl", "Dial tone database on the failed database's server", 116,
			[]string{"DTDB03 is on EX01", `use option = "same_server"`}},
		{"recovery_options.hcl", "Database schema version mismatch", 166,
			[]string{"EX03, whose databases have schema version 0.131", "EX01, whose databases have schema version 0.132", `schema_version = "0.132"`}},
		{"recovery_options.hcl", "Recovery database on an unrelated server", 72,
			[]string{"on EX04", "server = server.EX01 or server = server.EX02"}},
		{"recovery_options.hcl", "Recovery database not on the dial tone server", 98,
			[]string{"on EX02, the dial tone server", "Set server = server.EX02"}},
		{"drill_failures.hcl", "Drill without a recovery", 60,
			[]string{"fails server EX02", "none of its databases (DB02, DB03) has a recovery block", "database = database.DB02"}},
		{"drill_failures.hcl", "Drill without a recovery", 66,
			[]string{"no database is on EX03"}},
		{"drill_failures.hcl", "Drill mode needs a failed database", 79,
			[]string{`mode "logs_missing"`, "server.EX01", `mode = "server_down"`}},
		{"drill_failures.hcl", "Drill rehearses another database's recovery", 102,
			[]string{"recovery r1 recovers DB01", "leave recovery out"}},
		{"drill.hcl", "Invalid drill mode", 43,
			[]string{`"lost", "corrupt", "server_down"`, `"crash_during_swap"`, "bad_items plants corrupt items"}},
		{"log_folders.hcl", "Shared log folder", 15,
			[]string{"log folder of database DB01, declared at log_folders.hcl:9,21-39"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.summary, func(t *testing.T) {
			_, diags := loadOne(t, "testdata/errors/"+tt.file)
			d := findDiag(t, diags, tt.summary, tt.line)
			for _, w := range tt.want {
				if !strings.Contains(d.Detail, w) {
					t.Errorf("detail lacks %q:\n%s", w, d.Detail)
				}
			}
		})
	}
}

func TestMountedDatabaseLimit(t *testing.T) {
	tests := []struct {
		edition, version string
		want             int
	}{
		{"standard", "15.0.620.29", 5},
		{"enterprise", "15.0.620.29", 50}, // 2013 RTM
		{"enterprise", "15.0.711.0", 50},
		{"enterprise", "15.0.712.24", 100}, // 2013 CU2
		{"enterprise", "15.1.2507.6", 100},
		{"enterprise", "bogus", 100},
		{"datacenter", "15.2.1544.4", 0},
	}
	for _, tt := range tests {
		s := &Server{Edition: tt.edition, Version: tt.version}
		if got := s.MountedDatabaseLimit(); got != tt.want {
			t.Errorf("%s %s: limit %d, want %d", tt.edition, tt.version, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"500GB": 500 << 30, "2TB": 2 << 40, "750MB": 750 << 20, "1.5TB": 3 << 39, "1.5tb": 3 << 39,
		"10 gb": 10 << 30, "1GiB": 1 << 30, "0.5MB": 1 << 19, "1048576TB": 1 << 60, "0.000001MB": 1,
	}
	for in, want := range good {
		if got, problem := ParseSize(in); problem != "" || got != want {
			t.Errorf("ParseSize(%q) = %d, %q; want %d", in, got, problem, want)
		}
	}
	for _, in := range []string{"", "500", "GB", "500XB", "1.5PB", "-1GB", "1e3GB", "0GB", "0.0000001MB", "1048577TB",
		"1,5TB", "500  GB", ".5GB", "5.GB", "99999999999999999999TB", "500GB extra"} {
		if got, problem := ParseSize(in); problem == "" {
			t.Errorf("ParseSize(%q) = %d, accepted", in, got)
		}
	}
}

func TestActiveDatabaseLimit(t *testing.T) {
	tests := []struct {
		edition string
		cap     int
		want    int
		byCap   bool
	}{
		{"enterprise", 0, 100, false},
		{"enterprise", 20, 20, true},
		{"standard", 10, 5, false},
		{"standard", 5, 5, false},
		{"datacenter", 3, 3, true},
		{"datacenter", 0, 0, false},
	}
	for _, tt := range tests {
		s := &Server{Edition: tt.edition, Version: "15.2.1544.4", MaximumActiveDatabases: tt.cap}
		if got, byCap := s.ActiveDatabaseLimit(); got != tt.want || byCap != tt.byCap {
			t.Errorf("%s cap %d: %d, %v; want %d, %v", tt.edition, tt.cap, got, byCap, tt.want, tt.byCap)
		}
	}
}

func TestParseBuild(t *testing.T) {
	good := map[string]string{"15.0.1497.2": "15.0", "15.1.2507.6": "15.1", "15.2.1544.4": "15.2", "15.02.0001.0": "15.2"}
	for v, schema := range good {
		b, ok := ParseBuild(v)
		if !ok || b.Schema() != schema {
			t.Errorf("ParseBuild(%q) = %+v, %v", v, b, ok)
		}
	}
	for _, v := range []string{"", "15.2", "15.2.1544", "15.3.1.1", "14.3.123.4", "16.0.1.1", "15.2.-1.4", "15.2.1544.4.1", "15.2.x.4", "15.2.9999999999.1", "15.2. 1.1"} {
		if _, ok := ParseBuild(v); ok {
			t.Errorf("ParseBuild(%q) accepted", v)
		}
	}
}

func TestWindowsPathProblem(t *testing.T) {
	for _, p := range []string{`D:\Databases\DB01\DB01.edb`, `d:\x`, `D:\`, `D:\Logs\`} {
		if problem := windowsPathProblem(p); problem != "" {
			t.Errorf("%q: %s", p, problem)
		}
	}
	for _, p := range []string{``, `Databases\DB01.edb`, `\\server\share\DB01.edb`, `//server/share`, `D:/Databases/DB01.edb`,
		`D:\Databases/DB01.edb`, `D:`, `D:DB01.edb`, `1:\x`, `D:\a\..\b`, `D:\.\b`, `D:\a\\b`, `D:\a*b`, "D:\\a\tb", `\Databases\DB01.edb`} {
		if windowsPathProblem(p) == "" {
			t.Errorf("%q accepted", p)
		}
	}
}
