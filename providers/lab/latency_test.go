package lab

import (
	"strings"
	"testing"
	"time"

	"github.com/dialtone/dialtone/providers"
)

func TestExchangeLatencyTableIsDocumented(t *testing.T) {
	for k := range ExchangeLatency {
		if ExchangeLatencyBasis[k] == "" {
			t.Errorf("%s has no basis", k)
		}
	}
	for k := range ExchangeLatencyBasis {
		if _, ok := ExchangeLatency[k]; !ok {
			t.Errorf("basis of %s, which is not in the table", k)
		}
	}
}

func TestLatencyModelled(t *testing.T) {
	m, err := ParseLatency("exchange", map[string]string{"mount_database": "45s", LatencyPerMailboxRehomed: "1s"}, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		op    providers.Operation
		res   providers.Result
		bytes int64
		want  time.Duration
	}{
		{providers.Operation{Kind: providers.OpMountDatabase}, providers.Result{}, 0, 45 * time.Second},
		{providers.Operation{Kind: providers.OpCreateDatabase}, providers.Result{}, 0, time.Minute},
		{providers.Operation{Kind: providers.OpRehomeMailboxes}, providers.Result{Count: 250}, 0, 10*time.Second + 250*time.Second},
		{providers.Operation{Kind: providers.OpMergeMailbox}, providers.Result{}, 0, 90 * time.Second},
		{providers.Operation{Kind: providers.OpMergeMailbox}, providers.Result{Skipped: true}, 0, 0},
		{providers.Operation{Kind: providers.OpCopyFiles}, providers.Result{}, 3 << 30, 5*time.Second + 30*time.Second},
		{providers.Operation{Kind: providers.OpReplayLogs}, providers.Result{}, 1 << 30, 20*time.Second + 30*time.Second},
	}
	for _, c := range cases {
		if got := m.modelled(c.op, c.res, c.bytes); got != c.want {
			t.Errorf("%s: %v, want %v", c.op.Kind, got, c.want)
		}
	}
}

func TestParseLatencyRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, c := range []struct {
		name  string
		over  map[string]string
		scale float64
		want  string
	}{
		{"fast", nil, 0, `latency "fast" is not a model`},
		{"exchange", map[string]string{"mount": "1s"}, 0, `"mount" is not an operation of the model`},
		{"exchange", map[string]string{"mount_database": "soon"}, 0, "is not a duration"},
		{"exchange", map[string]string{"mount_database": "-1s"}, 0, "is not a duration"},
		{"exchange", nil, -1, "time_scale"},
		{"none", nil, 0.5, "need latency"},
	} {
		if _, err := ParseLatency(c.name, c.over, c.scale); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v %g: %v, want %q", c.name, c.over, c.scale, err, c.want)
		}
	}
	if m, err := ParseLatency("", nil, 0); m != nil || err != nil {
		t.Errorf("no model: %v %v", m, err)
	}
}

// The lab's clock runs at 1/scale the wall clock's pace, so a scaled wait lasts the
// modelled time on it.
func TestScaledClock(t *testing.T) {
	l := &Lab{}
	m, _ := ParseLatency("exchange", nil, 0.001)
	l.SetLatency(m)
	t0 := l.Now()
	if err := l.wait(t.Context(), providers.Operation{Kind: providers.OpCreateDatabase}, providers.Result{}, 0); err != nil {
		t.Fatal(err)
	}
	if d := l.Now().Sub(t0); d < time.Minute {
		t.Errorf("a create lasted %v on the lab's clock, want at least the model's minute", d)
	}
}
