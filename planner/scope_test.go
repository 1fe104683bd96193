package planner_test

import (
	"fmt"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

// A refresh reads the mailboxes of the failed, dial tone and recovery database of
// every recovery, and of no other database.
func TestReadScope(t *testing.T) {
	cfg, _ := plantest.SiteFailure(2, 2, 1, config.StageDialTone)
	got := fmt.Sprint(planner.ReadScope(cfg))
	want := "[DB0101 DB0102 DB0201 DB0202 DTDB0101 DTDB0102 DTDB0201 DTDB0202 RDB0101 RDB0102 RDB0201 RDB0202]"
	if got != want {
		t.Errorf("scope %s, want %s", got, want)
	}
	if s := planner.ReadScope(&config.Config{}); s == nil || len(s) != 0 {
		t.Errorf("no recovery: scope %v, want empty (not nil: nil reads everything)", s)
	}
}
