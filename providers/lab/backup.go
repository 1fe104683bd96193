package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
)

// backupMeta describes one database in a backup set (DIR/backups/SET/DATABASE/).
type backupMeta struct {
	Database     string    `json:"database"`
	EdbName      string    `json:"edb_name"`
	Time         time.Time `json:"time"`
	Checkpoint   uint64    `json:"checkpoint"`
	LogPrefix    string    `json:"log_prefix"`
	LogSignature string    `json:"log_signature"`
	DBSignature  string    `json:"db_signature"`
}

const backupMetaFile = "backup.json"

func (l *Lab) backupDir(set, database string) (string, error) {
	if err := checkName(set); err != nil {
		return "", fmt.Errorf("backup set name %q: %v", set, err)
	}
	if err := checkName(database); err != nil {
		return "", fmt.Errorf("database name %q: %v", database, err)
	}
	dir := filepath.Join(l.dir, "backups", set, database)
	if err := l.confined(dir); err != nil {
		return "", fmt.Errorf("backup %s of %s: %w", set, database, err)
	}
	return dir, nil
}

// Backup takes a full backup of database into set: the .edb, its logs and checkpoint
// at this point in time. A mounted database then starts a new log generation, so mail
// after the backup lands in later generations only.
func (l *Lab) Backup(database, set string) error {
	return l.run(false, func(s *session) error {
		db, err := s.org.mustDatabase(database)
		if err != nil {
			return err
		}
		dest, err := l.backupDir(set, db.Name)
		if err != nil {
			return err
		}
		if exists(filepath.Join(dest, backupMetaFile)) {
			return fmt.Errorf("backup set %s already holds %s", set, db.Name)
		}
		path, err := s.edbPath(db)
		if err != nil {
			return err
		}
		folder, err := s.logFolder(db)
		if err != nil {
			return err
		}
		if err := s.serverUp(db.Server); err != nil {
			return fmt.Errorf("cannot back up %s: %w", db.Name, err)
		}
		if !exists(path) {
			return fmt.Errorf("cannot back up %s: database file %s is missing", db.Name, db.EdbFilePath)
		}
		h, err := s.header(path)
		if err != nil {
			return fmt.Errorf("cannot back up %s: %w", db.Name, err)
		}
		if h.Corrupt {
			return fmt.Errorf("cannot back up %s: JET error -1018: page checksum mismatch", db.Name)
		}
		if !db.Mounted && h.State != stateClean {
			return fmt.Errorf("cannot back up %s: it is dismounted in Dirty Shutdown", db.Name)
		}
		if db.Mounted {
			if err := s.roll(path, folder); err != nil {
				return err
			}
			if h, err = s.header(path); err != nil {
				return err
			}
		}
		if err := s.closeEDB(path); err != nil {
			return err
		}
		// Copy into a staging folder and rename it into place: a set is complete or absent.
		stage := dest + ".partial"
		if err := os.RemoveAll(stage); err != nil {
			return err
		}
		if err := copyFile(path, filepath.Join(stage, filepath.Base(path))); err != nil {
			return err
		}
		gens, files, err := listLogs(folder, h.LogPrefix)
		if err != nil {
			return err
		}
		for _, g := range gens {
			if g <= h.Checkpoint {
				// Under its numbered name: in the set it is a closed generation, even when
				// it is the live stream's Enn.log (which rolls at the next write).
				if err := copyFile(files[g], filepath.Join(stage, "Logs", logFileName(h.LogPrefix, g))); err != nil {
					return err
				}
			}
		}
		meta := backupMeta{Database: db.Name, EdbName: filepath.Base(path), Time: s.now, Checkpoint: h.Checkpoint,
			LogPrefix: h.LogPrefix, LogSignature: h.LogSignature, DBSignature: h.Signature}
		data, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(stage, backupMetaFile), data); err != nil {
			return err
		}
		if err := os.Rename(stage, dest); err != nil {
			return err
		}
		return syncDir(filepath.Dir(dest))
	})
}

// errNoBackup marks a backup set with no description of the database (not a finished
// set); any other error of readBackup is a description that is there and unusable.
var errNoBackup = errors.New("no backup.json")

func (l *Lab) readBackup(set, database string) (string, *backupMeta, error) {
	dir, err := l.backupDir(set, database)
	if err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, backupMetaFile)
	data, err := readLimited(p, "backup description", EnvMaxBackupMetaBytes, l.opts.Limits.backup())
	if os.IsNotExist(err) {
		return "", nil, fmt.Errorf("backup set %q holds no backup of %s: %w", set, database, errNoBackup)
	} else if err != nil {
		return "", nil, err
	}
	var m backupMeta
	if err := json.Unmarshal(data, &m); err != nil {
		return "", nil, fmt.Errorf("backup description %s is damaged: %v", p, err)
	}
	if err := checkName(m.EdbName); err != nil {
		return "", nil, fmt.Errorf("backup description %s is damaged: %v", p, err)
	}
	return dir, &m, nil
}

// restoreBackup puts the backup of Source into the files of Database, keeping the file
// name. The restored file is in Dirty Shutdown: it was restored to another location.
func (s *session) restoreBackup(op providers.Operation) (providers.Result, error) {
	db, err := s.org.mustDatabase(op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if db.Mounted {
		return providers.Result{}, fmt.Errorf("cannot restore into %s: it is mounted", db.Name)
	}
	dir, meta, err := s.l.readBackup(op.Backup, op.Source)
	if err != nil {
		return providers.Result{}, err
	}
	edbWin, logWin := op.EdbFilePath, op.LogFolderPath
	if edbWin == "" {
		edbWin = db.EdbFilePath
	}
	if logWin == "" {
		logWin = db.LogFolderPath
	}
	if !strings.EqualFold(winBase(edbWin), meta.EdbName) {
		return providers.Result{}, fmt.Errorf("the restored file is named %s, but %s expects %s: restored files keep their names; point EdbFilePath at %s",
			meta.EdbName, db.Name, winBase(edbWin), meta.EdbName)
	}
	server := db.Server
	if op.Server != "" {
		server = op.Server
	}
	if op.DestServer != "" {
		server = op.DestServer
	}
	if err := s.serverUp(server); err != nil {
		return providers.Result{}, err
	}
	path, err := s.l.hostPath(server, edbWin)
	if err != nil {
		return providers.Result{}, err
	}
	folder, err := s.l.hostPath(server, logWin)
	if err != nil {
		return providers.Result{}, err
	}
	keptAt := ""
	if exists(path) {
		// An unreadable header is not "already restored": the restore replaces the file,
		// under the same AllowFileRestore rule as any other file in the way.
		if h, err := s.header(path); err == nil && h.Signature == meta.DBSignature && h.Checkpoint >= meta.Checkpoint {
			if h.RestoredFrom == op.Backup {
				return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("backup set %s already restored into %s", op.Backup, edbWin)}, nil
			}
			// Not a restore of ours: the database's own file survived (a server back with
			// its disks). Say what was found; it is kept, and its own logs replay into it.
			shutdown := "Dirty Shutdown"
			if h.State == stateClean {
				shutdown = "Clean Shutdown"
			}
			return providers.Result{Skipped: true, Detail: fmt.Sprintf("no restore ran: %s is %s's own file, intact (%s, checkpoint generation %d, as new as or newer than backup set %s's %d); kept as found, its logs replay into it",
				edbWin, op.Source, shutdown, h.Checkpoint, op.Backup, meta.Checkpoint)}, nil
		}
		if !db.Recovery && !db.AllowFileRestore {
			return providers.Result{}, fmt.Errorf("cannot restore over %s: AllowFileRestore is False on %s", edbWin, db.Name)
		}
		// Never deleted: whatever is there (the database's own file older than the
		// backup, another restore, a damaged file) may hold mail the backup lacks. It is
		// renamed aside into the folder preserve_failed_files uses (same volume: atomic,
		// instant), under its own name.
		if keptAt, err = s.keepAside(server, db.Name, path, edbWin); err != nil {
			return providers.Result{}, err
		}
	}
	names, err := listFiles(filepath.Join(dir, "Logs"))
	if err != nil {
		return providers.Result{}, err
	}
	pairs := [][2]string{{filepath.Join(dir, meta.EdbName), path}}
	for _, n := range names {
		pairs = append(pairs, [2]string{filepath.Join(dir, "Logs", n), filepath.Join(folder, n)})
	}
	if err := s.roomFor(server, pairs); err != nil {
		return providers.Result{}, err
	}
	w := s.newWrites()
	for _, f := range []string{winDir(edbWin), logWin} {
		if err := w.folders(server, f); err != nil {
			return providers.Result{}, err
		}
	}
	w.file(server, edbWin)
	for _, n := range names {
		if _, err := copyInto(filepath.Join(dir, "Logs", n), filepath.Join(folder, n)); err != nil {
			return providers.Result{}, err
		}
		w.file(server, winJoin(logWin, n))
	}
	// The .edb last: its presence marks a finished restore for a re-run.
	tmp := path + ".restoring"
	if err := copyFile(filepath.Join(dir, meta.EdbName), tmp); err != nil {
		return providers.Result{}, err
	}
	if err := s.updateHeader(tmp, func(h *edbHeader) { h.State, h.RestoredFrom = stateDirty, op.Backup }); err != nil {
		return providers.Result{}, err
	}
	if err := s.closeEDB(tmp); err != nil {
		return providers.Result{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return providers.Result{}, err
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return providers.Result{}, err
	}
	detail := fmt.Sprintf("restored %s from backup set %s (checkpoint generation %d, %d log files)", meta.EdbName, op.Backup, meta.Checkpoint, len(names))
	if keptAt != "" {
		detail += fmt.Sprintf("; the file that was in its place is kept as %s (nothing deleted)", keptAt)
	}
	return providers.Result{Detail: detail, Count: int64(len(names) + 1), Wrote: w.out}, nil
}

// keepAside renames the file at path (Windows edbWin) into the sibling "-preserved"
// folder of its folder, keeping its name: the place and name preserve_failed_files
// gives a failed database's file. A file already there is never overwritten: the
// restore stops instead, which loses time, not data. It returns the kept Windows path.
func (s *session) keepAside(server, name, path, edbWin string) (string, error) {
	keptWin := winJoin(preservedFolder(winDir(edbWin), name), winBase(edbWin))
	kept, err := s.l.hostPath(server, keptWin)
	if err != nil {
		return "", err
	}
	if exists(kept) {
		return "", fmt.Errorf("cannot restore over %s: it must be kept aside first, and %s already exists; move one of them away, then run apply again", edbWin, keptWin)
	}
	if err := s.closeEDB(path); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(path, kept); err != nil {
		return "", fmt.Errorf("keep %s aside as %s: %w", edbWin, keptWin, err)
	}
	for _, d := range []string{filepath.Dir(path), filepath.Dir(kept)} {
		if err := syncDir(d); err != nil {
			return "", err
		}
	}
	return keptWin, nil
}

// preservedFolder is dir's sibling "-preserved" folder, as the planner names the
// folder of preserve_failed_files (a drive root gets a folder inside it).
func preservedFolder(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, ":") || strings.HasSuffix(dir, `\`) {
		return winJoin(dir, name+"-preserved")
	}
	return dir + "-preserved"
}
