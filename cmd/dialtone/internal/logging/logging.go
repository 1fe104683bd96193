// Package logging is dialtone's logging (design: logs are not output) and the
// scrubbing of secrets from everything it writes. One hclog logger per invocation,
// built here from two environment variables, and passed down by name:
// Named("planner"), Named("provider.lab"), Named("provider.exchange"), Named("state").
//
//	DIALTONE_LOG       "" or "off": no logs (the default).
//	                   trace | debug | info | warn | error: text lines at that level and above.
//	                   json: JSON lines (one object per line) at info; json:LEVEL (json:debug,
//	                   json:trace, ...) JSON at that level.
//	DIALTONE_LOG_PATH  a file the logs are appended to (created 0600); stderr otherwise.
//	                   Logs never go to stdout, which is for plans and reports.
//
// Everything the logger writes passes through a scrubbing writer first: every known
// secret (the text of sensitive variables, the pg connection string and its password,
// the Exchange credential from the environment or its credential_file: password and
// user name) is replaced by "(sensitive)".
package logging

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

// Env and PathEnv are the logging settings.
const (
	Env     = "DIALTONE_LOG"
	PathEnv = "DIALTONE_LOG_PATH"
)

// Settings is DIALTONE_LOG parsed.
type Settings struct {
	Off   bool
	Level hclog.Level
	JSON  bool
}

// ParseSetting parses DIALTONE_LOG.
func ParseSetting(v string) (Settings, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || v == "off" {
		return Settings{Off: true}, nil
	}
	s := Settings{Level: hclog.Info}
	if rest, ok := strings.CutPrefix(v, "json"); ok {
		s.JSON = true
		rest = strings.TrimPrefix(rest, ":")
		if rest == "" {
			return s, nil
		}
		v = rest
	}
	switch v {
	case "trace", "debug", "info", "warn", "error":
		s.Level = hclog.LevelFromString(v)
		return s, nil
	}
	return Settings{}, fmt.Errorf("%s=%q: use trace, debug, info, warn or error, or json (JSON at info) or json:LEVEL", Env, v)
}

// New builds the one logger of an invocation (see the settings above). Its output
// goes through secrets.Writer, so secrets added to the set later (once the
// configuration is loaded) are scrubbed too. The returned func closes the log file.
func New(getenv func(string) string, stderr io.Writer, secrets *Secrets) (hclog.Logger, func(), error) {
	set, err := ParseSetting(getenv(Env))
	if err != nil {
		return nil, nil, err
	}
	if set.Off {
		return hclog.NewNullLogger(), func() {}, nil
	}
	out := stderr
	closeFn := func() {}
	if p := getenv(PathEnv); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", PathEnv, err)
		}
		out = f
		closeFn = func() { f.Close() }
	}
	log := hclog.New(&hclog.LoggerOptions{
		Name:       "dialtone",
		Level:      set.Level,
		JSONFormat: set.JSON,
		Output:     secrets.Writer(out),
		Color:      hclog.ColorOff,
	})
	return log, closeFn, nil
}

// SensitiveText replaces a secret in logs (config.SensitiveText: one spelling).
const SensitiveText = config.SensitiveText

// Secrets is the set of known secrets of one invocation. It is safe for concurrent
// use; secrets can be added at any time (the configuration is loaded after the logger
// is built) and every later write is scrubbed of them.
type Secrets struct {
	mu   sync.RWMutex
	vals []string // longest first
}

// minSecretLen is the shortest text treated as a secret: shorter ones would redact
// ordinary words (config's rule for sensitive values too).
const minSecretLen = 3

// Add records secrets; empty and very short ones are ignored.
func (s *Secrets) Add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		if len(v) < minSecretLen || contains(s.vals, v) {
			continue
		}
		s.vals = append(s.vals, v)
	}
	// Longest first, so that a value containing another is replaced whole.
	sort.SliceStable(s.vals, func(i, j int) bool { return len(s.vals[i]) > len(s.vals[j]) })
}

func contains(vals []string, v string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

// AddConnString records a connection string (URL or key=value form) and the password
// inside it.
func (s *Secrets) AddConnString(conn string) {
	if conn == "" {
		return
	}
	s.Add(conn)
	if u, err := url.Parse(conn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			s.Add(p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	for _, f := range strings.Fields(conn) {
		if k, v, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") {
			s.Add(strings.Trim(v, "'\""))
		}
	}
}

// AddConfig records the configuration's sensitive values.
func (s *Secrets) AddConfig(cfg *config.Config) {
	if cfg == nil {
		return
	}
	vals := make([]string, 0, len(cfg.SensitiveValues))
	for v := range cfg.SensitiveValues {
		vals = append(vals, v)
	}
	s.Add(vals...)
}

// Scrub returns b with every known secret replaced by (sensitive). b is returned as is
// when it holds none.
func (s *Secrets) Scrub(b []byte) []byte {
	if s == nil {
		return b
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.vals {
		if bytes.Contains(b, []byte(v)) {
			b = bytes.ReplaceAll(b, []byte(v), []byte(SensitiveText))
		}
	}
	return b
}

// ScrubString is Scrub for a string.
func (s *Secrets) ScrubString(v string) string { return string(s.Scrub([]byte(v))) }

// Writer returns a writer that scrubs every write before passing it to w. Each write
// is scrubbed whole (hclog writes one line per call), so a secret split across two
// writes is not caught: pass whole lines.
func (s *Secrets) Writer(w io.Writer) io.Writer { return &scrubWriter{w: w, s: s} }

type scrubWriter struct {
	w io.Writer
	s *Secrets
}

// Write reports len(p) written when the scrubbed bytes were written whole.
func (w *scrubWriter) Write(p []byte) (int, error) {
	if _, err := w.w.Write(w.s.Scrub(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// StepHooks log the steps of an apply's walk as planner.Hooks: each start and finish at
// debug, progress at trace.
type StepHooks struct{ Log hclog.Logger }

func (l StepHooks) PreStep(s *planner.Step) {
	l.Log.Debug("step starting", "step", s.ID, "operation", string(s.Operation.Kind))
}

func (l StepHooks) Progress(s *planner.Step, done, total int64) {
	l.Log.Trace("step progress", "step", s.ID, "done", done, "total", total)
}

func (l StepHooks) PostStep(s *planner.Step, res providers.Result, d time.Duration, err error) {
	result := "done"
	switch {
	case err != nil:
		result = "failed"
	case res.Skipped:
		result = "skipped"
	}
	l.Log.Debug("step finished", "step", s.ID, "result", result, "elapsed", d, "detail", res.Detail, "error", err)
}
