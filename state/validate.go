package state

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// validate checks what JSON decoding cannot: a lineage, no null entries, and every
// entry's name equal to its key (an empty name is filled from the key, which keeps hand
// written fixtures short). It also creates nil maps.
func (s *State) validate() error {
	if s.Lineage == "" {
		return errors.New(`lineage is missing: every state has one, set when it was created`)
	}
	s.initMaps()
	if err := checkNames("servers", s.Servers, func(v *Server) *string { return &v.Name }); err != nil {
		return err
	}
	if err := checkNames("databases", s.Databases, func(v *Database) *string { return &v.Name }); err != nil {
		return err
	}
	if err := checkNames("mailboxes", s.Mailboxes, func(v *Mailbox) *string { return &v.Address }); err != nil {
		return err
	}
	if err := checkNames("restore_requests", s.RestoreRequests, func(v *RestoreRequest) *string { return &v.Name }); err != nil {
		return err
	}
	if err := checkNames("recoveries", s.Recoveries, func(v *Recovery) *string { return &v.Name }); err != nil {
		return err
	}
	if err := s.checkWritten(); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(s.Recoveries)) {
		r := s.Recoveries[name]
		if r.Steps == nil {
			r.Steps = map[string]*StepRecord{}
		}
		what := fmt.Sprintf("recoveries[%q].steps", name)
		if err := checkNames(what, r.Steps, func(v *StepRecord) *string { return &v.ID }); err != nil {
			return err
		}
	}
	return nil
}

// checkNames checks that m has no nil entry and that each entry's name (as returned by
// name) is its key, filling in empty names. Of several problems it reports the one with
// the smallest key, so that the message does not depend on map order.
func checkNames[V any](what string, m map[string]*V, name func(*V) *string) error {
	var bad string
	var err error
	for k, v := range m {
		if err != nil && k > bad {
			continue
		}
		if v == nil {
			bad, err = k, fmt.Errorf("%s[%q] is null", what, k)
			continue
		}
		n := name(v)
		switch *n {
		case k:
		case "":
			*n = k
		default:
			bad, err = k, fmt.Errorf("%s[%q] names itself %q: the key and the name must be the same", what, k, *n)
		}
	}
	return err
}
