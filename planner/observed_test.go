package planner_test

import (
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
)

// A failed precondition says what the refresh found, not the expectation alone: a
// server or a failed database the organization does not have is named as missing, with
// what the refresh found instead (issue 13 §4).
func TestFailedPreconditionsSayWhatWasObserved(t *testing.T) {
	cfg := plantest.AltConfig(config.OptionAlternateServerStay, config.StageDialTone, true)
	ex := *cfg.Servers["EX02"]
	ex.Name = "MBX-NYC2"
	cfg.Servers["MBX-NYC2"] = &ex
	cfg.Recoveries["db01-outage"].DialTone.Server = config.Addr{Kind: config.KindServer, Name: "MBX-NYC2"}
	p, _ := planner.Compute(cfg, plantest.AltState(2), plantest.NewFake().Caps, planner.ComputeOptions{})
	failed := strings.Join(p.FailedPreconditions(), "\n")
	if !strings.Contains(failed, "server MBX-NYC2 is not in the organization (refresh found EX01, EX02)") || strings.Contains(failed, "MBX-NYC2 is up") {
		t.Errorf("failed preconditions:\n%s", failed)
	}

	cfg = plantest.Config(config.StageDialTone)
	db := *cfg.Databases["DB01"]
	db.Name = "DB09"
	cfg.Databases["DB09"] = &db
	cfg.Recoveries["db01-outage"].Database = config.Addr{Kind: config.KindDatabase, Name: "DB09"}
	p, _ = planner.Compute(cfg, plantest.State(2), plantest.NewFake().Caps, planner.ComputeOptions{})
	failed = strings.Join(p.FailedPreconditions(), "\n")
	if !strings.Contains(failed, "database DB09 is not in the organization (refresh found DB01, DB02)") || strings.Contains(failed, "dialtone refresh") {
		t.Errorf("failed preconditions:\n%s", failed)
	}
}
