package lab

import (
	"errors"
	"fmt"
	"io"
	"os"

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
		return nil, &state.LimitError{What: fmt.Sprintf("%s %s", what, path), Size: fi.Size(), Limit: limit, Env: env}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &state.LimitError{What: fmt.Sprintf("%s %s", what, path), Size: int64(len(b)), Limit: limit, Env: env}
	}
	return b, nil
}

// isLimit reports whether err is a *state.LimitError.
func isLimit(err error) bool {
	var le *state.LimitError
	return errors.As(err, &le)
}
