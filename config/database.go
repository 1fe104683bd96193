package config

import (
	"github.com/hashicorp/hcl/v2"
)

var databaseSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "server", Required: true},
		{Name: "edb_file_path", Required: true},
		{Name: "log_folder_path", Required: true},
	},
}

// decodeDatabase decodes a database block: a mailbox database of the topology.
func (l *loader) decodeDatabase(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	nameRange := block.LabelRanges[0]
	owner := "database " + name
	body, diags := content(block.Body, databaseSchema)
	db := &Database{Name: name, DeclRange: block.DefRange}
	if attr := body.Attributes["server"]; attr != nil {
		addr, d := parseRef(attr.Expr, KindServer)
		diags = append(diags, d...)
		db.Server, db.ServerRange = addr, attr.Expr.Range()
	}
	nameDiags := checkDatabaseName(name, nameRange, "database")
	diags = append(diags, nameDiags...)
	want := name + ".edb"
	if nameDiags.HasErrors() {
		want = "" // a file name built from a name Exchange refuses would mislead
	}
	edb, logs := body.Attributes["edb_file_path"], body.Attributes["log_folder_path"]
	if edb != nil {
		d := decodeString(edb, &db.EdbFilePath)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, checkEdbFilePath(db.EdbFilePath, edb.Expr.Range(), owner, want,
				" (Exchange expects the file of a database to carry its name)")...)
		}
	}
	if logs != nil {
		d := decodeString(logs, &db.LogFolderPath)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, checkLogFolderPath(db.LogFolderPath, logs.Expr.Range(), owner)...)
		}
	}

	if d := l.claimDatabaseName(name, nameRange, owner); d != nil {
		// Keep the first declaration; the duplicate's paths are not claimed either.
		return append(diags, d...)
	}
	diags = append(diags, l.claimPaths(db.EdbFilePath, valueRange(edb), db.LogFolderPath, valueRange(logs), owner, false)...)
	l.cfg.Databases[name] = db
	return diags
}
