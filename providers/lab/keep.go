package lab

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dialtone/dialtone/providers"
)

// keepFiles renames a failed database's .edb into DestFolder (one server's files share
// one file system in the lab, as a volume does: the rename is atomic and its time does
// not depend on the file's size) and copies its logs there. Nothing is deleted or
// overwritten: a .edb already in DestFolder with other content stops it, and a re-run
// after a crash finds the rename done and finishes the copies.
func (s *session) keepFiles(op providers.Operation) (providers.Result, error) {
	server, err := s.opServer(op)
	if err != nil {
		return providers.Result{}, err
	}
	if err := s.serverUp(server); err != nil {
		return providers.Result{}, err
	}
	if db := s.org.database(op.Database); db != nil && db.Mounted {
		return providers.Result{}, fmt.Errorf("cannot keep the files of %s aside: it is mounted", db.Name)
	}
	// The .edb moved is the database's own as the organization knows it, kept on its
	// volume, out of every database's files (providers.GuardKeep).
	keptWin, err := providers.GuardKeep(server, op, s.fileSets())
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
	dest, err := s.l.hostPath(server, op.DestFolder)
	if err != nil {
		return providers.Result{}, err
	}
	keptEdb, err := s.l.hostPath(server, keptWin)
	if err != nil {
		return providers.Result{}, err
	}
	if err := s.guardFiles(server, edb, logs); err != nil {
		return providers.Result{}, err
	}
	if err := s.closeEDBs(); err != nil {
		return providers.Result{}, err
	}
	renamed := false
	if exists(edb) {
		if exists(keptEdb) {
			return providers.Result{}, fmt.Errorf("%s already exists: refusing to overwrite it with %s", filepath.Join(op.DestFolder, filepath.Base(edb)), op.EdbFilePath)
		}
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return providers.Result{}, err
		}
		if err := os.Rename(edb, keptEdb); err != nil {
			return providers.Result{}, fmt.Errorf("rename %s into %s: %w", op.EdbFilePath, op.DestFolder, err)
		}
		for _, d := range []string{filepath.Dir(edb), dest} {
			if err := syncDir(d); err != nil {
				return providers.Result{}, err
			}
		}
		renamed = true
	}
	names, err := listFiles(logs)
	if err != nil {
		return providers.Result{}, err
	}
	var pairs [][2]string
	for _, n := range names {
		pairs = append(pairs, [2]string{filepath.Join(logs, n), filepath.Join(dest, n)})
	}
	if err := s.roomFor(server, pairs); err != nil {
		return providers.Result{}, err
	}
	copied := 0
	for _, p := range pairs {
		did, err := copyInto(p[0], p[1])
		if err != nil {
			return providers.Result{}, err
		}
		if did {
			copied++
		}
	}
	n := int64(len(pairs))
	if exists(keptEdb) {
		n++
	}
	switch {
	case n == 0:
		return providers.Result{Detail: "no file of the database survives"}, nil
	case !renamed && copied == 0:
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("%d files already kept in %s", n, op.DestFolder), Count: n}, nil
	}
	detail := fmt.Sprintf("kept %d files in %s", n, op.DestFolder)
	if renamed {
		detail += fmt.Sprintf(" (%s renamed in place, %d log files copied)", filepath.Base(edb), copied)
	}
	return providers.Result{Detail: detail, Count: n}, nil
}
