package state

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// Local is the Backend that keeps the state in one file on local disk, with its
// companions beside it: FILE.backup (the previous version), FILE.lock and FILE.journal.
// A Local is safe for concurrent use (parallel steps may append to the journal at once).
type Local struct {
	path string

	mu sync.Mutex
	// stored is true once Read or Write has seen the stored state; lineage and serial
	// are then that state's, the ones journal records are written against.
	stored  bool
	lineage string
	serial  uint64
	pending int // journal records replayed by the last Read

	journal      *os.File // open for appending; nil until the first AppendJournal
	journalSize  int64    // bytes of whole records in the journal (while open)
	journalValid int64    // bytes of whole records found by Read; the rest is a torn tail
}

var _ Backend = (*Local)(nil)

// NewLocal returns the local backend for the state file at path. Nothing is touched
// until a method is called.
func NewLocal(path string) *Local {
	return &Local{path: path}
}

// Path returns the state file's path.
func (l *Local) Path() string { return l.path }

func (l *Local) backupPath() string  { return l.path + ".backup" }
func (l *Local) lockPath() string    { return l.path + ".lock" }
func (l *Local) journalPath() string { return l.path + ".journal" }

// JournalPending returns how many journal records the last Read replayed onto the
// state: steps finished by an apply that ended before writing the state.
func (l *Local) JournalPending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending
}

// Read returns the stored state with the journal replayed onto it, or (nil, ErrNoState)
// when the state file does not exist. A damaged state file is refused with an error
// that names it and the backup to restore from.
func (l *Local) Read() (*State, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoState
	}
	if err != nil {
		return nil, fmt.Errorf("read state file %q: %w", l.path, err)
	}
	s, err := Decode(b)
	if err != nil {
		return nil, l.damaged(err)
	}
	n, valid, err := replayJournal(l.journalPath(), s)
	if err != nil {
		return nil, err
	}
	l.stored, l.lineage, l.serial = true, s.Lineage, s.Serial
	l.pending, l.journalValid = n, valid
	return s, nil
}

// damaged explains a state file that Decode refused, and what to do about it.
func (l *Local) damaged(err error) error {
	var ve *VersionError
	if errors.As(err, &ve) {
		return fmt.Errorf("state file %q: %w", l.path, err)
	}
	if _, serr := os.Stat(l.backupPath()); serr == nil {
		return fmt.Errorf("state file %q is damaged: %w; the previous version is in %q: check it and copy it over the state file",
			l.path, err, l.backupPath())
	}
	return fmt.Errorf("state file %q is damaged: %w; there is no backup (%q): repair the file by hand or restore it from your own copies",
		l.path, err, l.backupPath())
}

// Write raises s.Serial by one and replaces the state file with s: the current file is
// first copied to FILE.backup, then the new one is written beside it and renamed over
// it, so the file is never half-written. The journal, now folded into the file, is
// removed. Write refuses a state of another lineage than the stored one. If Write fails
// before the new file is in place, s.Serial is restored.
func (l *Local) Write(s *State) error {
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
	s.Serial++
	committed, err := l.write(s)
	if !committed {
		s.Serial--
	}
	if err != nil {
		return err
	}
	l.stored, l.lineage, l.serial = true, s.Lineage, s.Serial
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
	if _, err := copyFileAtomic(l.path, l.backupPath()); err != nil {
		return false, fmt.Errorf("write state file %q: back up the previous version first: %w", l.path, err)
	}
	committed, err = writeFileAtomic(l.path, bytes.NewReader(b))
	if err != nil {
		return committed, fmt.Errorf("write state file %q: %w", l.path, err)
	}
	return true, nil
}
