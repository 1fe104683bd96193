package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/drill"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/labconfig"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// drillDir is where drills run (internal/drill).
const drillDir = drill.Dir

// cmdDrill rehearses a recovery of this folder on a fresh lab (internal/drill): the
// flags, the drill's folder (wiped first; kept after a failure or with -keep), and the
// command layer's code paths the drill runs through (drillHost).
func cmdDrill(c *cli, args []string) int {
	fs := newFlagSet(c, "drill", "drill [-keep] [-lock-timeout=DURATION] [-var 'NAME=VALUE'] [-var-file=FILE] [NAME]")
	addLockTimeoutFlag(c, fs)
	addInputFlag(c, fs)
	keep := fs.Bool("keep", false, "keep the drill's lab and state after a successful drill")
	vars := addVarFlags(fs)
	name, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return c.errorf("drill takes at most one argument, the drill name")
	}
	cfg, ok := loadConfigVars(c, vars)
	if !ok {
		load := func() hcl.Diagnostics {
			_, diags := config.Load(c.dir, config.LoadOptions{Limits: c.limits.Config})
			return diags
		}
		if drill.RefusedAtLoad(c.stdout, c.color, cfg, name, load) {
			return exitOK
		}
		return exitError
	}
	d, recs, err := drill.Pick(cfg, name)
	if err != nil {
		return c.errorf("%v", err)
	}

	work := c.path(filepath.Join(drillDir, d.Name))
	if err := os.RemoveAll(work); err != nil {
		return c.errorf("wiping the drill folder %s: %v", work, err)
	}
	if err := os.MkdirAll(work, 0o700); err != nil { // a lab and a state: private
		return c.errorf("creating the drill folder %s: %v", work, err)
	}
	code := drill.Run(drill.Options{Host: drillHost{c}, Out: c.stdout, Color: c.color, Ctx: c.ctx, Log: c.log, Record: c.record,
		ChildEnv: testHooks.childEnv, Config: cfg, Drill: d, Recoveries: recs, Work: work,
		StatePath: filepath.Join(drillDir, d.Name, config.DefaultStatePath), State: state.LocalOptions{Limits: c.limits.State, User: c.user}})
	switch {
	case code != exitOK || *keep:
		views.DrillKept(c.streams(), work, code != exitOK)
	default:
		if err := os.RemoveAll(work); err != nil {
			c.log.Warn("removing the drill folder", "path", work, "error", err)
		}
	}
	return code
}

// drillHost is the drill's way into the commands' code paths.
type drillHost struct{ c *cli }

var _ drill.Host = drillHost{}

func (h drillHost) NewLab(dir string, cfg *config.Config, mailboxes int) (*lab.Lab, error) {
	l, err := lab.Init(dir, labconfig.Topology(cfg), mailboxes)
	if err != nil {
		return nil, fmt.Errorf("building the lab: %w", err)
	}
	if err := setLabLatency(l, cfg); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (h drillHost) Lock(b state.Backend, path, op string) (func() error, error) {
	return lockState(h.c, b, path, op)
}

func (h drillHost) Refresh(prov providers.Provider, st *state.State) error {
	return refreshFrom(h.c, prov, st)
}

func (h drillHost) Diags(cfg *config.Config, diags hcl.Diagnostics) { writeDiags(h.c, cfg, diags) }

func (h drillHost) Apply(b state.Backend, path string, prov providers.Provider, st *state.State, p *planner.Plan) ([]runreport.Row, error) {
	view := newApplyView(h.c, p, false)
	rows, err := applyPlan(h.c, b, path, prov, st, p, 10, view)
	if err == nil {
		view.Complete(st, "")
	}
	return rows, err
}

func (h drillHost) IsWriteError(err error) bool { return isWriteError(err) }

func (h drillHost) Confirm(j planner.Journal, st *state.State, p *planner.Plan, id, who string, now time.Time) (string, error) {
	return confirmStep(h.c.ctx, j, st, p, id, who, now)
}

func (h drillHost) WriteVerify(r *lab.VerifyReport) {
	views.NewLab(h.c.streams(), false).Verified(r, true)
}

func (h drillHost) JournalPending(b state.Backend) int { return journalPending(b) }

func (h drillHost) Errorf(format string, args ...any) int { return h.c.errorf(format, args...) }
