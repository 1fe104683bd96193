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

// GuardKeep checks a keep_files operation (OpKeepFiles) before its provider moves
// anything, and returns the path the .edb is renamed to (DestFolder plus its name).
// keep_files is the one operation that moves a file dialtone did not write, so it may
// move only the database's own file as the organization knows it (dbs: the .edb its
// object points at on server, not any path a plan names), within its volume (a rename:
// nothing is copied and deleted), to a place that is not, holds or lies inside any
// database's files. That the destination does not exist yet is the provider's check,
// right before the rename: keep_files never overwrites.
func GuardKeep(server string, op Operation, dbs []FileSet) (string, error) {
	refuse := func(format string, a ...any) (string, error) {
		return "", fmt.Errorf("refusing to keep the files of %s on %s aside: "+format, append([]any{op.Database, server}, a...)...)
	}
	var own *FileSet
	for i := range dbs {
		if strings.EqualFold(dbs[i].Database, op.Database) && strings.EqualFold(dbs[i].Server, server) {
			own = &dbs[i]
		}
	}
	if own == nil || own.EdbFilePath == "" {
		return refuse("the organization has no database %s with its files on %s", op.Database, server)
	}
	src, err := winpath.Canon(op.EdbFilePath)
	if err != nil {
		return refuse("%v", err)
	}
	mine, err := winpath.Canon(own.EdbFilePath)
	if err != nil {
		return refuse("its database file %s cannot be compared safely: %v", own.EdbFilePath, err)
	}
	if src != mine {
		return refuse("%s is not its database file (the organization has %s): keep_files moves only that one", op.EdbFilePath, own.EdbFilePath)
	}
	if op.DestFolder == "" {
		return refuse("no folder to keep them in")
	}
	i := strings.LastIndexAny(op.EdbFilePath, `\/`)
	dest := strings.TrimRight(op.DestFolder, `\/`) + `\` + op.EdbFilePath[i+1:]
	dc, err := winpath.Canon(dest)
	if err != nil {
		return refuse("%v", err)
	}
	if dc == src {
		return refuse("%s is where the file already is", dest)
	}
	if !strings.EqualFold(volume(dc), volume(src)) || volume(src) == "" {
		return refuse("%s is not on the volume of %s: a rename in place cannot reach it (a move there would copy, then delete)", dest, op.EdbFilePath)
	}
	if err := GuardPath(server, op.EdbFilePath, op.Database, dbs); err != nil {
		return refuse("%v", err)
	}
	for _, p := range []string{op.DestFolder, dest} {
		if err := GuardPath(server, p, "", dbs); err != nil {
			return refuse("%v", err)
		}
	}
	return dest, nil
}

// volume is the drive of a canonical path ("D:"), or "" for one without a drive letter.
func volume(canon string) string {
	if len(canon) >= 2 && canon[1] == ':' {
		return canon[:2]
	}
	return ""
}
