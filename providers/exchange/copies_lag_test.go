package exchange

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReplayLagTimesText: ReplayLagTimes as [string] writes it (each KeyValuePair as
// "[SERVER, TIMESPAN]", joined by spaces) gives each lagged copy's lag; a lag of 0 is
// not a lagged copy; any other shape is refused, naming the field.
func TestReplayLagTimesText(t *testing.T) {
	rec := func(v any) record {
		raw, _ := json.Marshal(v)
		return record{cmdlet: "Get-MailboxDatabase", m: map[string]json.RawMessage{"ReplayLagTimes": raw}}
	}
	l := replayLags{}
	if err := l.read(rec("[EX01, 00:00:00] [EX02, 7.00:00:00] [EX03, 00:00:00] [EX04, 01:30:00.5000000]"), "DB01"); err != nil {
		t.Fatal(err)
	}
	if got := l["db01"]; len(got) != 2 || got["ex02"] != "7.00:00:00" || got["ex04"] != "01:30:00.5000000" {
		t.Fatalf("lags %v", got)
	}
	for _, empty := range []any{nil, "", "[EX01, 00:00:00]"} {
		l := replayLags{}
		if err := l.read(rec(empty), "DB02"); err != nil || len(l) != 0 {
			t.Fatalf("%v: lags %v, error %v", empty, l, err)
		}
	}
	for _, bad := range []string{"EX02=7.00:00:00", "[EX02, 7 days]", "[EX02, 7.00:00:00] junk"} {
		if err := (replayLags{}).read(rec(bad), "DB01"); err == nil || !strings.Contains(err.Error(), "ReplayLagTimes") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}
