// Package runreport holds run reports. Every apply and every drill leaves one: what ran,
// when, for how long, with what result, who confirmed the manual steps, the outage
// windows as measured, and for a drill what happened to the mail. It is the record
// handed to the incident review (Markdown), and the history plans estimate durations
// from (JSON). The Recorder collects it as a run goes; a Store keeps it.
package runreport

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// FormatVersion is the version of the report document.
const FormatVersion = 1

// Report is one report. The JSON form is the document (sorted, versioned);
// markdown.go renders it for people.
type Report struct {
	FormatVersion int       `json:"format_version"`
	ID            string    `json:"id"`      // 20260102T150405Z-apply-1a2b: sorts by time
	Command       string    `json:"command"` // apply | drill
	Drill         string    `json:"drill,omitempty"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	DurationMS    int64     `json:"duration_ms"`
	// Result: complete | paused (at a manual step) | failed for apply; passed | failed
	// for a drill.
	Result  string `json:"result"`
	Error   string `json:"error,omitempty"`
	Lineage string `json:"lineage,omitempty"`
	Serial  uint64 `json:"serial,omitempty"` // of the state written at the end

	Recoveries   []Recovery    `json:"recoveries"`
	Steps        []Step        `json:"steps"`
	Outages      []Outage      `json:"outages"`
	Verification *Verification `json:"verification,omitempty"`
	// Waiting lists the manual steps a paused run stopped at: what a person does next.
	Waiting []Waiting `json:"waiting,omitempty"`
}

// Waiting is a manual step a paused run waits for.
type Waiting struct {
	Step         string `json:"step"`
	Summary      string `json:"summary"`
	Instructions string `json:"instructions,omitempty"`
	Confirm      string `json:"confirm"` // the command that records it done
}

// Recovery is one recovery the run moved.
type Recovery struct {
	Name      string `json:"name"`
	Option    string `json:"option"`
	Database  string `json:"database"`
	Server    string `json:"server"`
	Mailboxes int    `json:"mailboxes"`
	From      string `json:"from"`
	To        string `json:"to"`
	Reached   string `json:"reached"` // the stage recorded at the end of the run
}

// Step is one step the run carried out (or confirmed).
type Step struct {
	ID         string    `json:"id"`
	Recovery   string    `json:"recovery"`
	Stage      string    `json:"stage"`
	Phase      string    `json:"phase"`
	Kind       string    `json:"kind"`
	Mailboxes  int       `json:"mailboxes"`
	SizeBytes  int64     `json:"size_bytes,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
	DurationMS int64     `json:"duration_ms"`
	// Result: done | skipped | already_done | failed | confirmed (a manual step an
	// admin carried out, recorded by "dialtone confirm").
	Result      string `json:"result"`
	Retries     int    `json:"retries"`
	ConfirmedBy string `json:"confirmed_by,omitempty"`
	Detail      string `json:"detail,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Outage is an outage window of the plan with its times as measured: from the
// start of its first step to the end of its last (from the state's step records when a
// step ran in an earlier run). Ended is zero while the window is still open.
type Outage struct {
	Recovery   string    `json:"recovery"`
	Reason     string    `json:"reason"`
	FromStep   string    `json:"from_step"`
	ToStep     string    `json:"to_step"`
	Mailboxes  int       `json:"mailboxes"`
	Started    time.Time `json:"started,omitzero"`
	Ended      time.Time `json:"ended,omitzero"`
	DurationMS int64     `json:"duration_ms"`
	Open       bool      `json:"open,omitempty"` // the run ended inside the window
}

// Verification is what a drill's verification found in the lab's ledger.
type Verification struct {
	Delivered  int  `json:"delivered"`  // messages transport accepted during the drill
	Recovered  int  `json:"recovered"`  // in their owner's mailbox exactly once at the end
	Lost       int  `json:"lost"`       // destroyed by the injected failure, as expected or not
	Missing    int  `json:"missing"`    // should have been saved and were not
	Duplicated int  `json:"duplicated"` // present more than once
	Queued     int  `json:"queued"`     // still waiting in transport
	OK         bool `json:"ok"`
}

// Row is one finished (or failed) step, for the drill's table and the run report.
type Row struct {
	ID       string
	Stage    string
	Duration time.Duration
	Result   string

	Recovery  string
	Phase     string
	Kind      string
	Mailboxes int
	SizeBytes int64 // the data the step handles, when the state knows it (0: unknown)
	Started   time.Time
	Finished  time.Time
	Retries   int // earlier attempts: a run that failed or crashed in it, a round of this run
	Detail    string
	Error     string
}

// NewRunID returns a new run ID: UTC time, command, and 4 random hex digits.
func NewRunID(command string, t time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + command + "-" + hex.EncodeToString(b[:])
}

// Recorder collects what a command does for its report: the plans applied and the
// steps they ran (one apply, or every stage of a drill), and the verification. Safe
// for concurrent use; a nil *Recorder records nothing.
type Recorder struct {
	mu      sync.Mutex
	started time.Time
	plans   []*planner.Plan
	rows    []Row
	verify  *lab.VerifyReport
	wait    []*planner.Step // the manual steps a paused run waits for
	st      *state.State    // the state at the end of the last apply
}

func NewRecorder() *Recorder { return &Recorder{started: time.Now()} }

// Applied records one walk of a plan: its steps and the state after it.
func (r *Recorder) Applied(p *planner.Plan, rows []Row, st *state.State) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.plans = append(r.plans, p)
	r.rows = append(r.rows, rows...)
	r.st = st
}

// Verified records a lab verification (the drill's).
func (r *Recorder) Verified(v *lab.VerifyReport) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verify = v
}

// Waiting records the manual steps the run paused at.
func (r *Recorder) Waiting(steps []*planner.Step) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wait = steps
}

// Empty is true when nothing was applied.
func (r *Recorder) Empty() bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.plans) == 0
}

// Report builds the report of the run so far.
func (r *Recorder) Report(command, result string, runErr error) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := time.Now()
	rep := &Report{FormatVersion: FormatVersion, ID: NewRunID(command, r.started), Command: command,
		Started: r.started.UTC(), Finished: end.UTC(), DurationMS: durfmt.MS(end.Sub(r.started)), Result: result,
		Recoveries: []Recovery{}, Steps: []Step{}, Outages: []Outage{}}
	if runErr != nil {
		rep.Error = runErr.Error()
	}
	if r.st != nil {
		rep.Lineage, rep.Serial = r.st.Lineage, r.st.Serial
	}

	// Recoveries: first From, last To, of every plan.
	byName := map[string]*Recovery{}
	var names []string
	for _, p := range r.plans {
		for _, rc := range p.Recoveries {
			if x := byName[rc.Name]; x != nil {
				x.To = rc.To
				continue
			}
			byName[rc.Name] = &Recovery{Name: rc.Name, Option: rc.Option, Database: rc.Database, Server: rc.Server,
				Mailboxes: rc.Mailboxes, From: rc.From, To: rc.To}
			names = append(names, rc.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		x := byName[n]
		if r.st != nil && r.st.Recoveries[n] != nil {
			x.Reached = r.st.Recoveries[n].Stage
		}
		rep.Recoveries = append(rep.Recoveries, *x)
	}

	// Steps: what ran, then manual steps confirmed by an admin (from the state).
	seen := map[string]bool{}
	for _, row := range r.rows {
		seen[row.ID] = true
		rep.Steps = append(rep.Steps, Step{ID: row.ID, Recovery: row.Recovery, Stage: row.Stage, Phase: row.Phase,
			Kind: row.Kind, Mailboxes: row.Mailboxes, SizeBytes: row.SizeBytes, Started: row.Started.UTC(), Finished: row.Finished.UTC(),
			DurationMS: durfmt.MS(row.Duration), Result: row.Result, Retries: row.Retries, Detail: row.Detail, Error: row.Error})
	}
	for _, p := range r.plans {
		for _, s := range p.Steps {
			if !s.Manual || seen[s.ID] || r.st == nil || r.st.Recoveries[s.Recovery] == nil {
				continue
			}
			rec := r.st.Recoveries[s.Recovery].Steps[s.ID]
			if rec == nil {
				continue
			}
			seen[s.ID] = true
			rep.Steps = append(rep.Steps, Step{ID: s.ID, Recovery: s.Recovery, Stage: s.Stage, Phase: string(s.Phase),
				Kind: string(s.Operation.Kind), Mailboxes: s.Mailboxes, Started: rec.Started.UTC(), Finished: rec.Finished.UTC(),
				DurationMS: durfmt.MS(rec.Finished.Sub(rec.Started)), Result: "confirmed", ConfirmedBy: rec.ConfirmedBy})
		}
	}
	// Manual steps of these recoveries confirmed between runs (dialtone confirm) are
	// done before the plan is made, so no plan lists them: they come from the state.
	if r.st != nil {
		for _, n := range names {
			rs := r.st.Recoveries[n]
			if rs == nil {
				continue
			}
			var ids []string
			for id, rec := range rs.Steps {
				if rec != nil && rec.ConfirmedBy != "" && !seen[id] {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			for _, id := range ids {
				rec := rs.Steps[id]
				seen[id] = true
				step := Step{ID: id, Recovery: n, Started: rec.Started.UTC(), Finished: rec.Finished.UTC(),
					DurationMS: durfmt.MS(rec.Finished.Sub(rec.Started)), Result: "confirmed", ConfirmedBy: rec.ConfirmedBy}
				if rec.Finished.Before(r.started) {
					step.Detail = "confirmed before this run"
				}
				rep.Steps = append(rep.Steps, step)
			}
		}
	}
	// Who confirmed: also on rows of manual steps recorded by confirm.
	for i := range rep.Steps {
		s := &rep.Steps[i]
		if s.ConfirmedBy == "" && r.st != nil && r.st.Recoveries[s.Recovery] != nil {
			if rec := r.st.Recoveries[s.Recovery].Steps[s.ID]; rec != nil && rec.ConfirmedBy != "" {
				s.ConfirmedBy = rec.ConfirmedBy
			}
		}
	}
	sort.SliceStable(rep.Steps, func(i, j int) bool { return rep.Steps[i].Started.Before(rep.Steps[j].Started) })

	// Outage windows as measured.
	times := func(id, recovery string) (start, end time.Time) {
		for _, s := range rep.Steps {
			if s.ID == id && s.Result != "failed" {
				return s.Started, s.Finished
			}
		}
		if r.st != nil && r.st.Recoveries[recovery] != nil {
			if rec := r.st.Recoveries[recovery].Steps[id]; rec != nil {
				return rec.Started.UTC(), rec.Finished.UTC()
			}
		}
		return time.Time{}, time.Time{}
	}
	seenOutage := map[string]bool{}
	for _, p := range r.plans {
		for _, o := range p.Outages {
			key := o.Recovery + "|" + o.FromStep + "|" + o.ToStep
			if seenOutage[key] {
				continue
			}
			seenOutage[key] = true
			ro := Outage{Recovery: o.Recovery, Reason: o.Reason, FromStep: o.FromStep, ToStep: o.ToStep, Mailboxes: o.Mailboxes}
			ro.Started, _ = times(o.FromStep, o.Recovery)
			_, ro.Ended = times(o.ToStep, o.Recovery)
			switch {
			case ro.Started.IsZero():
				continue // the window did not start in this run
			case ro.Ended.IsZero():
				ro.Open = true
				ro.DurationMS = durfmt.MS(end.Sub(ro.Started))
			default:
				ro.DurationMS = durfmt.MS(ro.Ended.Sub(ro.Started))
			}
			rep.Outages = append(rep.Outages, ro)
		}
	}

	for _, s := range r.wait {
		if s != nil {
			rep.Waiting = append(rep.Waiting, Waiting{Step: s.ID, Summary: s.Summary, Instructions: s.Operation.Instructions,
				Confirm: "dialtone confirm " + s.ID})
		}
	}
	if v := r.verify; v != nil {
		rep.Verification = &Verification{Delivered: v.Accepted, Recovered: v.Delivered, Lost: len(v.Lost), Missing: len(v.Missing),
			Duplicated: len(v.Duplicated), Queued: len(v.Queued), OK: v.OKExceptLost()}
	}
	return rep
}
