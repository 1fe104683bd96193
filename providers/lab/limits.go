package lab

import (
	"errors"
	"fmt"

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

// readLimited reads path whole unless it is larger than the limit set by env (default
// def): the size is checked first, and the read stops at limit+1 bytes (a file growing
// meanwhile). what names the file in the error. The errors of opening the file come back
// unwrapped (os.IsNotExist works on them).
func readLimited(path, what, env string, def int64) ([]byte, error) {
	limit, err := state.EnvLimit(env, def)
	if err != nil {
		return nil, err
	}
	return state.ReadFileLimited(path, limit, fmt.Sprintf("%s %s", what, path), env)
}

// isLimit reports whether err is a *state.LimitError.
func isLimit(err error) bool {
	var le *state.LimitError
	return errors.As(err, &le)
}
