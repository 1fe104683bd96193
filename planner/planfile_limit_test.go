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
	t.Parallel() // the limit is an option, not the environment
	p := mustPlan(t, plantest.Config(config.StageComplete), plantest.State(4))
	path := filepath.Join(t.TempDir(), "big.plan")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = planner.ReadPlanFile(path, planner.ReadPlanOptions{MaxBytes: 1000})
	var le *state.LimitError
	if !errors.As(err, &le) || le.Limit != 1000 || le.Size != fi.Size() {
		t.Fatalf("want the plan file refused at 1000 bytes (it is %d), got %v", fi.Size(), err)
	}
	for _, want := range []string{path, strconv.FormatInt(fi.Size(), 10) + " bytes", "limit of 1000 bytes", planner.EnvMaxPlanBytes + "=BYTES"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if _, err := planner.ReadPlanFile(path, planner.ReadPlanOptions{MaxBytes: fi.Size()}); err != nil {
		t.Fatalf("a plan file of exactly the limit: %v", err)
	}
	if _, err := planner.ReadPlanFile(path, planner.ReadPlanOptions{}); err != nil {
		t.Fatalf("the default limit: %v", err)
	}
}
