package config

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config/winpath"
)

// fileSet is one database's files as declared: its .edb and its log folder.
type fileSet struct {
	owner              string
	temp               bool // a dial tone or recovery database
	edb, logs          string
	edbRange, logRange hcl.Range
	edbKey, logKey     string // winpath.Canon forms; "" when invalid
}

// checkOverlap records fs and refuses a dial tone or recovery database whose file or log
// folder is, holds or lies inside another database's (on any server: the paths are
// compared as written). dialtone creates, fills and at last deletes those files; an
// overlap would let a clean-up or a move reach another database's data. Paths are
// compared as Windows resolves them (case, trailing dots and spaces); a path that
// cannot be compared safely (an 8.3 short name, a device name) is refused for a dial
// tone or recovery database. Exact duplicates are claimPaths' own diagnostics.
func (l *loader) checkOverlap(fs fileSet) hcl.Diagnostics {
	var diags hcl.Diagnostics
	canon := func(p string, rng hcl.Range, attr string) string {
		if p == "" || windowsPathProblem(p) != "" {
			return "" // reported by checkEdbFilePath / checkLogFolderPath
		}
		c, err := winpath.Canon(p)
		if err == nil && len(c) == 2 {
			return "" // a drive root: checkLogFolderPath refuses it
		}
		if err != nil && fs.temp {
			diags = append(diags, errorAt(rng, "Ambiguous path",
				"The %s %q of %s cannot be compared safely with other databases' files: %v. dialtone writes and deletes this database's files, so it must know exactly where they are.",
				attr, p, fs.owner, err))
		}
		return c
	}
	fs.edbKey = canon(fs.edb, fs.edbRange, "edb_file_path")
	fs.logKey = canon(fs.logs, fs.logRange, "log_folder_path")
	for _, o := range l.claims.fileSets {
		if !fs.temp && !o.temp {
			continue // two databases of the organization: their layout is the admin's
		}
		if rng, subject, relation, ok := overlapOf(fs, o); ok {
			declared := o.edbRange
			if declared.Filename == "" {
				declared = o.logRange
			}
			diags = append(diags, errorAt(rng, "Files overlap another database's",
				"%s of %s %s of %s, declared at %s. dialtone creates, copies into and finally deletes the files of a dial tone or recovery database: give it an .edb and a log folder of its own, apart from every other database's files and folders.",
				subject, fs.owner, relation, o.owner, declared))
		}
	}
	l.claims.fileSets = append(l.claims.fileSets, fs)
	return diags
}

// overlapOf says where a's files overlap b's (not counting the exact duplicates that
// claimPaths reports): a's range, a's path, and how it meets b's.
func overlapOf(a, b fileSet) (rng hcl.Range, subject, relation string, ok bool) {
	in := func(x, y string) bool { return x != "" && y != "" && winpath.Within(x, y) }
	switch {
	case a.logKey != b.logKey && in(a.logKey, b.logKey):
		return a.logRange, "The log folder " + quote(a.logs), "lies inside the log folder " + quote(b.logs), true
	case a.logKey != b.logKey && in(b.logKey, a.logKey):
		return a.logRange, "The log folder " + quote(a.logs), "holds the log folder " + quote(b.logs), true
	case in(a.edbKey, b.logKey):
		return a.edbRange, "The database file " + quote(a.edb), "lies inside the log folder " + quote(b.logs), true
	case in(b.edbKey, a.logKey):
		return a.logRange, "The log folder " + quote(a.logs), "holds the database file " + quote(b.edb), true
	}
	return hcl.Range{}, "", "", false
}

func quote(s string) string { return `"` + s + `"` }
