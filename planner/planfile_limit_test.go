package planner_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/state"
)

func TestPlanFileSizeLimit(t *testing.T) {
	p := mustPlan(t, plantest.Config(config.StageComplete), plantest.State(4))
	path := filepath.Join(t.TempDir(), "big.plan")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(planner.EnvMaxPlanBytes, "1000")
	_, err = planner.ReadPlanFile(path)
	var le *state.LimitError
	if !errors.As(err, &le) || le.Limit != 1000 || le.Size != fi.Size() {
		t.Fatalf("want the plan file refused at 1000 bytes (it is %d), got %v", fi.Size(), err)
	}
	for _, want := range []string{path, strconv.FormatInt(fi.Size(), 10) + " bytes", "limit of 1000 bytes", planner.EnvMaxPlanBytes + "=BYTES"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	t.Setenv(planner.EnvMaxPlanBytes, strconv.FormatInt(fi.Size(), 10))
	if _, err := planner.ReadPlanFile(path); err != nil {
		t.Fatalf("a plan file of exactly the limit: %v", err)
	}
	t.Setenv(planner.EnvMaxPlanBytes, "")
	if n, err := planner.MaxPlanFileBytes(); err != nil || n != planner.DefaultMaxPlanBytes {
		t.Fatalf("default %d %v", n, err)
	}
}
