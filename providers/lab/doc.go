// Package lab is the embedded lab provider: a simulated Exchange organization on local
// disk, built to behave like Exchange where dial tone recovery is concerned. Drills and
// every end-to-end test run against it.
//
// A lab folder holds an org file (servers and database AD objects, org.json), a bbolt
// file (lab.db) with the directory of mailboxes, the ledger of accepted messages, the
// transport queue and restore requests, backup sets under backups/, and one file tree per
// server under servers/ where the Windows paths of the configuration live
// (D:\Databases\DB01\DB01.edb on EX01 is servers/EX01/D/Databases/DB01/DB01.edb).
//
// A database's .edb is a bbolt file with a header (identity, log stream, clean or dirty,
// checkpoint) and the items of its mailboxes; every write goes to a numbered,
// checksummed transaction log first. The lab refuses what Exchange refuses (mounting a
// foreign file without AllowFileRestore, replaying across a gap in the logs, mounting a
// corrupt file), so a planner's mistakes show up in drills instead of in production.
//
// Servers carry a schema version, a disk capacity (every file under servers/NAME counts;
// a write that does not fit is refused, and a mounted database whose log write does not
// fit stops cleanly and its mail queues) and MaximumActiveDatabases. The directory holds
// user mailboxes, one arbitration system mailbox per server and archives; a server that
// is down keeps its files, but nothing can reach them until RepairServer.
//
// Injected failures that destroy files first record, in lab.db, the accepted messages
// that no surviving file could give back (and the log generations destroyed, so that
// replay notices the missing tail): Verify reports those as Lost, apart from the
// Missing ones a correct recovery should have saved (loss.go).
//
// The lab is not the planner and not the Exchange provider; it imports only the state
// and providers contract packages.
package lab
