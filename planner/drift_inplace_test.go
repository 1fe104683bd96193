package planner

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/dialtone/dialtone/state"
)

// A refresh in place (state.MailboxRefresh) gives exactly DetectDrift's answer for the
// same states, and leaves the same mailboxes as Refresh: random organizations where
// mailboxes move, appear, go, change kind or archive, with servers and databases
// changing too, and the same address observed twice.
func TestDetectDriftInPlaceSameAsWholeStates(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	dbs := []string{"DB01", "DB02", "DB03", "DB04", ""}
	for round := 0; round < 300; round++ {
		mk := func() *state.State {
			st := &state.State{Servers: map[string]*state.Server{}, Databases: map[string]*state.Database{}, Mailboxes: map[string]*state.Mailbox{}}
			for i := 0; i < 3; i++ {
				if rng.Intn(4) > 0 {
					name := fmt.Sprintf("EX%02d", i)
					st.Servers[name] = &state.Server{Name: name, Up: rng.Intn(3) > 0}
				}
			}
			for _, d := range dbs[:4] {
				if rng.Intn(5) > 0 {
					st.Databases[d] = &state.Database{Name: d, Server: "EX01", Mounted: rng.Intn(2) == 0, FilesOK: rng.Intn(3) > 0}
				}
			}
			return st
		}
		before, after := mk(), mk()
		n := rng.Intn(60)
		var observed []state.Mailbox
		for i := 0; i < n; i++ {
			addr := fmt.Sprintf("u%03d@contoso.com", i)
			m := state.Mailbox{Address: addr, ExchangeGuid: fmt.Sprint("g", i), Database: dbs[rng.Intn(len(dbs))]}
			if rng.Intn(3) > 0 {
				cp := m
				before.Mailboxes[addr] = &cp
			}
			if rng.Intn(4) > 0 {
				o := m
				if rng.Intn(4) == 0 {
					o.Database = dbs[rng.Intn(len(dbs))]
				}
				if rng.Intn(5) == 0 {
					o.Kind, o.ArchiveDatabase, o.NoAutodiscover = "arbitration", dbs[rng.Intn(len(dbs))], true
				}
				observed = append(observed, o)
				if rng.Intn(10) == 0 { // seen twice: the last wins
					o2 := o
					o2.Database = dbs[rng.Intn(len(dbs))]
					observed = append(observed, o2)
				}
			}
		}
		obs := &state.Observed{Servers: after.Servers, Databases: after.Databases, Mailboxes: map[string]*state.Mailbox{}}
		for i := range observed {
			cp := observed[i]
			obs.Mailboxes[cp.Address] = &cp
		}

		// The reference: Refresh replaces the maps, DetectDrift compares.
		ref := cloneMailboxes(before)
		ref.Refresh(obs)
		want := DetectDrift(before, ref, DriftOptions{})

		// In place.
		inPlace := cloneMailboxes(before)
		old := &state.State{Servers: inPlace.Servers, Databases: inPlace.Databases}
		r := inPlace.BeginMailboxRefresh()
		for i := range observed {
			m := observed[i]
			r.Observe(&m)
		}
		inPlace.RefreshObjects(&state.Observed{Servers: after.Servers, Databases: after.Databases})
		got := DetectDrift(old, inPlace, DriftOptions{InPlace: true, MailboxChanges: r.Finish(true)})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: drift differs:\n got %+v\nwant %+v", round, got, want)
		}
		if !reflect.DeepEqual(inPlace.Mailboxes, ref.Mailboxes) {
			t.Fatalf("round %d: mailboxes differ after the refresh in place", round)
		}
	}
}

// cloneMailboxes copies st with its own mailbox structs.
func cloneMailboxes(st *state.State) *state.State {
	out := &state.State{Servers: st.Servers, Databases: st.Databases, Mailboxes: map[string]*state.Mailbox{}}
	for k, m := range st.Mailboxes {
		cp := *m
		out.Mailboxes[k] = &cp
	}
	return out
}
