package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// DriftKind says what changed outside dialtone.
type DriftKind string

const (
	DriftServerDown         DriftKind = "server_down"
	DriftServerUp           DriftKind = "server_up"
	DriftServerAdded        DriftKind = "server_added"
	DriftServerRemoved      DriftKind = "server_removed"
	DriftDatabaseAdded      DriftKind = "database_added"
	DriftDatabaseRemoved    DriftKind = "database_removed"
	DriftDatabaseMounted    DriftKind = "database_mounted"
	DriftDatabaseDismounted DriftKind = "database_dismounted"
	DriftDatabaseFilesLost  DriftKind = "database_files_lost" // the .edb is gone or unreadable
	DriftDatabaseMoved      DriftKind = "database_moved"      // now on another server
	DriftMailboxesMoved     DriftKind = "mailboxes_moved"     // counted per pair of databases
	DriftMailboxesAdded     DriftKind = "mailboxes_added"
	DriftMailboxesRemoved   DriftKind = "mailboxes_removed"
)

// Drift is one change found by a refresh that dialtone did not make: the organization
// moved since the state was last written (an admin at the console, a second failure).
// The plan is computed from the refreshed state, so it already accounts for it; Drift
// only says what moved, for the reviewer. UI data: apply never reads it.
type Drift struct {
	Kind   DriftKind `json:"kind"`
	Object string    `json:"object"` // "server.EX01", "database.DB01"; for mailboxes the database they moved from
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	// Count is how many mailboxes (mailbox kinds), else 0.
	Count int `json:"count,omitempty"`
	// Examples names up to DriftExamples of the mailboxes, in address order.
	Examples []string `json:"examples,omitempty"`
	// Summary is the change in one line for people.
	Summary string `json:"summary"`
	// Step is the started step whose own partial effect this is (OwnDrift), else "".
	Step string `json:"step,omitempty"`
}

// DriftExamples is how many mailbox names a mailbox drift lists.
const DriftExamples = 3

// DriftOptions say how after was refreshed (see DetectDrift).
type DriftOptions struct {
	// InPlace: after was refreshed in place, so before holds only the servers and
	// databases as last written (its mailboxes are not read), and MailboxChanges are
	// what the refresh found for the mailboxes (state.MailboxRefresh). For the same
	// organizations the drift is exactly what a comparison of whole states gives.
	InPlace        bool
	MailboxChanges []state.MailboxChange
}

// DetectDrift compares the state as last written (before) with the same state after a
// refresh (after) and lists what changed outside dialtone, in a stable order: servers,
// databases, then mailboxes, each by name. A before that records no server and no
// database (a state never refreshed) has no drift: everything would be new. Sizes,
// log ranges and mail do not count: they move all the time.
func DetectDrift(before, after *state.State, opts DriftOptions) []Drift {
	if before == nil || after == nil || (len(before.Servers) == 0 && len(before.Databases) == 0) {
		return nil
	}
	var out []Drift
	for _, name := range sortedNames(before.Servers, after.Servers) {
		b, a := before.Servers[name], after.Servers[name]
		obj := "server." + name
		switch {
		case b == nil:
			out = append(out, Drift{Kind: DriftServerAdded, Object: obj, Summary: fmt.Sprintf("server %s appeared", name)})
		case a == nil:
			out = append(out, Drift{Kind: DriftServerRemoved, Object: obj, Summary: fmt.Sprintf("server %s is gone", name)})
		case b.Up && !a.Up:
			out = append(out, Drift{Kind: DriftServerDown, Object: obj, Summary: fmt.Sprintf("server %s is down (was up)", name)})
		case !b.Up && a.Up:
			out = append(out, Drift{Kind: DriftServerUp, Object: obj, Summary: fmt.Sprintf("server %s is up again", name)})
		}
	}
	for _, name := range sortedNames(before.Databases, after.Databases) {
		b, a := before.Databases[name], after.Databases[name]
		obj := "database." + name
		switch {
		case b == nil:
			what := "database"
			if a.Recovery {
				what = "recovery database"
			}
			out = append(out, Drift{Kind: DriftDatabaseAdded, Object: obj, To: a.Server,
				Summary: fmt.Sprintf("new %s %s on %s (%s)", what, name, a.Server, mountedWord(a.Mounted))})
			continue
		case a == nil:
			out = append(out, Drift{Kind: DriftDatabaseRemoved, Object: obj, From: b.Server, Summary: fmt.Sprintf("database %s was removed", name)})
			continue
		}
		if b.Server != a.Server {
			out = append(out, Drift{Kind: DriftDatabaseMoved, Object: obj, From: b.Server, To: a.Server,
				Summary: fmt.Sprintf("database %s is now on %s (was on %s)", name, a.Server, b.Server)})
		}
		if b.FilesOK && !a.FilesOK {
			out = append(out, Drift{Kind: DriftDatabaseFilesLost, Object: obj, Summary: fmt.Sprintf("database %s: its files are lost or unreadable", name)})
		}
		switch {
		case b.Mounted && !a.Mounted:
			out = append(out, Drift{Kind: DriftDatabaseDismounted, Object: obj, Summary: fmt.Sprintf("database %s was dismounted", name)})
		case !b.Mounted && a.Mounted:
			out = append(out, Drift{Kind: DriftDatabaseMounted, Object: obj, Summary: fmt.Sprintf("database %s was mounted", name)})
		}
	}
	changes := opts.MailboxChanges
	if !opts.InPlace {
		changes = mailboxChanges(before.Mailboxes, after.Mailboxes)
	}
	return append(out, mailboxDrift(changes)...)
}

// mailboxChanges compares two maps of mailboxes: moved, appeared and gone.
func mailboxChanges(before, after map[string]*state.Mailbox) []state.MailboxChange {
	var out []state.MailboxChange
	for addr, a := range after {
		b := before[addr]
		switch {
		case b == nil:
			out = append(out, state.MailboxChange{Address: addr, To: a.Database, New: true})
		case b.Database != a.Database:
			out = append(out, state.MailboxChange{Address: addr, From: b.Database, To: a.Database})
		}
	}
	for addr, b := range before {
		if after[addr] == nil {
			out = append(out, state.MailboxChange{Address: addr, From: b.Database, Gone: true})
		}
	}
	return out
}

// mailboxDrift counts mailboxes moved per pair of databases, added and removed.
func mailboxDrift(changes []state.MailboxChange) []Drift {
	type pair struct{ from, to string }
	moved := map[pair][]string{}
	added := map[string][]string{}   // database -> addresses
	removed := map[string][]string{} // database -> addresses
	for _, c := range changes {
		switch {
		case c.New:
			added[c.To] = append(added[c.To], c.Address)
		case c.Gone:
			removed[c.From] = append(removed[c.From], c.Address)
		default:
			moved[pair{c.From, c.To}] = append(moved[pair{c.From, c.To}], c.Address)
		}
	}
	var out []Drift
	pairs := make([]pair, 0, len(moved))
	for p := range moved {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].from != pairs[j].from {
			return pairs[i].from < pairs[j].from
		}
		return pairs[i].to < pairs[j].to
	})
	for _, p := range pairs {
		addrs := moved[p]
		ex := examples(addrs)
		out = append(out, Drift{Kind: DriftMailboxesMoved, Object: "database." + p.from, From: p.from, To: p.to, Count: len(addrs), Examples: ex,
			Summary: fmt.Sprintf("%s moved from %s to %s (%s)", mailboxCount(len(addrs)), p.from, p.to, exampleList(ex, len(addrs)))})
	}
	for _, db := range sortedKeysOf(added) {
		ex := examples(added[db])
		out = append(out, Drift{Kind: DriftMailboxesAdded, Object: "database." + db, To: db, Count: len(added[db]), Examples: ex,
			Summary: fmt.Sprintf("%s appeared on %s (%s)", mailboxCount(len(added[db])), db, exampleList(ex, len(added[db])))})
	}
	for _, db := range sortedKeysOf(removed) {
		ex := examples(removed[db])
		out = append(out, Drift{Kind: DriftMailboxesRemoved, Object: "database." + db, From: db, Count: len(removed[db]), Examples: ex,
			Summary: fmt.Sprintf("%s of %s are gone (%s)", mailboxCount(len(removed[db])), db, exampleList(ex, len(removed[db])))})
	}
	return out
}

func examples(addrs []string) []string {
	sort.Strings(addrs)
	return append([]string(nil), addrs[:min(len(addrs), DriftExamples)]...)
}

func exampleList(ex []string, n int) string {
	s := strings.Join(ex, ", ")
	if n > len(ex) {
		s += fmt.Sprintf(" and %d more", n-len(ex))
	}
	return s
}

func mailboxCount(n int) string {
	if n == 1 {
		return "1 mailbox"
	}
	return fmt.Sprintf("%d mailboxes", n)
}

func mountedWord(m bool) string {
	if m {
		return "mounted"
	}
	return "dismounted"
}

func sortedNames[A, B any](a map[string]A, b map[string]B) []string {
	seen := map[string]bool{}
	var out []string
	for k := range a {
		seen[k] = true
		out = append(out, k)
	}
	for k := range b {
		if !seen[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
