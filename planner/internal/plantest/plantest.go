// Package plantest builds the inputs planner tests need without the packages that load
// them: configurations and states as struct literals (the examples/same-server
// topology, a site failure), an in-memory fake provider and journal.
package plantest

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// Lineage is the lineage of every state built here.
const Lineage = "6f1c7c9e-0000-4000-8000-000000000001"

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: 0}, End: hcl.Pos{Line: line, Column: 20, Byte: 0}}
}

// Config returns examples/same-server/main.hcl as a Config, requesting stage.
func Config(stage string) *config.Config {
	ex01 := config.Addr{Kind: config.KindServer, Name: "EX01"}
	return &config.Config{
		Servers: map[string]*config.Server{
			"EX01": {Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", DeclRange: rng(17)},
		},
		Databases: map[string]*config.Database{
			"DB01": {Name: "DB01", Server: ex01, EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`, DeclRange: rng(23)},
			"DB02": {Name: "DB02", Server: ex01, EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`, DeclRange: rng(29)},
		},
		Recoveries: map[string]*config.Recovery{
			"db01-outage": Recovery("db01-outage", "DB01", "EX01", stage),
		},
		Sources: map[string][]byte{"main.hcl": []byte("# stand-in for examples/same-server/main.hcl\n")},
	}
}

// Recovery returns a same_server recovery block of database db on server, in the
// example's shape (DTDB01/RDB01 become DT<db>/R<db>).
func Recovery(name, db, server, stage string) *config.Recovery {
	srv := config.Addr{Kind: config.KindServer, Name: server}
	num := db[len(db)-2:]
	if len(db) < 2 {
		num = db
	}
	return &config.Recovery{
		Name:          name,
		Database:      config.Addr{Kind: config.KindDatabase, Name: db},
		DatabaseRange: rng(36),
		Option:        config.OptionSameServer,
		Stage:         stage,
		StageRange:    rng(38),
		DialTone: &config.DialToneDatabase{
			Name: "DTDB" + num, Server: srv,
			EdbFilePath:   fmt.Sprintf(`D:\DialTone\DTDB%s\DTDB%s.edb`, num, num),
			LogFolderPath: fmt.Sprintf(`D:\DialTone\DTDB%s\Logs`, num),
		},
		RecoveryDatabase: &config.RecoveryDatabase{
			Name:          "RDB" + num,
			EdbFilePath:   fmt.Sprintf(`E:\Recovery\RDB%s\%s.edb`, num, db),
			LogFolderPath: fmt.Sprintf(`E:\Recovery\RDB%s\Logs`, num),
		},
		Restore: &config.Restore{Backup: "nightly", ReplayLogs: true},
		Merge: &config.Merge{
			ConflictResolution: "KeepSourceItem",
			BadItemLimit:       10,
			Priority:           []string{fmt.Sprintf("%s-user0001@contoso.com", lower(db))},
			DeclRange:          rng(56),
		},
		DeclRange: rng(34),
	}
}

// State returns the example organization after DB01 failed: EX01 up, DB01 lost
// (dismounted, dirty, files gone), DB02 mounted, n mailboxes on each database.
func State(n int) *state.State {
	st := state.New(Lineage)
	st.Serial = 7
	st.Servers["EX01"] = &state.Server{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	st.Databases["DB01"] = &state.Database{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`,
		LogFolderPath: `D:\Databases\DB01\Logs`, LogFilePrefix: "E00", Settings: DefaultSettings()}
	st.Databases["DB02"] = &state.Database{Name: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`,
		LogFolderPath: `D:\Databases\DB02\Logs`, LogFilePrefix: "E01", Mounted: true, Clean: false, FilesOK: true, Settings: DefaultSettings()}
	AddMailboxes(st, "DB01", n)
	AddMailboxes(st, "DB02", n)
	return st
}

// AddMailboxes adds n mailboxes on db, named <db>-user0001@contoso.com and so on.
func AddMailboxes(st *state.State, db string, n int) {
	for i := 1; i <= n; i++ {
		addr := fmt.Sprintf("%s-user%04d@contoso.com", lower(db), i)
		st.Mailboxes[addr] = &state.Mailbox{Address: addr, ExchangeGuid: guid(db, i), Database: db}
	}
}

func guid(db string, i int) string {
	h := 0
	for _, c := range db {
		h = h*31 + int(c)
	}
	return fmt.Sprintf("%08x-0000-4000-8000-%012d", uint32(h), i)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SiteFailure returns a site of servers EX01..EXnn (enterprise), each with dbsPerServer
// failed databases of perDB mailboxes and one recovery per database requesting stage.
func SiteFailure(servers, dbsPerServer, perDB int, stage string) (*config.Config, *state.State) {
	cfg := &config.Config{
		Servers: map[string]*config.Server{}, Databases: map[string]*config.Database{},
		Recoveries: map[string]*config.Recovery{}, Sources: map[string][]byte{"main.hcl": []byte("site\n")},
	}
	st := state.New(Lineage)
	for s := 1; s <= servers; s++ {
		srv := fmt.Sprintf("EX%02d", s)
		cfg.Servers[srv] = &config.Server{Name: srv, Edition: "enterprise", Version: "15.2.1544.4"}
		st.Servers[srv] = &state.Server{Name: srv, Edition: "enterprise", Version: "15.2.1544.4", Up: true}
		for d := 1; d <= dbsPerServer; d++ {
			db := fmt.Sprintf("DB%02d%02d", s, d)
			cfg.Databases[db] = &config.Database{Name: db, Server: config.Addr{Kind: config.KindServer, Name: srv},
				EdbFilePath: `D:\Databases\` + db + `\` + db + `.edb`, LogFolderPath: `D:\Databases\` + db + `\Logs`}
			st.Databases[db] = &state.Database{Name: db, Server: srv, EdbFilePath: cfg.Databases[db].EdbFilePath,
				LogFolderPath: cfg.Databases[db].LogFolderPath, LogFilePrefix: "E00", Settings: DefaultSettings()}
			rec := Recovery(lower(db)+"-outage", db, srv, stage)
			rec.DialTone.Name, rec.RecoveryDatabase.Name = "DT"+db, "R"+db
			rec.DialTone.EdbFilePath = `D:\DialTone\DT` + db + `\DT` + db + `.edb`
			rec.DialTone.LogFolderPath = `D:\DialTone\DT` + db + `\Logs`
			rec.RecoveryDatabase.EdbFilePath = `E:\Recovery\R` + db + `\` + db + `.edb`
			rec.RecoveryDatabase.LogFolderPath = `E:\Recovery\R` + db + `\Logs`
			cfg.Recoveries[rec.Name] = rec
			AddMailboxes(st, db, perDB)
		}
	}
	return cfg, st
}

// DefaultSettings is a copy of Exchange's defaults: the settings a provider reports of a
// database nobody changed.
func DefaultSettings() map[string]string {
	out := make(map[string]string, len(state.DefaultSettings))
	for k, v := range state.DefaultSettings {
		out[k] = v
	}
	return out
}
