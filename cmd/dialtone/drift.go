package main

import (
	"fmt"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// refreshDrift refreshes st through prov and returns what changed outside dialtone
// since st was written (planner.DetectDrift). Plans are then computed from the
// refreshed st, so they account for it.
func refreshDrift(c *cli, prov providers.Provider, st *state.State) ([]planner.Drift, error) {
	var drift []planner.Drift
	if sp, ok := prov.(providers.MailboxStreamer); ok {
		// In place: the mailboxes stream onto the state's own map (one map alive, not
		// two) and what moved is collected as it goes. Servers and databases are
		// replaced, so the old maps stay as they were.
		before := &state.State{Servers: st.Servers, Databases: st.Databases}
		r := st.BeginMailboxRefresh()
		obs, err := sp.ReadStream(c.ctx, r.Observe)
		if err != nil {
			r.Abort()
			return nil, fmt.Errorf("refresh: reading the organization: %w", err)
		}
		st.RefreshObjects(obs)
		// A state never refreshed has no drift (planner.DetectDrift): do not collect
		// every mailbox as new.
		collect := len(before.Servers) > 0 || len(before.Databases) > 0
		drift = planner.DetectDrift(before, st, planner.DriftOptions{InPlace: true, MailboxChanges: r.Finish(collect)})
	} else {
		// Refresh replaces these maps, so the old ones stay as they were.
		before := &state.State{Servers: st.Servers, Databases: st.Databases, Mailboxes: st.Mailboxes}
		if err := refreshFrom(c, prov, st); err != nil {
			return nil, err
		}
		drift = planner.DetectDrift(before, st, planner.DriftOptions{})
	}
	// What an interrupted apply's started steps did is theirs, not a change outside
	// dialtone: apply resumes those steps (the journal marks each step started).
	drift, own := planner.OwnDrift(drift, st)
	for _, d := range own {
		c.log.Info("partial effect of a started step", "step", d.Step, "kind", string(d.Kind), "object", d.Object, "summary", d.Summary)
	}
	for _, d := range drift {
		c.log.Info("changed outside dialtone", "kind", string(d.Kind), "object", d.Object, "summary", d.Summary)
	}
	c.ownDrift = own
	return drift, nil
}
