package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dialtone/dialtone/state/atomicfile"
	"github.com/hashicorp/go-hclog"
)

// Local is the Backend that keeps the state in one file on local disk, with its
// companions beside it: FILE.backup (the previous version), FILE.backup.1 ... (older
// ones, up to LocalOptions.Backups versions in all), FILE.lock and FILE.journal.
// A Local is safe for concurrent use (parallel steps may append to the journal at once).
type Local struct {
	path    string
	backups int
	lease   time.Duration
	log     hclog.Logger // never nil

	mu sync.Mutex
	// stored is true once Read or Write has seen the stored state; lineage and serial
	// are then that state's, the ones journal records are written against.
	stored  bool
	lineage string
	serial  uint64
	pending int    // journal records replayed by the last Read
	replay  Replay // what the last Read replayed
	accept  bool   // LocalOptions.AcceptUnsealed
	limits  Limits // LocalOptions.Limits
	user    string // LocalOptions.User

	journal      *os.File // open for appending; nil until the first AppendJournal
	journalSize  int64    // bytes of whole records in the journal (while open)
	journalValid int64    // bytes of whole records found by Read; the rest is a torn tail
}

var _ Backend = (*Local)(nil)

// DefaultBackups is how many previous versions of the state a backend keeps when the
// configuration does not say (backend { backups = N }).
const DefaultBackups = 5

// LocalOptions are the settings of a local backend.
type LocalOptions struct {
	// Backups is how many previous versions of the state file to keep: FILE.backup is
	// the newest, FILE.backup.1 the one before it, and so on. Zero or less means
	// DefaultBackups: at least one is always kept, since it is how a damaged state is
	// repaired.
	Backups int
	// Lease is how long the lock file's lease lasts; the holder renews it every third
	// of it. Zero means DefaultLease. The flock already tells a dead holder on this
	// host; the lease covers a lock file seen from another host (a shared folder).
	Lease time.Duration
	// Logger receives the state writes (debug), the journal appends (trace) and the lock
	// being taken, released and forced open (info). nil: no logs.
	Logger hclog.Logger
	// AcceptUnsealed lets Read return a state file without its checksum line (logged as
	// a warning) instead of refusing it with *UnsealedError.
	AcceptUnsealed bool
	// Limits bound the state file, its backups and the journal read; zero fields are
	// the defaults.
	Limits Limits
	// User names who takes the lock in its LockInfo; empty: the current OS user.
	User string
}

// DefaultLease is the local lock's lease when LocalOptions.Lease is zero.
const DefaultLease = time.Minute

// NewLocal returns the local backend for the state file at path; the zero LocalOptions
// keep DefaultBackups previous versions with a DefaultLease lock. Nothing is touched
// until a method is called.
func NewLocal(path string, opts LocalOptions) *Local {
	n := opts.Backups
	if n <= 0 {
		n = DefaultBackups
	}
	lease := opts.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	log := opts.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Local{path: path, backups: n, lease: lease, log: log, accept: opts.AcceptUnsealed, limits: opts.Limits, user: opts.User}
}

// logger is l's logger; a Local built without NewLocal logs nothing.
func (l *Local) logger() hclog.Logger {
	if l.log == nil {
		return hclog.NewNullLogger()
	}
	return l.log
}

// Path returns the state file's path.
func (l *Local) Path() string { return l.path }

func (l *Local) backupPath() string  { return l.backupPathN(0) }
func (l *Local) lockPath() string    { return l.path + ".lock" }
func (l *Local) journalPath() string { return l.path + ".journal" }

// backupPathN is the path of the backup that is n versions older than the newest one:
// FILE.backup for 0, FILE.backup.N otherwise.
func (l *Local) backupPathN(n int) string {
	if n == 0 {
		return l.path + ".backup"
	}
	return fmt.Sprintf("%s.backup.%d", l.path, n)
}

// BackupPaths returns the paths of the backups that exist, newest first.
func (l *Local) BackupPaths() []string {
	var out []string
	for i := range l.backups {
		if _, err := os.Stat(l.backupPathN(i)); err == nil {
			out = append(out, l.backupPathN(i))
		}
	}
	return out
}

// JournalPending returns how many finished steps the last Read replayed onto the state
// from the journal: steps finished by an apply that ended before writing the state.
func (l *Local) JournalPending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending
}

// JournalReplay says what the last Read replayed from the journal.
func (l *Local) JournalReplay() Replay {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.replay
}

// Read returns the stored state with the journal replayed onto it, or (nil, ErrNoState)
// when the state file does not exist. A damaged state file is refused with an error
// that names it and the backup to restore from.
func (l *Local) Read(_ context.Context) (*State, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := l.limits.ReadStateFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoState
	}
	if isLimit(err) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read state file %q: %w", l.path, err)
	}
	s, err := Decode(b)
	if err != nil {
		return nil, l.damaged(err)
	}
	if s.Unsealed {
		if !l.accept {
			return nil, &UnsealedError{Where: l.path}
		}
		l.logger().Warn("accepted a state file without its checksum line (-accept-unsealed-state)", "path", l.path)
	}
	var replay Replay
	valid, err := replayJournal(l.journalPath(), l.limits.MaxJournalBytes(), s, &replay)
	if err != nil {
		return nil, err
	}
	l.stored, l.lineage, l.serial = true, s.Lineage, s.Serial
	l.pending, l.journalValid, l.replay = replay.Steps, valid, replay
	return s, nil
}

// damaged explains a state file that Decode refused, and what to do about it: it names
// the newest backup that reads back as a whole state (older ones are listed too).
func (l *Local) damaged(err error) error {
	var ve *VersionError
	if errors.As(err, &ve) {
		return fmt.Errorf("state file %q: %w", l.path, err)
	}
	backups := l.BackupPaths()
	if len(backups) == 0 {
		return fmt.Errorf("state file %q is damaged: %w; there is no backup (%q): repair the file by hand or restore it from your own copies",
			l.path, err, l.backupPath())
	}
	good := ""
	for _, p := range backups {
		if b, rerr := l.limits.ReadStateFile(p); rerr == nil {
			if _, derr := Decode(b); derr == nil {
				good = p
				break
			}
		}
	}
	if good == "" {
		return fmt.Errorf("state file %q is damaged: %w; none of its backups (%s) reads back as a whole state either: repair the newest by hand or restore the state from your own copies",
			l.path, err, quoteJoin(backups))
	}
	msg := fmt.Sprintf("state file %q is damaged: %v; the newest good backup is %q: check it and copy it over the state file (cp %q %q)",
		l.path, err, good, good, l.path)
	if len(backups) > 1 {
		msg += fmt.Sprintf("; older versions: %s", quoteJoin(backups[1:]))
	}
	return &damagedError{msg: msg, err: err}
}

// damagedError keeps the cause of a damaged state reachable (errors.Is/As) while its
// message carries the remedy.
type damagedError struct {
	msg string
	err error
}

func (e *damagedError) Error() string { return e.msg }
func (e *damagedError) Unwrap() error { return e.err }

func quoteJoin(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Write raises s.Serial by one and replaces the state file with s: the current file is
// first copied to FILE.backup, then the new one is written beside it and renamed over
// it, so the file is never half-written. The journal, now folded into the file, is
// removed. Write refuses a state of another lineage than the stored one. If Write fails
// before the new file is in place, s.Serial is restored.
func (l *Local) Write(_ context.Context, s *State) error { return l.writeState(s, true) }

// WriteExact is Write keeping s.Serial as it is (see ExactWriter).
func (l *Local) WriteExact(_ context.Context, s *State) error { return l.writeState(s, false) }

func (l *Local) writeState(s *State, bump bool) error {
	if s == nil {
		return fmt.Errorf("write state file %q: the state is nil", l.path)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Lineage == "" {
		return fmt.Errorf("write state file %q: the state has no lineage (create it with state.New(state.NewLineage()))", l.path)
	}
	if l.stored && s.Lineage != l.lineage {
		return fmt.Errorf("write state file %q: the state's lineage %s differs from the stored state's %s: refusing to overwrite another state",
			l.path, s.Lineage, l.lineage)
	}
	s.FormatVersion = FormatVersion
	if bump {
		s.Serial++
	}
	committed, err := l.write(s)
	if bump && !committed {
		s.Serial--
	}
	if err != nil {
		return err
	}
	l.stored, l.lineage, l.serial = true, s.Lineage, s.Serial
	l.logger().Debug("wrote state", "path", l.path, "lineage", s.Lineage, "serial", s.Serial)
	// The journal's records are in the file now. Left behind (a crash here, a failed
	// remove), they carry the old serial and Read ignores them; the next AppendJournal
	// truncates them.
	l.closeJournal()
	_ = os.Remove(l.journalPath())
	l.journalValid, l.pending = 0, 0
	return nil
}

func (l *Local) write(s *State) (committed bool, err error) {
	b, err := Encode(s)
	if err != nil {
		return false, fmt.Errorf("write state file %q: %w", l.path, err)
	}
	if err := l.rotateBackups(); err != nil {
		return false, fmt.Errorf("write state file %q: make room for the backup of the previous version: %w", l.path, err)
	}
	if err := copyIfExists(l.path, l.backupPath()); err != nil {
		return false, fmt.Errorf("write state file %q: back up the previous version first: %w", l.path, err)
	}
	if err := atomicfile.WriteFile(l.path, b, 0o600); err != nil {
		return atomicfile.Committed(err), fmt.Errorf("write state file %q: %w", l.path, err)
	}
	return true, nil
}

// rotateBackups shifts the backups one version older (FILE.backup to FILE.backup.1,
// ...), dropping the oldest, so that FILE.backup can take the current version. Every
// step is a rename: a crash in between loses at most the oldest version, never the
// state file or the newest backup (FILE.backup is replaced only after this, atomically).
func (l *Local) rotateBackups() error {
	if _, err := os.Stat(l.path); err != nil {
		return nil // nothing to back up: the first write
	}
	oldest := l.backupPathN(l.backups - 1)
	if err := os.Remove(oldest); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the oldest backup %q: %w", oldest, err)
	}
	for i := l.backups - 2; i >= 1; i-- {
		if err := os.Rename(l.backupPathN(i), l.backupPathN(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rename backup %q: %w", l.backupPathN(i), err)
		}
	}
	if l.backups > 1 {
		// Copied, not renamed: FILE.backup must exist at every instant once it has.
		if err := copyIfExists(l.backupPath(), l.backupPathN(1)); err != nil {
			return err
		}
	}
	return nil
}
