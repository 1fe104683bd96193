package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// The checksum catches a state file that was damaged or edited by hand (design.md,
// "Reliability rules"). Encode writes it as the second line, over every other byte of
// the file; Decode checks it when present and marks a document without one Unsealed.
// The backends refuse an unsealed state unless told to accept it (the admin's
// -accept-unsealed-state, after checking a deliberate edit): deleting the line must
// not be a silent way past the check.

const checksumPrefix = "sha256:"

// checksumKey starts the checksum line. JSON strings cannot hold a raw newline, so this
// sequence can only be the top-level key at our indentation.
var checksumKey = []byte("\n  \"checksum\": \"")

// withChecksum inserts the checksum line after the first line of the format_version
// key (the second line of body), hashing body as it is without the line.
func withChecksum(body []byte) []byte {
	sum := sha256.Sum256(body)
	line := fmt.Sprintf("  \"checksum\": %q,\n", checksumPrefix+hex.EncodeToString(sum[:]))
	first := bytes.IndexByte(body, '\n')
	second := first + 1 + bytes.IndexByte(body[first+1:], '\n')
	at := second + 1
	out := make([]byte, 0, len(body)+len(line))
	out = append(out, body[:at]...)
	out = append(out, line...)
	return append(out, body[at:]...)
}

// verifyChecksum checks the checksum line of b against the rest of b.
func verifyChecksum(b []byte, want string) error {
	from, to, ok := checksumLine(b)
	if !ok || want != checksumOf(b, from, to) {
		return errChecksumMismatch
	}
	return nil
}

var errChecksumMismatch = errors.New(`checksum mismatch: the file was changed outside dialtone or damaged` +
	` (if you edited it on purpose, delete its "checksum" line and run once with -accept-unsealed-state to accept the edit)`)

// checksumLine finds the checksum line of b: [from, to) spans it with its newline. ok is
// false when the line was reformatted (we cannot tell what was hashed).
func checksumLine(b []byte) (from, to int, ok bool) {
	i := bytes.Index(b, checksumKey)
	if i < 0 {
		return 0, 0, false
	}
	from = i + 1
	n := bytes.IndexByte(b[from:], '\n')
	if n < 0 {
		return 0, 0, false
	}
	return from, from + n + 1, true
}
