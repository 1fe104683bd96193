package planner

import (
	"fmt"
	"testing"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// TestRehomeRecordsWhatItMoved: "Point the 50 user mailboxes" records 50 changed, not
// 51 with the arbitration mailbox (which its own step moves, with the archives), issue
// 12 §7.
func TestRehomeRecordsWhatItMoved(t *testing.T) {
	st := state.New("l")
	for i := 1; i <= 50; i++ {
		a := fmt.Sprintf("u%02d@contoso.com", i)
		st.Mailboxes[a] = &state.Mailbox{Address: a, Database: "DB01"}
	}
	st.Mailboxes["SystemMailbox{1}@contoso.com"] = &state.Mailbox{Address: "SystemMailbox{1}@contoso.com", Database: "DB01", Kind: "arbitration"}
	st.Mailboxes["u99@contoso.com"] = &state.Mailbox{Address: "u99@contoso.com", Database: "DB02", ArchiveDatabase: "DB01"}
	count := func(db string, archive bool) int {
		n := 0
		for _, m := range st.Mailboxes {
			if (!archive && m.Database == db) || (archive && m.ArchiveDatabase == db) {
				n++
			}
		}
		return n
	}
	users := &Step{ID: "recovery.r.rehome_to_dial_tone", Recovery: "r", Mailboxes: 50,
		Operation: providers.Operation{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"}}
	now := time.Now()
	for _, c := range effects(users, providers.Result{Count: 50}, st, now, now) {
		st.ApplyChange(c)
	}
	if got := count("DTDB01", false); got != users.Mailboxes {
		t.Fatalf("the user re-home recorded %d mailboxes moved; the step points %d", got, users.Mailboxes)
	}
	system := &Step{ID: "recovery.r.rehome_system_mailboxes_to_dial_tone", Recovery: "r",
		Operation: providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: "DB01", Target: "DTDB01"}}
	for _, c := range effects(system, providers.Result{Count: 2}, st, now, now) {
		st.ApplyChange(c)
	}
	if count("DTDB01", false) != 51 || count("DB01", false) != 0 || count("DTDB01", true) != 1 {
		t.Fatalf("after the system step: %d on DTDB01, %d left on DB01, %d archives on DTDB01", count("DTDB01", false), count("DB01", false), count("DTDB01", true))
	}
}
