package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

// TestMarkdownManualSteps: EX01 lost with DB01 and DB02 (alternate_server to EX02, to
// stage restored), 40 mailboxes each, none of whose clients use Autodiscover. The
// first table names each manual step and what it needs; EX01 is rebuilt by one step,
// which the other recovery refers to ("done by step N") instead of repeating it; the
// address lists show ten and a count.
func TestMarkdownManualSteps(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServer, config.StageRestored, true)
	rec2 := *cfg.Recoveries["db01-outage"]
	rec2.Name, rec2.Database = "db02-outage", config.Addr{Kind: config.KindDatabase, Name: "DB02"}
	dt, rdb := *rec2.DialTone, *rec2.RecoveryDatabase
	dt.Name, dt.EdbFilePath, dt.LogFolderPath = "DTDB02", `F:\DialTone\DTDB02\DTDB02.edb`, `F:\DialTone\DTDB02\Logs`
	rdb.Name, rdb.EdbFilePath, rdb.LogFolderPath = "RDB02", `E:\Recovery\RDB02\DTDB02.edb`, `E:\Recovery\RDB02`
	rec2.DialTone, rec2.RecoveryDatabase, rec2.Priority = &dt, &rdb, 200
	cfg.Recoveries["db02-outage"] = &rec2
	st := plantest.AltState(40)
	b := *st.Backups["DB01/nightly"]
	b.Database = "DB02"
	st.Backups["DB02/nightly"] = &b
	for _, mb := range st.Mailboxes {
		mb.NoAutodiscover = mb.Kind == "" // users' clients
	}
	p := plan(t, cfg, st)
	out := markdown(t, p)

	rebuild := regexp.MustCompile("manual: step (\\d+) `recover_server`: Rebuild EX01 under its own name")
	m := rebuild.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the first rebuild of EX01 is not named with what it needs:\n%s", out)
	}
	// EX01 is rebuilt once: one manual entry, one step, and db02-outage says where.
	if n := strings.Count(out, "`recover_server`"); n != 1 {
		t.Errorf("the rebuild of EX01 is named %d times in the manual steps, want once", n)
	}
	if n := strings.Count(out, "by hand: Rebuild EX01"); n != 1 {
		t.Errorf("the rebuild instructions appear %d times, want once", n)
	}
	if n := len(regexp.MustCompile("(?m)^\\*\\*\\d+\\.\\*\\* .*\\.recover_server`").FindAllString(out, -1)); n != 1 {
		t.Errorf("%d rebuild steps, want one", n)
	}
	done := "Rebuild EX01 under its own name (Setup.exe /Mode:RecoverServer): done by step " + m[1] + " (`recovery.db01-outage.recover_server`)."
	if i, j := strings.Index(out, done), strings.Index(out, "#### `recovery.db02-outage`"); i < 0 || i < j {
		t.Errorf("recovery.db02-outage does not say that step %s rebuilds EX01 (%q at %d, its heading at %d)", m[1], done, i, j)
	}
	for _, db := range []string{"db01", "db02"} {
		if strings.Contains(out, db+"-user0011@contoso.com") {
			t.Errorf("the 11th address of %s is listed", db)
		}
		if !strings.Contains(out, db+"-user0010@contoso.com and 30 more (the JSON plan lists them all)") {
			t.Errorf("the addresses of %s are not capped at ten and a count", db)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) >= 2000 {
			t.Errorf("a line of %d characters: %.200s", len(l), l)
		}
	}
	if !regexp.MustCompile("\\| `recovery.db01-outage` \\| \\d+ \\| since the failure until step \\d+ `rehome_to_dial_tone` \\|").MatchString(out) {
		t.Errorf("users of db01 are not down since the failure:\n%.3000s", out)
	}
}

// TestMarkdownSiteShortened: the 50-recovery site failure says at the top that it was
// shortened and where the full plan is; numbers that jump under a recovery say so;
// plan notes come after the recoveries, folded.
func TestMarkdownSiteShortened(t *testing.T) {
	cfg, st := plantest.SiteFailure(5, 10, 20, config.StageComplete)
	out := markdown(t, plan(t, cfg, st))
	note := strings.Index(out, "> **Shortened to fit one comment:**")
	if note < 0 || note > strings.Index(out, "### What happens to users") {
		t.Error("the first screen does not say the plan was shortened")
	}
	if !strings.Contains(out[note:], "The full plan is the JSON plan (`dialtone show -json PLANFILE`") {
		t.Error("no pointer at the full plan")
	}
	if !regexp.MustCompile(`\nSteps \d+–\d+, \d+–\d+.* of the plan\.\n`).MatchString(out) {
		t.Error("jumping step numbers are not explained")
	}
	if i := strings.Index(out, "Serialized"); i >= 0 && i < strings.Index(out, "### Recoveries") {
		t.Error("plan notes before the recoveries")
	}
}
