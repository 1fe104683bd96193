package providers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/config/winpath"
	"github.com/dialtone/dialtone/state"
)

// The guards every provider applies before it deletes or moves files: the second line
// of defence behind the planner (issue 19), so that a planner bug, a forged plan or a
// stale record can never turn into another database's loss.

// FileSet is one database's files as a provider knows them (Get-MailboxDatabase, the
// lab's organization).
type FileSet struct {
	Database, Server, EdbFilePath, LogFolderPath string
}

// GuardPath refuses a path of server that is, holds or lies inside the files of a
// database other than own (its .edb, its log folder and what is in it), on the same
// server. Paths are compared as Windows resolves them (config/winpath): a path written
// with other case, slashes, trailing dots or spaces is the same path, and a path that
// cannot be compared safely (an 8.3 short name, a device name) is refused.
func GuardPath(server, path, own string, dbs []FileSet) error {
	c, err := winpath.Canon(path)
	if err != nil {
		return fmt.Errorf("refusing to delete or move %s on %s: %v", path, server, err)
	}
	for _, d := range dbs {
		if !strings.EqualFold(d.Server, server) || strings.EqualFold(d.Database, own) {
			continue
		}
		for _, p := range []struct{ path, what string }{{d.EdbFilePath, "database file"}, {d.LogFolderPath, "log folder"}} {
			if p.path == "" {
				continue
			}
			dc, err := winpath.Canon(p.path)
			if err != nil {
				return fmt.Errorf("refusing to delete or move %s on %s: the %s of database %s (%s) cannot be compared safely with it: %v", path, server, p.what, d.Database, p.path, err)
			}
			if winpath.Within(dc, c) || (p.what == "log folder" && winpath.Within(c, dc)) {
				return fmt.Errorf("refusing to delete or move %s on %s: it is, or holds, the %s %s of database %s", path, server, p.what, p.path, d.Database)
			}
		}
	}
	return nil
}

// Cleanup is what a delete_files operation may delete: the records of
// Operation.Recorded on its server that belong to the database's files, sorted so that
// files go first and folders last, deepest first.
type Cleanup struct {
	Files   []state.Written // files at EdbFilePath or in LogFolderPath
	Streams []state.Written // the log stream of LogFolderPath
	Folders []state.Written // LogFolderPath and the folders holding the .edb or the log folder
}

// PlanCleanup picks from op.Recorded what op may delete and applies GuardPath to each:
// a guarded file or stream is an error (nothing is deleted), a guarded folder is left
// out (kept, with the reason in kept). Records of other servers and other places are
// not the operation's and are ignored.
func PlanCleanup(op Operation, server string, dbs []FileSet) (c Cleanup, kept []string, err error) {
	edb, err1 := winpath.Canon(op.EdbFilePath)
	logs, err2 := winpath.Canon(op.LogFolderPath)
	if err1 != nil || err2 != nil {
		return c, nil, fmt.Errorf("refusing to delete the files of %s: %v", op.Database, firstErr(err1, err2))
	}
	for _, w := range op.Recorded {
		if !strings.EqualFold(w.Server, server) {
			continue
		}
		p, err := winpath.Canon(w.Path)
		if err != nil {
			return Cleanup{}, nil, fmt.Errorf("refusing to delete %s on %s, recorded as written by dialtone: %v", w.Path, server, err)
		}
		switch w.Kind {
		case state.WrittenFile:
			if p != edb && !winpath.Within(p, logs) {
				continue
			}
			if err := GuardPath(server, w.Path, op.Database, dbs); err != nil {
				return Cleanup{}, nil, err
			}
			c.Files = append(c.Files, w)
		case state.WrittenLogStream:
			if p != logs {
				continue
			}
			if err := GuardPath(server, w.Path, op.Database, dbs); err != nil {
				return Cleanup{}, nil, err
			}
			c.Streams = append(c.Streams, w)
		case state.WrittenFolder:
			if !winpath.Within(edb, p) && !winpath.Within(logs, p) && !winpath.Within(p, logs) {
				continue
			}
			if err := GuardPath(server, w.Path, op.Database, dbs); err != nil {
				kept = append(kept, fmt.Sprintf("%s (%v)", w.Path, err))
				continue
			}
			c.Folders = append(c.Folders, w)
		}
	}
	// Deepest folder first: a parent can only go once its children have.
	sort.SliceStable(c.Folders, func(i, j int) bool {
		return strings.Count(c.Folders[i].Key(), `\`) > strings.Count(c.Folders[j].Key(), `\`)
	})
	return c, kept, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// IsStreamFile reports whether name is a file of the log stream prefix as ESE names
// them: Enn.log (the current generation), EnnXXXXXXXX.log, Enn.chk, EnnRes*.jrs,
// Enn*.jrs and EnnTmp.log.
func IsStreamFile(name, prefix string) bool {
	if len(name) < len(prefix) || !strings.EqualFold(name[:len(prefix)], prefix) {
		return false
	}
	rest := strings.ToLower(name[len(prefix):])
	switch {
	case rest == ".log", rest == ".chk", rest == "tmp.log":
		return true
	case strings.HasSuffix(rest, ".jrs"):
		return true
	case strings.HasSuffix(rest, ".log") && len(rest) == 8+4:
		for _, r := range rest[:8] {
			if !strings.ContainsRune("0123456789abcdef", r) {
				return false
			}
		}
		return true
	}
	return false
}
