package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

func TestStaleReasons(t *testing.T) {
	base := func() (*planner.Plan, string) {
		cfg := plantest.Config(config.StageDialTone)
		return mustPlan(t, cfg, plantest.State(20)), cfg.Digest()
	}
	p, digest := base()
	if r := planner.StaleReasons(p, plantest.State(20), planner.StaleOptions{ConfigDigest: digest}); len(r) != 0 {
		t.Fatalf("fresh plan is stale: %v", r)
	}
	cases := []struct {
		name  string
		move  func(st *stateT) string
		wants []string
	}{
		{"lineage", func(st *stateT) string { st.Lineage = "other"; return digest },
			[]string{"state lineage changed from " + plantest.Lineage + " to other: this is a different state"}},
		{"serial", func(st *stateT) string { st.Serial = 9; return digest }, []string{"state serial moved from 7 to 9"}},
		{"config", func(st *stateT) string { return "sha256:0123456789abcdef0123" },
			[]string{"configuration changed (digest " + digest[:19] + " -> sha256:0123456789ab)"}},
		{"mailboxes", func(st *stateT) string { plantest.AddMailboxes(st, "DB01", 21); return digest },
			[]string{"database DB01: mailboxes 20 -> 21"}},
		{"mounted", func(st *stateT) string { st.Databases["DB01"].Mounted = true; return digest },
			[]string{"database DB01: dismounted -> mounted"}},
		{"clean and files", func(st *stateT) string {
			st.Databases["DB02"].Clean, st.Databases["DB02"].FilesOK = true, false
			return digest
		}, []string{"database DB02: dirty shutdown -> clean shutdown", "database DB02: files ok -> files lost or damaged"}},
		{"database server", func(st *stateT) string { st.Databases["DB02"].Server = "EX02"; return digest },
			[]string{"database DB02: server EX01 -> EX02"}},
		{"server down", func(st *stateT) string { st.Servers["EX01"].Up = false; return digest }, []string{"server EX01: up -> down"}},
		{"appeared and gone", func(st *stateT) string {
			delete(st.Databases, "DB02")
			st.Databases["DB03"] = &dbT{Name: "DB03", Server: "EX01"}
			st.Servers["EX02"] = &serverT{Name: "EX02", Up: true}
			return digest
		}, []string{"database DB02: gone from the state", "database DB03: appeared (not in the plan's state)", "server EX02: appeared (not in the plan's state)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := plantest.State(20)
			d := c.move(st)
			got := planner.StaleReasons(p, st, planner.StaleOptions{ConfigDigest: d})
			if strings.Join(got, "\n") != strings.Join(c.wants, "\n") {
				t.Errorf("reasons\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.wants, "\n"))
			}
		})
	}
	// Several moves at once come in a fixed order.
	st := plantest.State(20)
	st.Serial = 8
	st.Servers["EX01"].Up = false
	st.Databases["DB02"].Mounted = false
	got := planner.StaleReasons(p, st, planner.StaleOptions{ConfigDigest: "sha256:ffffffffffffffffffff"})
	want := []string{"state serial moved from 7 to 8", "configuration changed", "database DB02: mounted -> dismounted", "server EX01: up -> down"}
	if len(got) != len(want) {
		t.Fatalf("reasons %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reason %d is %q, want %q", i, got[i], want[i])
		}
	}
}
