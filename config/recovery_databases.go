package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

func recoveryDBSchema(serverRequired bool) *hcl.BodySchema {
	return &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "name", Required: true},
			{Name: "server", Required: serverRequired},
			{Name: "edb_file_path", Required: true},
			{Name: "log_folder_path", Required: true},
		},
	}
}

var (
	dialToneSchema         = recoveryDBSchema(true)
	recoveryDatabaseSchema = recoveryDBSchema(false)
)

// dbFields are the fields dial tone and recovery databases share.
type dbFields struct {
	Name          string
	Server        Addr
	ServerRange   hcl.Range
	EdbFilePath   string
	EdbRange      hcl.Range
	LogFolderPath string
}

// decodeDBBlock decodes a dial_tone_database or recovery_database block. what is
// "dial tone database" or "recovery database". The file name a recovery database's
// edb_file_path must end in is checked once every block is read (checkRecoveryEdb).
func (l *loader) decodeDBBlock(block *hcl.Block, schema *hcl.BodySchema, r *Recovery, what string) (dbFields, hcl.Diagnostics) {
	body, diags := content(block.Body, schema)
	var f dbFields
	nameAttr := body.Attributes["name"]
	nameOK := false
	if nameAttr != nil {
		d := decodeString(nameAttr, &f.Name)
		diags = append(diags, d...)
		if !d.HasErrors() {
			d = checkDatabaseName(f.Name, nameAttr.Expr.Range(), what)
			diags = append(diags, d...)
			nameOK = !d.HasErrors()
		}
	}
	owner := fmt.Sprintf("%s %s of recovery %s", what, f.Name, r.Name)
	if attr := body.Attributes["server"]; attr != nil && !isAbsent(attr.Expr) {
		addr, d := parseRef(attr.Expr, KindServer)
		diags = append(diags, d...)
		f.Server, f.ServerRange = addr, attr.Expr.Range()
	}
	edb, logs := body.Attributes["edb_file_path"], body.Attributes["log_folder_path"]
	if edb != nil {
		d := decodeString(edb, &f.EdbFilePath)
		diags = append(diags, d...)
		f.EdbRange = edb.Expr.Range()
		if !d.HasErrors() {
			diags = append(diags, checkEdbFilePath(f.EdbFilePath, edb.Expr.Range(), owner, "", "")...)
		}
	}
	if logs != nil {
		d := decodeString(logs, &f.LogFolderPath)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, checkLogFolderPath(f.LogFolderPath, logs.Expr.Range(), owner)...)
		}
	}
	if nameOK {
		if d := l.claimDatabaseName(f.Name, nameAttr.Expr.Range(), owner); d != nil {
			return f, append(diags, d...)
		}
	}
	diags = append(diags, l.claimPaths(f.EdbFilePath, valueRange(edb), f.LogFolderPath, valueRange(logs), owner, true)...)
	return f, diags
}

// decodeDialTone decodes the dial_tone_database block of recovery r.
func (l *loader) decodeDialTone(block *hcl.Block, r *Recovery) (*DialToneDatabase, hcl.Diagnostics) {
	// Exchange has no rule that a database's .edb carry its name: any .edb file name.
	f, diags := l.decodeDBBlock(block, dialToneSchema, r, "dial tone database")
	return &DialToneDatabase{
		Name:          f.Name,
		Server:        f.Server,
		ServerRange:   f.ServerRange,
		EdbFilePath:   f.EdbFilePath,
		LogFolderPath: f.LogFolderPath,
		DeclRange:     block.DefRange,
	}, diags
}

// decodeRecoveryDatabase decodes the recovery_database block of recovery r. Its server
// is optional and left as the zero Addr when absent: the planner resolves it per option
// (the failed database's server for same_server and alternate_server, the dial tone
// database's server for alternate_server_stay); see RecoveryServer.
func (l *loader) decodeRecoveryDatabase(block *hcl.Block, r *Recovery) (*RecoveryDatabase, hcl.Diagnostics) {
	f, diags := l.decodeDBBlock(block, recoveryDatabaseSchema, r, "recovery database")
	return &RecoveryDatabase{
		Name:          f.Name,
		Server:        f.Server,
		ServerRange:   f.ServerRange,
		EdbFilePath:   f.EdbFilePath,
		EdbRange:      f.EdbRange,
		LogFolderPath: f.LogFolderPath,
		DeclRange:     block.DefRange,
	}, diags
}

// checkRecoveryEdb checks the file name of r's recovery database (exchange-recovery.md
// 1.5, 3.3): same_server and alternate_server_stay restore the failed database's backup
// into it, and a restore keeps the file's name, which is the failed database's real file
// name (a renamed database keeps its file: Exchange has no rule that a file carry its
// database's name); alternate_server makes it from copies of the dial tone database's
// files after the swap (2.3 step 9), so it is the dial tone database's file name. With an
// unknown option, or a path already refused, nothing is checked.
func checkRecoveryEdb(r *Recovery, failed *Database) hcl.Diagnostics {
	rdb := r.RecoveryDatabase
	if rdb == nil || !edbPathOK(rdb.EdbFilePath) {
		return nil
	}
	var want, why string
	switch r.Option {
	case OptionSameServer, OptionAlternateServerStay:
		if failed == nil || !edbPathOK(failed.EdbFilePath) {
			return nil
		}
		want = fileName(failed.EdbFilePath)
		why = fmt.Sprintf(" (a restore keeps the failed database's file name: %s's file is %s, so the recovery database of %s points at %s)",
			failed.Name, failed.EdbFilePath, failed.Name, want)
	case OptionAlternateServer:
		if r.DialTone == nil || !edbPathOK(r.DialTone.EdbFilePath) {
			return nil
		}
		want = fileName(r.DialTone.EdbFilePath)
		why = fmt.Sprintf(" (with option \"alternate_server\" the recovery database is made from copies of the dial tone database's files after the swap, exchange-recovery.md 2.3 step 9, so it points at %s, the file of %s)",
			want, r.DialTone.Name)
	default:
		return nil
	}
	owner := fmt.Sprintf("recovery database %s of recovery %s", rdb.Name, r.Name)
	return checkEdbFilePath(rdb.EdbFilePath, rdb.EdbRange, owner, want, why)
}

// edbPathOK reports whether p is an edb_file_path checkEdbFilePath accepts by itself.
func edbPathOK(p string) bool {
	return p != "" && checkEdbFilePath(p, hcl.Range{}, "", "", "") == nil
}

// RecoveryServer is the server the recovery database of r goes on: its server
// attribute when given, else the option's default (the failed database's server for
// same_server and alternate_server, the dial tone database's for
// alternate_server_stay). It is the zero Addr when that is not known.
func (c *Config) RecoveryServer(r *Recovery) Addr {
	if r == nil || r.RecoveryDatabase == nil {
		return Addr{}
	}
	if r.RecoveryDatabase.Server.Name != "" {
		return r.RecoveryDatabase.Server
	}
	switch r.Option {
	case OptionAlternateServerStay:
		if r.DialTone != nil {
			return r.DialTone.Server
		}
	case OptionSameServer, OptionAlternateServer:
		if c != nil {
			if db := c.Databases[r.Database.Name]; db != nil {
				return db.Server
			}
		}
	}
	return Addr{}
}
