package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/dialtone/dialtone/config"
)

// Mismatch is the first difference between a saved plan and the plan computed again
// from the configuration and the state (CompareRederived).
type Mismatch struct {
	Number int    // 1-based position of the step in the plan; 0 when the difference is outside the steps
	Step   string // the step's ID in the file ("" outside the steps)
	What   string // what differs, with both values
}

func (m *Mismatch) Error() string {
	if m.Number == 0 {
		return m.What
	}
	return fmt.Sprintf("step %d (%s): %s", m.Number, m.Step, m.What)
}

// RederiveOptions are the options to compute saved again with: the targets and
// excludes it was made with. An address the planner cannot read is returned as an
// error (a plan dialtone wrote never has one).
func RederiveOptions(saved *Plan) (ComputeOptions, error) {
	var o ComputeOptions
	for _, list := range []struct {
		in  []string
		out *[]config.Addr
	}{{saved.Targets, &o.Targets}, {saved.Excludes, &o.Excludes}} {
		for _, s := range list.in {
			a, err := ParseTargetAddr(s)
			if err != nil {
				return o, err
			}
			*list.out = append(*list.out, a)
		}
	}
	return o, nil
}

// CompareRederived compares a saved plan with fresh, the plan computed again from the
// configuration and the state the saved plan claims (Compute is deterministic), and
// returns the first difference, nil when they are the same plan. Steps are compared
// first, in order, every field (operation, commands, summary, dependencies,
// preconditions); then the rest of the plan. Drift, Estimates and Settings are left
// out: they are what the refresh, earlier runs and the environment of the one who
// planned said, shown to the reviewer, not what runs (the privileged settings in effect
// are those of the admin's own environment); renderers take them from the plan
// computed again.
//
// This is what makes a plan file trustworthy: its checksum only catches accidents
// (anyone can compute a SHA-256), but a plan file that is not exactly what the planner
// gives for this configuration and state is refused.
func CompareRederived(saved, fresh *Plan) *Mismatch {
	if saved == nil || fresh == nil {
		return &Mismatch{What: "no plan to compare"}
	}
	n := max(len(saved.Steps), len(fresh.Steps))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(fresh.Steps):
			return &Mismatch{Number: i + 1, Step: saved.Steps[i].ID, What: "in the file, but not in the plan the configuration and state give"}
		case i >= len(saved.Steps):
			return &Mismatch{Number: i + 1, Step: fresh.Steps[i].ID, What: "missing from the file (the configuration and state plan it here)"}
		}
		a, b := saved.Steps[i], fresh.Steps[i]
		if a != nil && b != nil && a.ID == b.ID && sameJSON(a, b) {
			continue // the common case: one encoding of each, no field walk
		}
		if a == nil || b == nil {
			return &Mismatch{Number: i + 1, What: "an empty step"}
		}
		if a.ID != b.ID {
			return &Mismatch{Number: i + 1, Step: a.ID, What: fmt.Sprintf("the configuration and state plan %s here", b.ID)}
		}
		// The operation first, its kind before its fields: it is what runs, so it is
		// what the message names.
		what := firstDifference("operation.kind", a.Operation.Kind, b.Operation.Kind)
		if what == "" {
			what = firstDifference("operation", a.Operation, b.Operation)
		}
		if what == "" {
			what = firstDifference("", a, b)
		}
		if what != "" {
			return &Mismatch{Number: i + 1, Step: a.ID, What: what}
		}
	}
	rest := func(p *Plan) Plan {
		cp := *p
		cp.Steps, cp.Drift, cp.Estimates, cp.Settings = nil, nil, nil, nil
		return cp
	}
	ra, rb := rest(saved), rest(fresh)
	if what := firstDifference("", &ra, &rb); what != "" {
		return &Mismatch{What: "plan " + what}
	}
	return nil
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// firstDifference compares the JSON of a and b field by field (objects by key, in key
// order, arrays by index) and says where they first differ and how; "" when equal.
func firstDifference(path string, a, b any) string {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return "cannot be compared"
	}
	return diffJSON(path, ja, jb)
}

func diffJSON(path string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	var oa, ob map[string]json.RawMessage
	if json.Unmarshal(a, &oa) == nil && json.Unmarshal(b, &ob) == nil && oa != nil && ob != nil {
		keys := make([]string, 0, len(oa)+len(ob))
		for k := range oa {
			keys = append(keys, k)
		}
		for k := range ob {
			if _, ok := oa[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			va, vb := oa[k], ob[k]
			if va == nil {
				va = json.RawMessage("null")
			}
			if vb == nil {
				vb = json.RawMessage("null")
			}
			if d := diffJSON(join(path, k), va, vb); d != "" {
				return d
			}
		}
		return ""
	}
	var la, lb []json.RawMessage
	if json.Unmarshal(a, &la) == nil && json.Unmarshal(b, &lb) == nil && la != nil && lb != nil {
		for i := 0; i < min(len(la), len(lb)); i++ {
			if d := diffJSON(fmt.Sprintf("%s[%d]", path, i), la[i], lb[i]); d != "" {
				return d
			}
		}
		if len(la) != len(lb) {
			return fmt.Sprintf("%s has %d entries in the file, %d when planned again", orWhole(path), len(la), len(lb))
		}
		return ""
	}
	return fmt.Sprintf("%s is %s in the file, %s when planned again", orWhole(path), shortJSON(a), shortJSON(b))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orWhole(path string) string {
	if path == "" {
		return "the value"
	}
	return path
}

// shortJSON keeps a value readable in one message line.
func shortJSON(v []byte) string {
	const keep = 160
	s := string(v)
	if len(s) <= keep {
		return s
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
