package state

import (
	"fmt"
	"sort"
	"strings"
)

// Replay is what replaying a journal onto a stored state did: every command that reads
// a state with a journal says so (a journal is written by apply only, so a replay means
// an apply was interrupted, or someone wrote the journal).
type Replay struct {
	Records int         // journal records (or pg rows) replayed
	Steps   int         // finished steps among them
	Stages  []StageMark // stages they raised, in order
}

// Empty reports whether nothing was replayed.
func (r Replay) Empty() bool { return r.Records == 0 }

// ReplayChanges applies the changes of one journal record to s, as ApplyChange does,
// but refuses a stage mark that does not name its steps, or names one that is not
// recorded finished (in s, or earlier in the record): a stage is raised with its last
// step, so a mark alone is not something apply writes. A forged mark would make the next
// plan skip that stage's steps (a recovery marked "merged" has its recovery database,
// still holding the outage-period mail, removed). Nothing of the record is applied when
// it is refused.
func ReplayChanges(s *State, changes []Change, r *Replay) error {
	var done map[string]bool // steps finished earlier in this record, by recovery + "\x00" + ID
	for _, c := range changes {
		if sd := c.StepDone; sd != nil {
			if done == nil {
				done = map[string]bool{}
			}
			done[sd.Recovery+"\x00"+sd.Record.ID] = true
		}
		if m := c.Stage; m != nil {
			if len(m.Steps) == 0 {
				return fmt.Errorf("it raises recovery %s to stage %q without naming the steps of that stage; dialtone writes a stage mark only with the stage's last step",
					m.Recovery, m.Stage)
			}
			var missing []string
			for _, id := range m.Steps {
				if done[m.Recovery+"\x00"+id] {
					continue
				}
				if rec := s.Recoveries[m.Recovery]; rec != nil && rec.Steps[id] != nil {
					continue
				}
				missing = append(missing, id)
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				if len(missing) > 3 {
					missing = append(missing[:3], fmt.Sprintf("and %d more", len(missing)-3))
				}
				return fmt.Errorf("it raises recovery %s to stage %q, but not all the steps of that stage are recorded finished (%s)",
					m.Recovery, m.Stage, strings.Join(missing, ", "))
			}
		}
	}
	for _, c := range changes {
		s.ApplyChange(c)
		if c.Stage != nil && r != nil {
			r.Stages = append(r.Stages, StageMark{Recovery: c.Stage.Recovery, Stage: c.Stage.Stage})
		}
	}
	if r != nil {
		r.Records++
		r.Steps += FinishedSteps(changes)
	}
	return nil
}

// UnsealedError is a stored state without its checksum line: written or edited outside
// dialtone. It is refused unless the backend was told to accept it (AcceptUnsealed),
// because nothing else tells a state an attacker wrote from one dialtone wrote.
type UnsealedError struct {
	Where string // the state file, or the pg table
}

func (e *UnsealedError) Error() string {
	return fmt.Sprintf("the state in %s has no checksum line: it was written or edited outside dialtone. "+
		"Check it (\"dialtone -accept-unsealed-state state pull\" prints it), then accept it once with \"dialtone -accept-unsealed-state COMMAND\"; "+
		"the next write seals it again", e.Where)
}
