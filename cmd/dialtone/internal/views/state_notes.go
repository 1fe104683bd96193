package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/state"
)

// StateNotes is what every command that reads or locks the state says about it on
// stderr, before its own output: a state read without its checksum line, journal
// records replayed, a stale lock taken over, a held lock waited for.
type StateNotes struct{ s Streams }

// NewStateNotes returns the view of the notes on the state.
func NewStateNotes(s Streams) StateNotes { return StateNotes{s} }

// Unsealed says the state in path was read without its checksum line.
func (v StateNotes) Unsealed(path string) {
	fmt.Fprintf(v.s.Err, "%s the state in %s has no checksum line; read anyway as -accept-unsealed-state asks. The next write seals it again.\n",
		v.s.paint(yellow, "Warning:"), path)
}

// Replayed says the journal records of an interrupted apply were replayed onto the
// state in path; stages are the stages they raised ("recovery.r1 -> dial_tone").
func (v StateNotes) Replayed(path string, rep state.Replay, stages []string) {
	raised := ""
	if len(stages) > 0 {
		raised = "; stages raised: " + strings.Join(stages, ", ")
	}
	fmt.Fprintf(v.s.Err, "%s replayed %d journal records onto the state in %s (%d finished steps%s): an apply ended before writing the state. The next write folds them in.\n",
		v.s.paint(yellow, "Note:"), rep.Records, path, rep.Steps, raised)
}

// TakingOver says the lock on path, left by a holder that is gone, is taken over.
func (v StateNotes) TakingOver(path string, info state.LockInfo) {
	fmt.Fprintf(v.s.Err, "%s the lock on %s was left by %s (pid %d, %q since %s), which is gone; taking it over.\n",
		v.s.paint(yellow, "Warning:"), path, info.Who, info.PID, info.Operation, info.Created.UTC().Format("2006-01-02T15:04:05Z"))
}

// Waiting says the lock on path is held (held) and the command waits up to timeout.
func (v StateNotes) Waiting(path string, held error, timeout time.Duration) {
	fmt.Fprintf(v.s.Err, "The state lock of %s is held: %v. Waiting up to %s (-lock-timeout)...\n", path, held, timeout)
}
