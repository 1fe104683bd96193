package views

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// The JSON event stream of "apply -json": one JSON object per line on stdout, in the
// order things happen, nothing else on stdout (errors are also printed on stderr as
// text). Every event has "type" and "time" (RFC 3339, UTC, with fractions); the other
// fields are present when they apply:
//
//	type                  when                                   fields
//	step_started          a step's operation starts;             step, summary, phase, mailboxes
//	                      a recovery's merges start (one unit:   step = "recovery.NAME.merges",
//	                      all its merge steps)                   summary, total
//	progress              a long step moves (at most one a       step, done, total, elapsed_ms
//	                      second per step; merges: every tenth)
//	step_finished         a step returns                         step, result (done | skipped |
//	                                                             already_done | failed),
//	                                                             elapsed_ms, detail, error
//	manual_step_waiting   apply stopped at a manual step         step, summary, instructions,
//	                                                             commands, confirm (the command
//	                                                             that records it is done)
//	apply_complete        every step is done                     result ("complete"), done,
//	                                                             skipped, elapsed_ms, stages
//	                                                             (recovery -> stage), report
//	error                 apply stopped on an error              message, step (when one failed),
//	                                                             report
//
// "report" is the ID of the run report ("dialtone report ID").

const (
	EvStepStarted   = "step_started"
	EvProgress      = "progress"
	EvStepFinished  = "step_finished"
	EvManualWaiting = "manual_step_waiting"
	EvApplyComplete = "apply_complete"
	EvError         = "error"
)

// Event is one line of the stream.
type Event struct {
	Type         string            `json:"type"`
	Time         string            `json:"time"`
	Step         string            `json:"step,omitempty"`
	Summary      string            `json:"summary,omitempty"`
	Phase        string            `json:"phase,omitempty"`
	Mailboxes    int               `json:"mailboxes,omitempty"`
	Done         int64             `json:"done,omitempty"`
	Total        int64             `json:"total,omitempty"`
	Skipped      int               `json:"skipped,omitempty"`
	Result       string            `json:"result,omitempty"`
	ElapsedMS    int64             `json:"elapsed_ms,omitempty"`
	Detail       string            `json:"detail,omitempty"`
	Error        string            `json:"error,omitempty"`
	Message      string            `json:"message,omitempty"`
	Instructions string            `json:"instructions,omitempty"`
	Commands     []string          `json:"commands,omitempty"`
	Confirm      string            `json:"confirm,omitempty"`
	Stages       map[string]string `json:"stages,omitempty"`
	Report       string            `json:"report,omitempty"`
}

// eventWriter writes events, one per line, safe for concurrent use. A nil
// *eventWriter drops them, so views call send unconditionally.
type eventWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

func newEventWriter(w io.Writer) *eventWriter {
	return &eventWriter{enc: json.NewEncoder(w), now: time.Now}
}

func (e *eventWriter) send(ev Event) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ev.Time = e.now().UTC().Format(time.RFC3339Nano)
	_ = e.enc.Encode(ev) // Encode writes one line
}
