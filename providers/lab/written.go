package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// writes collects what one operation writes, for Result.Wrote: the state records it,
// and clean-up deletes nothing else.
type writes struct {
	l    *Lab
	out  []state.Written
	seen map[string]bool
}

func (s *session) newWrites() *writes { return &writes{l: s.l, seen: map[string]bool{}} }

func (w *writes) add(server, path, kind, prefix string) {
	rec := state.Written{Server: server, Path: path, Kind: kind, Prefix: prefix}
	if k := rec.Key(); !w.seen[k] {
		w.seen[k] = true
		w.out = append(w.out, rec)
	}
}

func (w *writes) file(server, path string) { w.add(server, path, state.WrittenFile, "") }

// folders records the folders from the drive down to folder (itself included) that do
// not exist yet on server: the operation about to run creates them. Call it before
// writing.
func (w *writes) folders(server, folder string) error {
	drive, comps, err := splitWinPath(folder)
	if err != nil {
		return err
	}
	cur := drive + ":"
	for _, c := range comps {
		cur += `\` + c
		host, err := w.l.hostPath(server, cur)
		if err != nil {
			return err
		}
		if _, err := os.Stat(host); errors.Is(err, fs.ErrNotExist) {
			w.add(server, cur, state.WrittenFolder, "")
		}
	}
	return nil
}

// fileSets is every database's files, for providers.GuardPath.
func (s *session) fileSets() []providers.FileSet {
	out := make([]providers.FileSet, 0, len(s.org.Databases))
	for _, d := range s.org.Databases {
		out = append(out, providers.FileSet{Database: d.Name, Server: d.Server, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath})
	}
	return out
}

// deleteFiles removes what dialtone wrote of a removed database's files: exactly the
// records op.Recorded holds for them (providers.PlanCleanup), files one by one, folders
// only once empty. Everything else stays, and Detail says what and why.
func (s *session) deleteFiles(op providers.Operation) (providers.Result, error) {
	server, err := s.opServer(op)
	if err != nil {
		return providers.Result{}, err
	}
	if err := s.serverUp(server); err != nil {
		return providers.Result{}, err
	}
	if d := s.org.database(op.Database); d != nil && d.Mounted {
		return providers.Result{}, fmt.Errorf("cannot delete the files of %s: it is mounted", d.Name)
	}
	plan, kept, err := providers.PlanCleanup(op, server, s.fileSets())
	if err != nil {
		return providers.Result{}, err
	}
	if err := s.closeEDBs(); err != nil {
		return providers.Result{}, err
	}
	var deleted []state.Written
	n := 0
	remove := func(host string) error {
		err := os.Remove(host)
		if err == nil {
			n++
			return nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, f := range plan.Files {
		host, err := s.l.hostPath(server, f.Path)
		if err != nil {
			return providers.Result{}, err
		}
		if fi, err := os.Lstat(host); err == nil && !fi.Mode().IsRegular() {
			kept = append(kept, f.Path+" (not a file any more)")
			continue
		}
		if err := remove(host); err != nil {
			return providers.Result{}, fmt.Errorf("delete %s: %w", f.Path, err)
		}
		deleted = append(deleted, f)
	}
	for _, st := range plan.Streams {
		folder, err := s.l.hostPath(server, st.Path)
		if err != nil {
			return providers.Result{}, err
		}
		names, err := listFiles(folder)
		if err != nil {
			return providers.Result{}, err
		}
		for _, name := range names {
			if providers.IsStreamFile(name, st.Prefix) {
				if err := remove(filepath.Join(folder, name)); err != nil {
					return providers.Result{}, fmt.Errorf("delete %s: %w", winJoin(st.Path, name), err)
				}
			}
		}
		deleted = append(deleted, st)
	}
	folders := 0
	for _, d := range plan.Folders {
		host, err := s.l.hostPath(server, d.Path)
		if err != nil {
			return providers.Result{}, err
		}
		err = os.Remove(host) // never recursive: a folder holding anything stays
		switch {
		case err == nil:
			folders++
			deleted = append(deleted, d)
		case errors.Is(err, fs.ErrNotExist):
			deleted = append(deleted, d)
		case errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST):
			kept = append(kept, d.Path+" ("+s.holds(host)+" that dialtone did not write)")
		default:
			return providers.Result{}, fmt.Errorf("delete folder %s: %w", d.Path, err)
		}
	}
	if err := s.keptUnrecorded(server, op, plan, &kept); err != nil {
		return providers.Result{}, err
	}
	res := providers.Result{Count: int64(n), Deleted: deleted}
	switch {
	case n == 0 && folders == 0 && len(deleted) == 0:
		res.AlreadyDone = true
		res.Detail = "nothing recorded as written by dialtone is left"
	default:
		res.Detail = fmt.Sprintf("deleted %d files and %d folders that dialtone wrote", n, folders)
	}
	if len(kept) > 0 {
		sort.Strings(kept)
		res.Detail += "; kept: " + strings.Join(kept, "; ")
	}
	return res, nil
}

// keptUnrecorded notes the database's own paths that remain because dialtone did not
// write them: the .edb, and files left in the log folder.
func (s *session) keptUnrecorded(server string, op providers.Operation, plan providers.Cleanup, kept *[]string) error {
	edb, err := s.l.hostPath(server, op.EdbFilePath)
	if err != nil {
		return err
	}
	if exists(edb) {
		*kept = append(*kept, op.EdbFilePath+" (dialtone did not write it)")
	}
	logs, err := s.l.hostPath(server, op.LogFolderPath)
	if err != nil {
		return err
	}
	if names, err := listFiles(logs); err == nil && len(names) > 0 {
		for _, d := range plan.Folders {
			if strings.EqualFold(d.Path, op.LogFolderPath) {
				return nil // already said with the folder
			}
		}
		*kept = append(*kept, fmt.Sprintf("%d files in %s that dialtone did not write", len(names), op.LogFolderPath))
	}
	return nil
}

// holds says what a folder still holds, for a message.
func (s *session) holds(host string) string {
	entries, err := os.ReadDir(host)
	if err != nil {
		return "entries"
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) > 3 {
		return fmt.Sprintf("it holds %d entries (%s, ...)", len(names), strings.Join(names[:3], ", "))
	}
	return "it holds " + strings.Join(names, ", ")
}

// winJoin joins a Windows folder and a name.
func winJoin(dir, name string) string {
	if strings.HasSuffix(dir, `\`) {
		return dir + name
	}
	return dir + `\` + name
}

// winDir is the folder of a Windows path.
func winDir(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[:i]
	}
	return p
}
