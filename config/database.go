package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var databaseSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "server", Required: true},
		{Name: "edb_file_path", Required: true},
		{Name: "log_folder_path", Required: true},
		{Name: "copies"},
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
	if attr := body.Attributes["copies"]; attr != nil {
		diags = append(diags, decodeCopies(db, attr)...)
	}
	nameDiags := checkDatabaseName(name, nameRange, "database")
	diags = append(diags, nameDiags...)
	// Exchange has no rule that a database's .edb carry its name (a renamed database
	// keeps its file name): only an absolute path to an .edb file is checked.
	want := ""
	edb, logs := body.Attributes["edb_file_path"], body.Attributes["log_folder_path"]
	if edb != nil {
		d := decodeString(edb, &db.EdbFilePath)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, checkEdbFilePath(db.EdbFilePath, edb.Expr.Range(), owner, want, "")...)
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

// decodeCopies reads copies = [server.EX02, ...]: the servers that hold passive copies
// of the database (a database availability group). Each must be a server reference,
// once, and not the database's own server (that holds the active copy).
func decodeCopies(db *Database, attr *hcl.Attribute) hcl.Diagnostics {
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		return hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid copies",
			"copies of database %s is a list of server references, like [server.EX02, server.EX03]: the servers that hold its passive copies.", db.Name)}
	}
	seen := map[string]bool{}
	for _, e := range exprs {
		addr, d := parseRef(e, KindServer)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		key := strings.ToLower(addr.Name)
		switch {
		case seen[key]:
			diags = append(diags, errorAt(e.Range(), "Duplicate copy",
				"Database %s lists server %s twice in copies; a server holds at most one copy of a database.", db.Name, addr.Name))
			continue
		case strings.EqualFold(addr.Name, db.Server.Name):
			diags = append(diags, errorAt(e.Range(), "Copy on the database's own server",
				"Database %s is on server %s, which holds its active copy; copies lists the other servers, those with passive copies.", db.Name, addr.Name))
			continue
		}
		seen[key] = true
		db.Copies = append(db.Copies, addr)
		db.CopyRanges = append(db.CopyRanges, e.Range())
	}
	return diags
}
