package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// opServer is the server an operation's paths live on: its own, or its database's.
func (s *session) opServer(op providers.Operation) (string, error) {
	if op.Server != "" {
		return op.Server, nil
	}
	if db := s.org.database(op.Database); db != nil {
		return db.Server, nil
	}
	return "", fmt.Errorf("no server given and database %q does not exist", op.Database)
}

// opServers are the servers a file operation reads from and writes to: SourceServer
// and DestServer, each defaulting to the operation's server. Both must be up.
func (s *session) opServers(op providers.Operation) (src, dst string, err error) {
	base, err := s.opServer(op)
	if err != nil {
		return "", "", err
	}
	src, dst = base, base
	if op.SourceServer != "" {
		src = op.SourceServer
	}
	if op.DestServer != "" {
		dst = op.DestServer
	}
	for _, sv := range []string{src, dst} {
		if err := s.serverUp(sv); err != nil {
			return "", "", err
		}
	}
	return src, dst, nil
}

// guardFiles refuses to touch the files at edb or in logs while a mounted database uses
// them (the store holds them open).
func (s *session) guardFiles(server string, paths ...string) error {
	for _, d := range s.org.Databases {
		if !d.Mounted || d.Server != server {
			continue
		}
		e, err1 := s.edbPath(d)
		lf, err2 := s.logFolder(d)
		if err1 != nil || err2 != nil {
			continue
		}
		for _, p := range paths {
			if p == e || p == lf {
				return fmt.Errorf("database %s is mounted and uses %s: dismount it first", d.Name, p)
			}
		}
	}
	return nil
}

// copyInto copies src to dst unless dst already holds the same bytes. A dst holding
// other bytes is never overwritten: it may be the only copy of something.
func copyInto(src, dst string) (bool, error) {
	if exists(dst) {
		same, err := sameContent(src, dst)
		if err != nil {
			return false, err
		}
		if same {
			return false, nil
		}
		return false, fmt.Errorf("%s already exists with other content; refusing to overwrite it", dst)
	}
	return true, copyFile(src, dst)
}

// copyFiles keeps every surviving file of a database in DestFolder (or the .edb at
// DestEdbFilePath and the logs in DestLogFolderPath); nothing is deleted. The files may
// go to another server (SourceServer holds them, DestServer receives them).
func (s *session) copyFiles(op providers.Operation) (providers.Result, error) {
	server, destServer, err := s.opServers(op)
	if err != nil {
		return providers.Result{}, err
	}
	edb, err := s.l.hostPath(server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	logs, err := s.l.hostPath(server, op.LogFolderPath)
	if err != nil {
		return providers.Result{}, err
	}
	destEdb, destLogs := winJoin(op.DestFolder, winBase(op.EdbFilePath)), op.DestFolder
	if op.DestEdbFilePath != "" {
		destEdb, destLogs = op.DestEdbFilePath, op.DestLogFolderPath
	}
	if destLogs == "" {
		return providers.Result{}, fmt.Errorf("copy_files of %s names no destination folder", op.Database)
	}
	if err := s.closeEDBs(); err != nil {
		return providers.Result{}, err
	}
	var pairs [][2]string
	var dests []string // Windows paths on destServer, one per pair
	add := func(src, dst string) error {
		host, err := s.l.hostPath(destServer, dst)
		if err != nil {
			return err
		}
		pairs, dests = append(pairs, [2]string{src, host}), append(dests, dst)
		return nil
	}
	if exists(edb) {
		if err := add(edb, destEdb); err != nil {
			return providers.Result{}, err
		}
	}
	names, err := listFiles(logs)
	if err != nil {
		return providers.Result{}, err
	}
	for _, n := range names {
		if err := add(filepath.Join(logs, n), winJoin(destLogs, n)); err != nil {
			return providers.Result{}, err
		}
	}
	if err := s.roomFor(destServer, pairs); err != nil {
		return providers.Result{}, err
	}
	w := s.newWrites()
	for _, d := range dests {
		if err := w.folders(destServer, winDir(d)); err != nil {
			return providers.Result{}, err
		}
	}
	var copied int64
	for i, p := range pairs {
		did, err := copyInto(p[0], p[1])
		if err != nil {
			return providers.Result{}, err
		}
		if did {
			copied++
		}
		w.file(destServer, dests[i])
	}
	where := op.DestFolder
	if op.DestEdbFilePath != "" {
		where = op.DestEdbFilePath + " and " + op.DestLogFolderPath
	}
	switch {
	case len(pairs) == 0:
		return providers.Result{Detail: "no file of the database survives"}, nil
	case copied == 0:
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("%d files already kept in %s", len(pairs), where), Count: int64(len(pairs)), Wrote: w.out}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("kept %d files in %s", len(pairs), where), Count: int64(len(pairs)), Wrote: w.out}, nil
}

// movePlan lists the (source, destination) pairs of a move_files operation.
func (s *session) movePlan(op providers.Operation) (pairs [][2]string, destEdb string, err error) {
	server, destServer, err := s.opServers(op)
	if err != nil {
		return nil, "", err
	}
	var p [4]string
	for i, w := range []string{op.EdbFilePath, op.LogFolderPath, op.DestEdbFilePath, op.DestLogFolderPath} {
		sv := server
		if i >= 2 {
			sv = destServer
		}
		if p[i], err = s.l.hostPath(sv, w); err != nil {
			return nil, "", err
		}
	}
	srcEdb, srcLogs, dstEdb, dstLogs := p[0], p[1], p[2], p[3]
	if db := s.org.database(op.Database); db != nil && db.Mounted {
		return nil, "", fmt.Errorf("cannot move the files of %s: it is mounted", db.Name)
	}
	// A move deletes its sources: never another database's files (issue 19).
	for _, src := range []string{op.EdbFilePath, op.LogFolderPath} {
		if err := providers.GuardPath(server, src, op.Database, s.fileSets()); err != nil {
			return nil, "", err
		}
	}
	if err := s.guardFiles(server, srcEdb, srcLogs); err != nil {
		return nil, "", err
	}
	if err := s.guardFiles(destServer, dstEdb, dstLogs); err != nil {
		return nil, "", err
	}
	if err := s.closeEDBs(); err != nil {
		return nil, "", err
	}
	if srcEdb != dstEdb && exists(srcEdb) {
		pairs = append(pairs, [2]string{srcEdb, dstEdb})
	}
	if srcLogs != dstLogs {
		names, err := listFiles(srcLogs)
		if err != nil {
			return nil, "", err
		}
		for _, n := range names {
			pairs = append(pairs, [2]string{filepath.Join(srcLogs, n), filepath.Join(dstLogs, n)})
		}
	}
	// A move copies first (moves between volumes are copies): the copy needs the room.
	if err := s.roomFor(destServer, pairs); err != nil {
		return nil, "", err
	}
	return pairs, dstEdb, nil
}

// moveCopy is the first half of a move: copy every file and check its checksum. It
// leaves both copies in place, which is where a crash during a move leaves them.
func moveCopy(pairs [][2]string) (int, error) {
	copied := 0
	for _, p := range pairs {
		did, err := copyInto(p[0], p[1])
		if err != nil {
			return copied, err
		}
		if did {
			copied++
		}
		same, err := sameContent(p[0], p[1])
		if err != nil {
			return copied, err
		}
		if !same {
			return copied, fmt.Errorf("verify %s: the copy differs from %s", p[1], p[0])
		}
	}
	return copied, nil
}

// moveFiles copies, verifies, then deletes the sources: at no moment is the only copy
// of a database in flight. The destinations are recorded as written by dialtone, the
// sources forgotten.
func (s *session) moveFiles(op providers.Operation) (providers.Result, error) {
	pairs, dstEdb, err := s.movePlan(op)
	if err != nil {
		return providers.Result{}, err
	}
	if len(pairs) == 0 {
		if exists(dstEdb) {
			return providers.Result{AlreadyDone: true, Detail: "files already at " + op.DestEdbFilePath}, nil
		}
		return providers.Result{}, fmt.Errorf("nothing to move: %s is missing and %s holds no database file", op.EdbFilePath, op.DestEdbFilePath)
	}
	server, destServer, err := s.opServers(op)
	if err != nil {
		return providers.Result{}, err
	}
	srcEdb, err := s.l.hostPath(server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	w := s.newWrites()
	var gone []state.Written
	for _, p := range pairs {
		src, dst := op.EdbFilePath, op.DestEdbFilePath
		if p[0] != srcEdb {
			src, dst = winJoin(op.LogFolderPath, filepath.Base(p[0])), winJoin(op.DestLogFolderPath, filepath.Base(p[1]))
		}
		if err := w.folders(destServer, winDir(dst)); err != nil {
			return providers.Result{}, err
		}
		w.file(destServer, dst)
		gone = append(gone, state.Written{Server: server, Path: src, Kind: state.WrittenFile})
	}
	if _, err := moveCopy(pairs); err != nil {
		return providers.Result{}, err
	}
	dirs := map[string]bool{}
	for _, p := range pairs {
		if err := os.Remove(p[0]); err != nil && !os.IsNotExist(err) {
			return providers.Result{}, fmt.Errorf("remove %s after copying it: %w", p[0], err)
		}
		dirs[filepath.Dir(p[0])] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return providers.Result{}, err
		}
	}
	return providers.Result{Detail: fmt.Sprintf("moved %d files to %s and %s", len(pairs), op.DestEdbFilePath, op.DestLogFolderPath),
		Count: int64(len(pairs)), Wrote: w.out, Deleted: gone}, nil
}

// copyLogs copies the logs of Source's stream found in SourceFolder into the log folder
// of the database being restored, before its first mount.
func (s *session) copyLogs(op providers.Operation) (providers.Result, error) {
	db, err := s.org.mustDatabase(op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if db.Mounted {
		return providers.Result{}, fmt.Errorf("cannot copy logs into %s: it is mounted", db.Name)
	}
	src, err := s.org.mustDatabase(op.Source)
	if err != nil {
		return providers.Result{}, err
	}
	// The logs go to Server (DestServer when given, else the database's); they come
	// from SourceServer when given (the failed server's disks), else from there too.
	server := db.Server
	if op.Server != "" {
		server = op.Server
	}
	if op.DestServer != "" {
		server = op.DestServer
	}
	srcServer := db.Server
	if op.Server != "" {
		srcServer = op.Server
	}
	if op.SourceServer != "" {
		srcServer = op.SourceServer
	}
	for _, sv := range []string{srcServer, server} {
		if err := s.serverUp(sv); err != nil {
			return providers.Result{}, err
		}
	}
	from, err := s.l.hostPath(srcServer, op.SourceFolder)
	if err != nil {
		return providers.Result{}, err
	}
	logPath := op.LogFolderPath
	if logPath == "" {
		logPath = db.LogFolderPath
	}
	to, err := s.l.hostPath(server, logPath)
	if err != nil {
		return providers.Result{}, err
	}
	// The stream is the restored file's: same prefix and log signature.
	sig := ""
	if edb, err := s.edbPath(db); err == nil && exists(edb) {
		// Without a readable header every log of the prefix is copied: replay checks
		// the stream of each against the file it replays into.
		if h, err := s.header(edb); err == nil && h.LogPrefix == src.LogFilePrefix {
			sig = h.LogSignature
		}
	}
	gens, files, err := listLogs(from, src.LogFilePrefix)
	if err != nil {
		return providers.Result{}, err
	}
	copied, skipped := 0, 0
	var pairs [][2]string
	var damaged []string
	var firstDamage error
	for i, g := range gens {
		// A damaged or oversized log is copied anyway (replay then names it, as eseutil
		// would), and reported here: in the result's detail and at warn.
		lf, err := readLog(files[g], s.l.opts.Limits)
		if errors.Is(err, errTornTail) && i < len(gens)-1 {
			err = fmt.Errorf("log file %s is damaged: %v", files[g], err)
		} else if errors.Is(err, errTornTail) {
			err = nil // a torn last record was never acknowledged
		}
		if err != nil {
			damaged = append(damaged, filepath.Base(files[g]))
			if firstDamage == nil {
				firstDamage = err
			}
			s.l.log.Warn("copy_logs: log file of "+src.Name+" cannot be replayed", "error", err)
		}
		if lf != nil && sig != "" && lf.Signature != sig {
			skipped++
			continue
		}
		pairs = append(pairs, [2]string{files[g], filepath.Join(to, filepath.Base(files[g]))})
	}
	if err := s.roomFor(server, pairs); err != nil {
		return providers.Result{}, err
	}
	w := s.newWrites()
	if len(pairs) > 0 {
		if err := w.folders(server, logPath); err != nil {
			return providers.Result{}, err
		}
	}
	for _, p := range pairs {
		did, err := copyInto(p[0], p[1])
		if err != nil {
			return providers.Result{}, err
		}
		if did {
			copied++
		}
		w.file(server, winJoin(logPath, filepath.Base(p[1])))
	}
	detail := fmt.Sprintf("copied %d log files of %s (%s)", copied, src.Name, src.LogFilePrefix)
	if skipped > 0 {
		detail += fmt.Sprintf("; skipped %d of another log stream", skipped)
	}
	if len(damaged) > 0 {
		detail += fmt.Sprintf("; WARNING: %d damaged or unreadable (%s), replay will stop there: %v", len(damaged), strings.Join(damaged, ", "), firstDamage)
	}
	return providers.Result{AlreadyDone: copied == 0 && len(gens) > 0, Detail: detail, Count: int64(copied), Wrote: w.out}, nil
}
