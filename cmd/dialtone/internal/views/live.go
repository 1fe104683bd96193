package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/durfmt"
)

// LiveProgress is what apply shows between its step lines: a progress bar on a
// terminal, heartbeat lines otherwise. Its methods are called with the view's mutex
// held, never concurrently.
type LiveProgress interface {
	// start shows a unit of work (a step, or a recovery's merges): total < 0 when
	// unknown (elapsed time only).
	start(key, label string, total int64)
	set(key string, done, total int64)
	finish(key string)
	// clear removes the bar before a line is printed; printed notes that one was.
	clear()
	printed()
	// tick is how often update is called; update refreshes the display.
	tick() time.Duration
	update(now, runStart time.Time, running []runningStep)
}

// NewLive is the live progress of a human apply: a bar on errw when both streams are a
// terminal, else heartbeat lines on out after every of silence (0 or more than
// heartbeatEvery: heartbeatEvery).
func NewLive(out, errw io.Writer, terminal bool, every time.Duration) LiveProgress {
	if terminal {
		return newTerminalBar(errw)
	}
	return newHeartbeat(out, every)
}

// heartbeatEvery is the longest a non-terminal apply stays silent.
const heartbeatEvery = 10 * time.Second

// heartbeat prints a plain line when nothing was printed for a while, so that a CI job
// watching for output does not kill a long, silent step.
type heartbeat struct {
	w     io.Writer
	every time.Duration
	last  time.Time
}

func newHeartbeat(w io.Writer, every time.Duration) *heartbeat {
	if every <= 0 || every > heartbeatEvery {
		every = heartbeatEvery
	}
	return &heartbeat{w: w, every: every, last: time.Now()}
}

func (h *heartbeat) start(string, string, int64) {}
func (h *heartbeat) set(string, int64, int64)    {}
func (h *heartbeat) finish(string)               {}
func (h *heartbeat) clear()                      {}
func (h *heartbeat) printed()                    { h.last = time.Now() }
func (h *heartbeat) tick() time.Duration         { return max(h.every/4, 10*time.Millisecond) }
func (h *heartbeat) update(now, runStart time.Time, running []runningStep) {
	if now.Sub(h.last) < h.every || len(running) == 0 {
		return
	}
	h.last = now
	var parts []string
	for _, r := range running {
		p := fmt.Sprintf("%s running for %s", r.s.ID, durfmt.Human(now.Sub(r.start)))
		if r.total > 0 {
			p += fmt.Sprintf(", %d/%d", r.done, r.total)
			if eta, ok := etaOf(now.Sub(r.start), r.done, r.total); ok {
				p += ", about " + durfmt.Human(eta) + " left"
			}
		}
		parts = append(parts, p)
	}
	fmt.Fprintf(h.w, "Still applying (%s elapsed): %s\n", durfmt.Human(now.Sub(runStart)), strings.Join(parts, "; "))
}

// etaOf is the time left at the rate so far.
func etaOf(elapsed time.Duration, done, total int64) (time.Duration, bool) {
	if done <= 0 || total <= 0 || done > total {
		return 0, false
	}
	return time.Duration(float64(elapsed) / float64(done) * float64(total-done)), true
}

// terminalBar draws one progressbar/v3 bar on stderr for the most recent unit of work:
// determinate (done/total, ETA) when the total is known, else a spinner with the
// elapsed time.
type terminalBar struct {
	w    io.Writer
	key  string
	bar  *progressbar.ProgressBar
	max  int64
	keys map[string]string // key -> label, units started and not finished
	lbl  []string          // order of start
}

func newTerminalBar(w io.Writer) *terminalBar { return &terminalBar{w: w, keys: map[string]string{}} }

func (t *terminalBar) start(key, label string, total int64) {
	t.keys[key] = label
	t.lbl = append(t.lbl, key)
	t.show(key, label, total)
}

func (t *terminalBar) show(key, label string, total int64) {
	t.drop()
	t.key, t.max = key, total
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(t.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200 * time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
	}
	if total > 0 {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true))
	} else {
		// No spinner goroutine of its own: update turns it, and a dropped bar stays dropped.
		opts = append(opts, progressbar.OptionSpinnerType(14), progressbar.OptionSetSpinnerChangeInterval(0))
	}
	t.bar = progressbar.NewOptions64(total, opts...)
	t.bar.RenderBlank()
}

func (t *terminalBar) set(key string, done, total int64) {
	if key != t.key {
		label, ok := t.keys[key]
		if !ok {
			return
		}
		t.show(key, label, total)
	}
	if total > 0 && t.max != total {
		if t.max <= 0 {
			t.show(key, t.keys[key], total)
		} else {
			t.bar.ChangeMax64(total)
		}
		t.max = total
	}
	t.bar.Set64(min(done, total))
}

func (t *terminalBar) finish(key string) {
	delete(t.keys, key)
	if key == t.key && t.bar != nil {
		t.drop()
		t.key = ""
		// Go back to a unit still running, if any.
		for i := len(t.lbl) - 1; i >= 0; i-- {
			if label, ok := t.keys[t.lbl[i]]; ok {
				t.show(t.lbl[i], label, -1)
				break
			}
		}
	}
}

// drop clears and retires the bar shown, if any.
func (t *terminalBar) drop() {
	if t.bar != nil {
		t.bar.Exit()
		t.bar.Clear()
		t.bar = nil
	}
}

func (t *terminalBar) clear() {
	if t.bar != nil {
		t.bar.Clear()
	}
}

func (t *terminalBar) printed() {
	if t.bar != nil {
		t.bar.RenderBlank()
	}
}

func (t *terminalBar) tick() time.Duration { return 500 * time.Millisecond }

func (t *terminalBar) update(now, runStart time.Time, running []runningStep) {
	if t.bar == nil {
		return
	}
	t.bar.Describe(fmt.Sprintf("%s [apply %s]", t.keys[t.key], durfmt.Human(now.Sub(runStart))))
	t.bar.RenderBlank()
}
