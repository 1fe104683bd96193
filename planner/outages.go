package planner

import (
	"sort"

	"github.com/dialtone/dialtone/providers"
)

// Outage window reasons.
const (
	ReasonFailure = "failure until dial tone"
	ReasonSwap    = "swap"
	// ReasonDialToneLost: the dial tone database was lost; its users wait for its restore.
	ReasonDialToneLost = "dial tone database lost until it is restored"
)

// outageWindows finds, per recovery, the spans of planned steps during which its users
// are without service: a window opens at the first step marked down (continues or
// starts) and closes at the step that brings service back. A plan resumed in the
// middle of a window starts it at its first remaining step.
func outageWindows(p *Plan, rcs map[string]*recCtx) []OutageWindow {
	out := []OutageWindow{}
	open := map[string]*OutageWindow{}
	for _, s := range p.Steps {
		rc := rcs[s.Recovery]
		if rc == nil {
			continue
		}
		if s.Operation.Kind == providers.OpRestartStore && s.Mailboxes > 0 {
			// Every user of the server's mounted databases, for the restart only.
			out = append(out, OutageWindow{Recovery: rc.name, FromStep: s.ID, ToStep: s.ID, Mailboxes: s.Mailboxes, Reason: ReasonStoreRestart})
		}
		switch s.Outage {
		case OutageContinues, OutageStarts:
			if open[rc.name] == nil {
				open[rc.name] = &OutageWindow{Recovery: rc.name, FromStep: s.ID, ToStep: s.ID, Mailboxes: len(rc.mailboxes)}
			}
			open[rc.name].ToStep = s.ID
		case OutageEnds:
			w := open[rc.name]
			if w == nil {
				continue // users were not down (the failed database was still mounted)
			}
			w.ToStep = s.ID
			w.Reason = ReasonSwap
			switch {
			case s.ID == rc.id("mount_restored_dial_tone_database") || rc.dtLost:
				w.Reason = ReasonDialToneLost
			case s.Stage == stageName(stDialTone):
				w.Reason = ReasonFailure
			}
			out = append(out, *w)
			delete(open, rc.name)
		}
	}
	// A window left open ends beyond this plan; sorted by recovery for determinism.
	var names []string
	for name := range open {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w := open[name]
		w.Reason = ReasonSwap
		if rc := rcs[name]; rc != nil && (rc.dtLost || rc.dtRepair) {
			w.Reason = ReasonDialToneLost
		}
		out = append(out, *w)
	}
	return out
}
