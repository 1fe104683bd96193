package drill

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
)

// beforeStage injects what happens between stages: the dial tone database lost before
// the swap (dial_tone_lost), and for the refusal modes the refused plan itself (stop
// is then true).
func (dr *drillRun) beforeStage(stage string) (code int, stop bool) {
	c, d := dr.c, dr.d
	switch {
	case stage == config.StageDialTone && dr.isRefusalMode():
		return dr.expectRefusal(), true
	case stage == config.StageSwapped && d.Mode == config.DrillModeDialToneLost:
		r := dr.recs[0]
		dt := r.DialTone.Name
		// Only the mail accepted since the failure lives in the dial tone database; what
		// came before is in the backup and the surviving logs of the failed database.
		for id, to := range dr.accepted {
			if dr.afterFailure[id] && dr.homeOf(to) == dt {
				dr.expectLost[id] = "delivered during dial tone into " + dt + ", which was lost"
			}
		}
		if err := dr.l.FailDatabase(dt, "lost"); err != nil {
			return dr.fail("failing the dial tone database %s: %v", dt, err), true
		}
		fmt.Fprintf(c.stdout, "lab: fail the dial tone database %s (lost) before the swap: a second failure mid-recovery\n\n", dt)
	}
	return exitOK, false
}

// afterStage delivers the dial tone mail, and for bad_items damages some of it; once
// the resumed restore requests finished (bad_items, stage merged) it takes their counts.
func (dr *drillRun) afterStage(stage string) int {
	c, d := dr.c, dr.d
	if stage == config.StageMerged && d.Mode == config.DrillModeBadItems {
		return dr.countSkippedBadItems()
	}
	if stage != config.StageDialTone {
		return exitOK
	}
	n := d.Messages.DuringDialTone - d.Messages.DuringDialTone/3
	for _, r := range dr.recs {
		if err := dr.deliver(r.DialTone.Name, n); err != nil {
			return dr.fail("delivering during dial tone: %v", err)
		}
		if n > 0 {
			fmt.Fprintf(c.stdout, "lab: deliver %d messages to the users of %s while they run on %s\n", n, r.Database.Name, r.DialTone.Name)
		}
	}
	if d.Mode == config.DrillModeBadItems {
		dt := dr.recs[0].DialTone.Name
		if err := dr.l.FailItems(dt, d.BadItems); err != nil {
			return dr.fail("damaging items of %s: %v", dt, err)
		}
		fmt.Fprintf(c.stdout, "lab: make %d items of %s unreadable (bad items): the merge will meet them\n", d.BadItems, dt)
	}
	return exitOK
}

// plan refreshes and plans; it prints the diagnostics and returns them too.
func (dr *drillRun) plan() (*planner.Plan, hcl.Diagnostics, error) {
	if err := dr.c.host.Refresh(dr.l, dr.st); err != nil {
		return nil, nil, err
	}
	p, diags := planner.Compute(dr.cfg, dr.st, dr.l.Capabilities(), planner.ComputeOptions{})
	dr.c.host.Diags(dr.cfg, diags)
	if p != nil && p.ConfigDigest == "" {
		p.ConfigDigest = dr.cfg.Digest()
	}
	return p, diags, nil
}

// planAndShow plans, prints the plan and records its data-loss decisions.
func (dr *drillRun) planAndShow(stage string) (*planner.Plan, int) {
	p, diags, err := dr.plan()
	if err != nil {
		return nil, dr.fail("%v", err)
	}
	if diags.HasErrors() || p == nil {
		return nil, dr.fail("planning stage %s failed (diagnostics above)", stage)
	}
	if err := render.Text(dr.c.stdout, p, render.TextOptions{Color: dr.c.color}); err != nil {
		return nil, dr.fail("rendering the plan: %v", err)
	}
	if failed := p.FailedPreconditions(); len(failed) > 0 {
		return nil, dr.fail("stage %s has failed preconditions: %s", stage, strings.Join(failed, "; "))
	}
	for _, r := range p.Recoveries {
		for _, dl := range r.DataLoss {
			if !hasLoss(dr.declared[r.Name], dl) {
				dr.declared[r.Name] = append(dr.declared[r.Name], dl)
			}
		}
	}
	fmt.Fprintln(dr.c.stdout)
	return p, exitOK
}

func hasLoss(ls []planner.DataLoss, l planner.DataLoss) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// applyStage plans and applies one stage until it is reached: manual steps are carried
// out and confirmed, and (bad_items) restore requests that failed on bad items are
// resumed after the limit is raised, as an admin would in HCL.
func (dr *drillRun) applyStage(stage string) int {
	c := dr.c
	raised := false
	for round := 0; round < 20; round++ {
		p, code := dr.planAndShow(stage)
		if code != exitOK {
			return code
		}
		if !p.HasChanges() {
			fmt.Fprintf(c.stdout, "Nothing to do at stage %s.\n", stage)
			return exitOK
		}
		rows, err := c.host.Apply(dr.b, dr.statePath, dr.l, dr.st, p)
		dr.rows = append(dr.rows, rows...)
		var manual *planner.ManualStepError
		switch {
		case err == nil:
			return exitOK
		case errors.As(err, &manual) && !dr.c.host.IsWriteError(err):
			if code := dr.doManual(p, manual.Step); code != exitOK {
				return code
			}
		case dr.d.Mode == config.DrillModeBadItems && stage == config.StageMerged && !raised:
			fmt.Fprintf(c.stdout, "\nApply stopped as the drill expects: %v\n", err)
			if code := dr.raiseBadItemLimit(); code != exitOK {
				return code
			}
			raised = true
		default:
			return dr.fail("applying stage %s: %v", stage, err)
		}
		fmt.Fprintf(c.stdout, "\n--- stage %s, plan again ---\n\n", stage)
	}
	return dr.fail("stage %s was not reached after 20 rounds of plan and apply", stage)
}

// doManual carries out a manual step the way an admin would in the lab, then confirms
// it through the same code path as "dialtone confirm".
func (dr *drillRun) doManual(p *planner.Plan, s *planner.Step) int {
	c := dr.c
	fmt.Fprintf(c.stdout, "\nApply paused at a manual step: %s\n", s.ID)
	switch s.Operation.Kind {
	case providers.OpRecoverServer:
		if err := dr.l.RepairServer(s.Operation.Server); err != nil {
			return dr.fail("rebuilding %s: %v", s.Operation.Server, err)
		}
		fmt.Fprintf(c.stdout, "drill: rebuilt %s with \"lab repair server %s\" (standing in for Setup.exe /Mode:RecoverServer)\n", s.Operation.Server, s.Operation.Server)
	case providers.OpAddCopies:
		for _, srv := range s.Operation.Servers {
			if err := dr.l.AddCopy(s.Operation.Database, srv); err != nil {
				return dr.fail("adding a copy of %s on %s: %v", s.Operation.Database, srv, err)
			}
			fmt.Fprintf(c.stdout, "drill: added a copy of %s on %s with \"lab add copy %s -server=%s\" (standing in for Add-MailboxDatabaseCopy and seeding)\n",
				s.Operation.Database, srv, s.Operation.Database, srv)
		}
	case providers.OpRepointProfiles:
		fmt.Fprintf(c.stdout, "drill: noted: repoint the mail profiles of %s at %s (clients without Autodiscover): %s\n",
			render.Count(len(s.Operation.Mailboxes), "mailbox", "mailboxes"), s.Operation.Server, strings.Join(s.Operation.Mailboxes, ", "))
	default:
		return dr.fail("manual step %s (%s) has no lab stand-in: %s", s.ID, s.Operation.Kind, s.Operation.Instructions)
	}
	if err := c.host.Refresh(dr.l, dr.st); err != nil {
		return dr.fail("%v", err)
	}
	now := time.Now().UTC()
	stage, err := dr.c.host.Confirm(dr.b, dr.st, p, s.ID, drillWho, now)
	if err != nil {
		return dr.fail("confirming %s: %v", s.ID, err)
	}
	if err := dr.b.Write(dr.c.ctx, dr.st); err != nil {
		return dr.fail("writing the state: %v", err)
	}
	fmt.Fprintf(c.stdout, "Confirmed: step %s was carried out by %s at %s.\n", s.ID, drillWho, now.Format(time.RFC3339))
	if stage != "" {
		fmt.Fprintf(c.stdout, "recovery.%s is at stage %q.\n", s.Recovery, stage)
	}
	return exitOK
}
