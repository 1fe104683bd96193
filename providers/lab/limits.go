package lab

import (
	"errors"
	"fmt"

	"github.com/dialtone/dialtone/config/limits"
	"github.com/dialtone/dialtone/state"
)

// Limits on the lab's own files read into memory, like dialtone's other inputs (see
// state/limits.go): a file over its limit is refused before it is read, with a
// *state.LimitError naming the file, its size, the limit and the variable that raises
// it. The defaults are far above what the lab writes.
const (
	// EnvMaxOrgBytes bounds org.json (servers, databases, capacity, failures).
	EnvMaxOrgBytes = "DIALTONE_MAX_LAB_ORG_BYTES"
	// DefaultMaxOrgBytes is 256 MiB: org.json of 2,000 databases is about 1 MB.
	DefaultMaxOrgBytes = 256 << 20

	// EnvMaxLogBytes bounds one transaction log file (one generation).
	EnvMaxLogBytes = "DIALTONE_MAX_LAB_LOG_BYTES"
	// DefaultMaxLogBytes is 64 MiB: a generation holds at most 64 records.
	DefaultMaxLogBytes = 64 << 20

	// EnvMaxBackupMetaBytes bounds a backup set's description (backup.json).
	EnvMaxBackupMetaBytes = "DIALTONE_MAX_LAB_BACKUP_BYTES"
	// DefaultMaxBackupMetaBytes is 16 MiB: a description is a few hundred bytes.
	DefaultMaxBackupMetaBytes = 16 << 20
)

// Limits are the limits in force (Options.Limits). A zero field is its default. The
// command line sets them from the variables above: the lab never reads the environment.
type Limits struct {
	OrgBytes    int64 // org.json; DefaultMaxOrgBytes when zero
	LogBytes    int64 // one transaction log file; DefaultMaxLogBytes when zero
	BackupBytes int64 // a backup description; DefaultMaxBackupMetaBytes when zero
}

func (m Limits) org() int64    { return limits.Or(m.OrgBytes, DefaultMaxOrgBytes) }
func (m Limits) log() int64    { return limits.Or(m.LogBytes, DefaultMaxLogBytes) }
func (m Limits) backup() int64 { return limits.Or(m.BackupBytes, DefaultMaxBackupMetaBytes) }

// readLimited reads path whole unless it is larger than limit (the one env sets): the
// size is checked first, and the read stops at limit+1 bytes (a file growing
// meanwhile). what names the file in the error. The errors of opening the file come back
// unwrapped (os.IsNotExist works on them).
func readLimited(path, what, env string, limit int64) ([]byte, error) {
	return state.ReadFileLimited(path, limit, fmt.Sprintf("%s %s", what, path), env)
}

// isLimit reports whether err is a *state.LimitError.
func isLimit(err error) bool {
	var le *state.LimitError
	return errors.As(err, &le)
}
