package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
)

func TestParseLogSetting(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Settings
		bad  bool
	}{
		{in: "", want: Settings{Off: true}},
		{in: "off", want: Settings{Off: true}},
		{in: "trace", want: Settings{Level: hclog.Trace}},
		{in: "DEBUG", want: Settings{Level: hclog.Debug}},
		{in: "warn", want: Settings{Level: hclog.Warn}},
		{in: "json", want: Settings{Level: hclog.Info, JSON: true}},
		{in: "json:trace", want: Settings{Level: hclog.Trace, JSON: true}},
		{in: "verbose", bad: true},
		{in: "json:loud", bad: true},
	} {
		got, err := ParseSetting(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err = %v, want error %v", tc.in, err, tc.bad)
			continue
		}
		if !tc.bad && got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSecretsScrubbed(t *testing.T) {
	s := &Secrets{}
	s.AddConnString("postgres://dialtone:hunter2-secret@db.example/dialtone?sslmode=disable")
	s.AddConnString("host=/tmp user=x password='kv-pass-77' dbname=y")
	s.Add("ab", "sensitive-var-value", "") // "ab" is too short to be treated as a secret
	var buf bytes.Buffer
	w := s.Writer(&buf)
	for _, line := range []string{
		"conn postgres://dialtone:hunter2-secret@db.example/dialtone?sslmode=disable\n",
		"pw hunter2-secret and kv-pass-77\n",
		"var sensitive-var-value in a line about ab\n",
	} {
		if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	out := buf.String()
	for _, secret := range []string{"hunter2-secret", "kv-pass-77", "sensitive-var-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q in output:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "about ab") || strings.Count(out, "(sensitive)") < 4 {
		t.Errorf("unexpected scrubbing:\n%s", out)
	}
}

func TestLoggerFileScrubbedAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialtone.log")
	env := map[string]string{Env: "json:debug", PathEnv: path}
	s := &Secrets{}
	var stderr bytes.Buffer
	log, closeLog, err := New(func(k string) string { return env[k] }, &stderr, s)
	if err != nil {
		t.Fatal(err)
	}
	s.Add("added-after-the-logger")
	log.Named("planner").Debug("step", "value", "added-after-the-logger")
	closeLog()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "added-after") || !strings.Contains(string(data), `"@module":"dialtone.planner"`) {
		t.Errorf("log file:\n%s", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", st.Mode().Perm())
	}
	if stderr.Len() > 0 {
		t.Errorf("logs went to stderr with %s set: %s", PathEnv, stderr.String())
	}
}

func TestStepHooksLogTheWalk(t *testing.T) {
	var buf bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Trace, JSONFormat: true})
	h := StepHooks{Log: log}
	s := &planner.Step{ID: "recovery.r1.mount", Operation: providers.Operation{Kind: providers.OpMountDatabase}}
	h.PreStep(s)
	h.Progress(s, 1, 2)
	h.PostStep(s, providers.Result{Skipped: true, Detail: "nothing to do"}, time.Second, nil)
	h.PostStep(s, providers.Result{}, time.Second, errors.New("busy"))
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != 4 || got[0]["@message"] != "step starting" || got[0]["operation"] != "mount_database" || got[1]["@level"] != "trace" ||
		got[2]["result"] != "skipped" || got[2]["detail"] != "nothing to do" || got[3]["result"] != "failed" || got[3]["error"] != "busy" {
		t.Fatalf("logged %v", got)
	}
}
