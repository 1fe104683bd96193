package exchange_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange"
)

// The lines a reviewer approves are the lines that run: every scenario applies through
// lineCheck, which has the provider report each providers/ems line it runs and checks
// that every line that changes something (a pipeline with a cmdlet other than Get-) is
// one of the Commands of the plan step that carries the operation. The provider may add
// its reads (guards), -DomainController, framing and JSON output around them; nothing
// else.

type collectorKey struct{}

type collector struct {
	mu    sync.Mutex
	lines []string
}

// lineCheck knows the plan being applied, by operation.
type lineCheck struct {
	mu      sync.Mutex
	steps   map[string]*planner.Step // operation JSON -> step
	checked map[providers.OpKind]int // operations whose changing lines were compared
}

func opKey(op providers.Operation) string {
	b, _ := json.Marshal(op)
	return string(b)
}

// watch has r's provider report its lines into the collector of the apply's context.
func (lc *lineCheck) watch(r *rig) {
	exchange.SetRan(r.prov, func(ctx context.Context, line string) {
		if c, ok := ctx.Value(collectorKey{}).(*collector); ok {
			c.mu.Lock()
			c.lines = append(c.lines, line)
			c.mu.Unlock()
		}
	})
}

// expect records the plan about to be applied.
func (lc *lineCheck) expect(p *planner.Plan) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.steps = map[string]*planner.Step{}
	for _, s := range p.Steps {
		lc.steps[opKey(s.Operation)] = s
	}
	if lc.checked == nil {
		lc.checked = map[providers.OpKind]int{}
	}
}

// changes reports whether a line changes something: a pipeline with a cmdlet that is
// not a Get- (Where-Object and the like do not count).
func changes(line string) bool {
	for _, part := range strings.Split(line, " | ") {
		name, _, _ := strings.Cut(part, " ")
		if strings.Contains(name, "-") && !strings.HasPrefix(name, "Get-") && name != "Where-Object" {
			return true
		}
	}
	return false
}

// apply runs op through apply with a collector, then compares.
func (lc *lineCheck) apply(t *testing.T, ctx context.Context, op providers.Operation, apply func(ctx context.Context) (providers.Result, error)) (providers.Result, error) {
	c := &collector{}
	res, err := apply(context.WithValue(ctx, collectorKey{}, c))
	if lc == nil {
		return res, err
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	s := lc.steps[opKey(op)]
	if s == nil {
		return res, err
	}
	planned := map[string]bool{}
	for _, l := range s.Commands {
		planned[l] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lines {
		if !changes(l) {
			continue
		}
		n++
		if !planned[l] {
			t.Errorf("%s ran a line the plan does not show:\n  ran:  %s\n  plan: %s", s.ID, l, strings.Join(s.Commands, "\n        "))
		}
	}
	if n > 0 {
		lc.checked[op.Kind]++
	}
	return res, err
}

// exchangeKinds are the operation kinds carried out with Exchange cmdlets.
var exchangeKinds = map[providers.OpKind]bool{
	providers.OpCreateDatabase: true, providers.OpRehomeMailboxes: true, providers.OpRehomeSystemMailboxes: true,
	providers.OpMountDatabase: true, providers.OpDismountDatabase: true, providers.OpSetAllowFileRestore: true,
	providers.OpSetExcludedFromProvisioning: true, providers.OpRemoveDatabase: true, providers.OpResubmitQueues: true,
	providers.OpMergeMailbox: true, providers.OpResumeRestoreRequest: true, providers.OpRemoveRestoreRequests: true,
	providers.OpSetDatabaseSettings: true, providers.OpRenameDatabase: true, providers.OpRestartStore: true,
}

// wantChecked fails when a kind of the plans carried out by Exchange cmdlets never had
// its lines compared (the provider ran nothing that changes, or ran outside ems).
func (lc *lineCheck) wantChecked(t *testing.T, plans ...*planner.Plan) {
	t.Helper()
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for k, n := range kinds(plans...) {
		if exchangeKinds[k] && n > 0 && lc.checked[k] == 0 {
			t.Errorf("no %s operation ran a line that could be compared with its plan step", k)
		}
	}
}
