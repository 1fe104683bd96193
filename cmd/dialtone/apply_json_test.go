package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
)

// TestApplyJSONEvents parses every line of "apply -json" through a same-server
// recovery to the merges: each is one event of the documented types, with its time,
// and the stream tells a whole story (each step started is finished, the merges are
// one unit with done/total, apply_complete last, naming the run report).
func TestApplyJSONEvents(t *testing.T) {
	dir := workdir(t)
	mustDialtone(t, dir, nil, "init")
	mustDialtone(t, dir, nil, "lab", "init", "-mailboxes=3")
	mustDialtone(t, dir, nil, "lab", "backup", "DB01")
	mustDialtone(t, dir, nil, "lab", "fail", "database", "DB01", "-mode=lost")
	setHCL(t, dir, "", "merged")
	r := mustDialtone(t, dir, nil, "apply", "-auto-approve", "-json")

	known := map[string]bool{views.EvStepStarted: true, views.EvProgress: true, views.EvStepFinished: true, views.EvManualWaiting: true, views.EvApplyComplete: true, views.EvError: true}
	open := map[string]bool{}
	var last views.Event
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	for i, line := range lines {
		var ev views.Event
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("line %d is not one event: %v\n%s", i+1, err, line)
		}
		if !known[ev.Type] {
			t.Fatalf("line %d: unknown type %q", i+1, ev.Type)
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil {
			t.Fatalf("line %d: time %q: %v", i+1, ev.Time, err)
		}
		switch ev.Type {
		case views.EvStepStarted:
			open[ev.Step] = true
		case views.EvStepFinished:
			if !open[ev.Step] {
				t.Errorf("line %d: %s finished without starting", i+1, ev.Step)
			}
			if ev.Result == "" {
				t.Errorf("line %d: no result", i+1)
			}
			delete(open, ev.Step)
		case views.EvProgress:
			if ev.Total <= 0 || ev.Done > ev.Total {
				t.Errorf("line %d: progress %d/%d", i+1, ev.Done, ev.Total)
			}
		}
		last = ev
	}
	if len(open) > 0 {
		t.Errorf("steps started and never finished: %v", open)
	}
	if last.Type != views.EvApplyComplete || last.Stages["db01-outage"] != "merged" || last.Report == "" {
		t.Errorf("last event %+v", last)
	}
	if !strings.Contains(r.stdout, `"step":"recovery.db01-outage.merges","done":`) {
		t.Errorf("no merge progress:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}
