// Package state is dialtone's record of the organization and of every recovery's
// progress: the State model, its versioned JSON encoding, the Change records that apply
// appends after each step, and the Backend interface with its local-file implementation.
//
// The model (state.go) holds servers, databases and mailboxes as last observed through a
// provider, and recoveries (stage reached, steps done) and restore requests as recorded by
// apply. A State changes only through Refresh (a provider's fresh observation) and
// ApplyChange (one recorded effect of a step), so that what apply journals is exactly
// what it did.
//
// The encoding (encode.go) is deterministic, indented JSON that starts with
// format_version; Decode reads that version first and refuses documents it does not
// understand, with a position for syntax errors. It never panics, whatever the input.
// Format version 2 writes the mailboxes as one array row per mailbox
// (mailboxes_rows.go); version 1 documents (mailboxes as objects) are still read and
// are written back as version 2.
//
// Local (local.go, lock.go, journal.go) keeps the state in one file beside its
// companions: FILE.backup (the previous version), FILE.lock (who holds the lock, with
// an flock held for its life) and FILE.journal (one checksummed line per finished step,
// replayed by Read after a crash and folded into FILE by Write). Every write is
// temp file + fsync + rename: the state file is never half-written.
//
// This package is not the planner (it does not decide what to do), not a provider (it
// never talks to Exchange) and does not render anything for people beyond error
// messages. It imports nothing else of dialtone's.
package state
