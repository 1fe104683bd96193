package state

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dialtone/dialtone/config/limits"
)

// Limits on what is read into memory. A state document, a journal or a lock file
// larger than its limit is refused before it is read, with a *LimitError that names
// the limit, the actual size and the environment variable that raises it. The defaults
// are generous: the state of 500,000 mailboxes is about 90 MB.
const (
	// EnvMaxStateBytes raises (or lowers) the largest state document read: the state
	// file, its backups, a document pushed with "state push", the pg backend's row.
	EnvMaxStateBytes = "DIALTONE_MAX_STATE_BYTES"
	// DefaultMaxStateBytes is 1 GiB.
	DefaultMaxStateBytes = 1 << 30

	// EnvMaxJournalBytes bounds the journal replayed by Read (the local file, or the
	// sum of the pg backend's journal rows).
	EnvMaxJournalBytes = "DIALTONE_MAX_JOURNAL_BYTES"
	// DefaultMaxJournalBytes is 1 GiB.
	DefaultMaxJournalBytes = 1 << 30

	// maxLockFileBytes bounds a lock file read to describe its holder: a LockInfo is a
	// few hundred bytes.
	maxLockFileBytes = 1 << 20
)

// LimitError is an input refused for its size.
type LimitError struct {
	What  string // "state file \"x\"", "journal \"x\"", ...
	Size  int64  // the actual size (at least Limit+1 when only that much was read)
	Limit int64
	Env   string // the environment variable that sets Limit; empty when fixed
}

func (e *LimitError) Error() string {
	msg := fmt.Sprintf("%s is %d bytes, more than the limit of %d bytes", e.What, e.Size, e.Limit)
	if e.Env != "" {
		msg += fmt.Sprintf(" (%s): if it is genuine, raise the limit with %s=BYTES", e.Env, e.Env)
	}
	return msg
}

// Limits bound what a backend reads into memory (LocalOptions.Limits, pg.Options.Limits).
// A zero field is its default. The command line sets them from EnvMaxStateBytes and
// EnvMaxJournalBytes: this package never reads the environment.
type Limits struct {
	StateBytes   int64 // the largest state document; DefaultMaxStateBytes when zero
	JournalBytes int64 // the largest journal; DefaultMaxJournalBytes when zero
}

// MaxStateBytes is the limit on a state document in force.
func (l Limits) MaxStateBytes() int64 { return limits.Or(l.StateBytes, DefaultMaxStateBytes) }

// MaxJournalBytes is the limit on a journal in force.
func (l Limits) MaxJournalBytes() int64 { return limits.Or(l.JournalBytes, DefaultMaxJournalBytes) }

// ReadStateFile reads a state document from path (a state file, a backup, a file given
// to "state push"), refusing one over MaxStateBytes before reading it.
func (l Limits) ReadStateFile(path string) ([]byte, error) {
	return ReadFileLimited(path, l.MaxStateBytes(), fmt.Sprintf("state file %q", path), EnvMaxStateBytes)
}

// ReadFileLimited reads path whole unless it is larger than limit: the size is checked
// first, and the read itself stops at limit+1 bytes (a file growing meanwhile). A file
// over the limit is a *LimitError naming what, the sizes and env. The errors of opening
// the file (fs.ErrNotExist) come back unwrapped.
func ReadFileLimited(path string, limit int64, what, env string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, &LimitError{What: what, Size: fi.Size(), Limit: limit, Env: env}
	}
	// Read into a buffer of the file's size (+1 to see it end): io.ReadAll grows its
	// buffer by doubling, which for a 42 MB state copied and cleared ~80 MB more.
	b := make([]byte, 0, min(fi.Size(), limit)+1)
	for int64(len(b)) <= limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grown meanwhile: let append pick the size
		}
		n, err := f.Read(b[len(b):min(int64(cap(b)), limit+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, &LimitError{What: what, Size: int64(len(b)), Limit: limit, Env: env}
	}
	return b, nil
}

// isLimit reports whether err is a *LimitError.
func isLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}
