package plantest

import (
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// AltConfig returns a two-server organization (EX01 lost, EX02 the alternate server,
// both enterprise 2019) with a recovery of DB01 by option (alternate_server or
// alternate_server_stay) requesting stage, swap set as given. The dial tone database
// DTDB01 is on EX02; RDB01 has no server (the option's default).
func AltConfig(option, stage string, swap bool) *config.Config {
	cfg := Config(stage)
	cfg.Servers["EX02"] = &config.Server{Name: "EX02", Site: "DR", Edition: "enterprise", Version: "15.2.1544.4", DeclRange: rng(20)}
	rec := cfg.Recoveries["db01-outage"]
	rec.Option, rec.Swap, rec.Priority = option, swap, 100
	rec.DialTone.Server = config.Addr{Kind: config.KindServer, Name: "EX02"}
	rec.DialTone.EdbFilePath, rec.DialTone.LogFolderPath = `F:\DialTone\DTDB01\DTDB01.edb`, `F:\DialTone\DTDB01\Logs`
	if option == config.OptionAlternateServer {
		rec.RecoveryDatabase.EdbFilePath = `E:\Recovery\RDB01\DTDB01.edb`
		rec.RecoveryDatabase.LogFolderPath = `E:\Recovery\RDB01`
	} else {
		rec.RecoveryDatabase.EdbFilePath = `G:\Recovery\RDB01\DB01.edb`
		rec.RecoveryDatabase.LogFolderPath = `G:\Recovery\RDB01\Logs`
	}
	return cfg
}

// AltState is State(n) with EX01 down (DB01 lost with it), EX02 up with one mounted
// database, a backup set "nightly" of DB01, an arbitration mailbox on DB01, an archive
// of a DB02 user on DB01, and the first user's client without Autodiscover.
func AltState(n int) *state.State {
	st := State(n)
	st.Servers["EX01"].Up = false
	st.Databases["DB02"].Mounted = false
	st.Servers["EX02"] = &state.Server{Name: "EX02", Site: "DR", Edition: "enterprise", Version: "15.2.1544.4", Up: true,
		CapacityBytes: 500 << 30, UsedBytes: 100 << 30}
	st.Databases["DB03"] = &state.Database{Name: "DB03", Server: "EX02", EdbFilePath: `F:\Databases\DB03\DB03.edb`,
		LogFolderPath: `F:\Databases\DB03\Logs`, LogFilePrefix: "E02", Mounted: true, Clean: false, FilesOK: true, SizeBytes: 20 << 30}
	st.Databases["DB01"].SizeBytes = 40 << 30
	st.Backups = map[string]*state.Backup{"DB01/nightly": {Set: "nightly", Database: "DB01", Generation: 0x40, SizeBytes: 30 << 30}}
	st.Mailboxes["SystemMailbox{1f05a927}@contoso.com"] = &state.Mailbox{Address: "SystemMailbox{1f05a927}@contoso.com",
		ExchangeGuid: "1f05a927-0000-4000-8000-000000000001", Database: "DB01", Kind: "arbitration"}
	if mb := st.Mailboxes["db02-user0001@contoso.com"]; mb != nil {
		mb.ArchiveDatabase = "DB01"
	}
	if mb := st.Mailboxes["db01-user0001@contoso.com"]; mb != nil {
		mb.NoAutodiscover = true
	}
	return st
}

// AltPair is AltConfig (alternate_server, swap) and AltState(n) with a second
// recovery, of DB02 (also lost with EX01) to DTDB02 on EX02 with priority 200: two
// recoveries whose failed databases share one lost server.
func AltPair(stage string, n int) (*config.Config, *state.State) {
	cfg := AltConfig(config.OptionAlternateServer, stage, true)
	rec2 := *cfg.Recoveries["db01-outage"]
	rec2.Name, rec2.Database = "db02-outage", config.Addr{Kind: config.KindDatabase, Name: "DB02"}
	dt, rdb := *rec2.DialTone, *rec2.RecoveryDatabase
	dt.Name, dt.EdbFilePath, dt.LogFolderPath = "DTDB02", `F:\DialTone\DTDB02\DTDB02.edb`, `F:\DialTone\DTDB02\Logs`
	rdb.Name, rdb.EdbFilePath, rdb.LogFolderPath = "RDB02", `E:\Recovery\RDB02\DTDB02.edb`, `E:\Recovery\RDB02`
	rec2.DialTone, rec2.RecoveryDatabase, rec2.Priority = &dt, &rdb, 200
	cfg.Recoveries["db02-outage"] = &rec2
	st := AltState(n)
	b := *st.Backups["DB01/nightly"]
	b.Database = "DB02"
	st.Backups["DB02/nightly"] = &b
	return cfg, st
}
