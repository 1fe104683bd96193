package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// claim is the first declaration of something that must be unique: a database name,
// a log folder, a database file.
type claim struct {
	owner string // "database DB01", "dial tone database DTDB01 of recovery r1"
	rng   hcl.Range
}

// claims tracks unique things in declaration order. Blocks are decoded in source
// order (files by name, blocks top to bottom), so the first claim is the first
// declaration.
type claims struct {
	dbNames    map[string]claim
	logFolders map[string]claim
	edbFiles   map[string]claim
	recovered  map[string]claim // failed database name -> its recovery
	fileSets   []fileSet        // every database's files, for the overlap check (overlap.go)
}

// claimDatabaseName records a database name. Names are unique in an Exchange
// organization across every database, recovery databases included, and compared
// without regard to case.
func (l *loader) claimDatabaseName(name string, rng hcl.Range, owner string) hcl.Diagnostics {
	key := strings.ToLower(name)
	if first, ok := l.claims.dbNames[key]; ok {
		return hcl.Diagnostics{errorAt(rng, "Duplicate database name",
			"The name %q of %s is already used by %s, first declared at %s. Exchange database names are unique in the organization, recovery databases included; choose another name.",
			name, owner, first.owner, first.rng)}
	}
	l.claims.dbNames[key] = claim{owner, rng}
	return nil
}

// claimPaths records a database's log folder and file. Two databases sharing a log
// folder would mix two log streams of the same prefix (exchange-recovery.md 3.3);
// two sharing a file would overwrite each other. Only valid paths are claimed.
// temp marks a dial tone or recovery database: dialtone creates, fills and deletes its
// files, so they must not overlap another database's (checkOverlap).
func (l *loader) claimPaths(edb string, edbRange hcl.Range, logs string, logRange hcl.Range, owner string, temp bool) hcl.Diagnostics {
	diags := l.checkOverlap(fileSet{owner: owner, temp: temp, edb: edb, edbRange: edbRange, logs: logs, logRange: logRange})
	if edb != "" && windowsPathProblem(edb) == "" {
		key := folderKey(edb)
		if first, ok := l.claims.edbFiles[key]; ok {
			diags = append(diags, errorAt(edbRange, "Shared database file",
				"The edb_file_path %q of %s is also the file of %s, declared at %s. Every database needs a file of its own.",
				edb, owner, first.owner, first.rng))
		} else {
			l.claims.edbFiles[key] = claim{owner, edbRange}
		}
	}
	if logs != "" && windowsPathProblem(logs) == "" {
		key := folderKey(logs)
		if first, ok := l.claims.logFolders[key]; ok {
			diags = append(diags, errorAt(logRange, "Shared log folder",
				"The log_folder_path %q of %s is also the log folder of %s, declared at %s. Give every database its own log folder, so that two log streams never meet in one folder.",
				logs, owner, first.owner, first.rng))
		} else {
			l.claims.logFolders[key] = claim{owner, logRange}
		}
	}
	return diags
}
