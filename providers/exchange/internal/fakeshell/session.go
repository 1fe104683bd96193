package main

// Several sessions against one organization: the provider runs a pool of PowerShell
// sessions, so several processes of the double serve one lab at once, as several
// remote sessions serve one Exchange organization. What Exchange keeps and the lab does
// not (restore requests, FAKESHELL_STATE) is read again by every request that uses it
// and written back atomically, under a lock held for the rest of that request
// (lockState: a cmdlet that reads or changes the state must take it first), so that
// each session sees the others' changes. The lab locks itself per call.
//
// With FAKESHELL_LATENCY=exchange each request lasts what the lab's latency model
// (providers/lab ExchangeLatency, FAKESHELL_TIME_SCALE, FAKESHELL_LATENCY_OVERRIDES)
// gives the lab operations its cmdlets carried out (what the double took counts toward
// it), waited after every lock is let go: other sessions go on meanwhile, as Exchange's
// cmdlets run side by side. A restore request
// is Completed only once its modelled merge time has passed (the Mailbox Replication
// service works on its own, the provider polls). FAKESHELL_TRACE receives one JSON line
// per request: the process, its start and end (Unix nanoseconds, the wait included),
// own (nanoseconds of the double's own work: the request before the modelled wait and
// the objects' cost) and the body, so a test can see requests of different sessions
// overlap, and a benchmark what the double itself costs. FAKESHELL_CPUPROFILE, a folder,
// receives each process's CPU profile (cpu-PID.pprof) when it exits.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// sessionEnv reads the settings of latency and tracing.
func (sh *shell) sessionEnv() error {
	if name := os.Getenv("FAKESHELL_LATENCY"); name != "" {
		overrides := map[string]string{}
		if o := os.Getenv("FAKESHELL_LATENCY_OVERRIDES"); o != "" {
			for _, kv := range strings.Split(o, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("FAKESHELL_LATENCY_OVERRIDES: %q is not key=duration", kv)
				}
				overrides[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		var scale float64
		if s := os.Getenv("FAKESHELL_TIME_SCALE"); s != "" {
			var err error
			if scale, err = strconv.ParseFloat(s, 64); err != nil {
				return fmt.Errorf("FAKESHELL_TIME_SCALE: %v", err)
			}
		}
		m, err := lab.ParseLatency(name, overrides, scale)
		if err != nil {
			return fmt.Errorf("FAKESHELL_LATENCY: %v", err)
		}
		sh.latency = m
	}
	if p := os.Getenv("FAKESHELL_TRACE"); p != "" {
		var err error
		if sh.trace, err = os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// runBody runs one request: under the state's lock, with the state read afresh; then
// the objects' cost and the modelled time, outside it.
func (sh *shell) runBody(body string) ([]any, error) {
	start := time.Now()
	out, err := sh.runLocked(body)
	own := time.Since(start) // the double's own time: locks, the lab's reads and writes
	if err == nil {
		sh.charge(len(out))
	}
	// The request lasts its modelled time: what the double itself took counts toward it,
	// as the lab's own wait counts the operation's real time.
	if left := sh.debt - time.Since(start); left > 0 {
		time.Sleep(left)
	}
	sh.debt = 0
	if sh.trace != nil {
		line, _ := json.Marshal(map[string]any{"pid": os.Getpid(), "start": start.UnixNano(), "end": time.Now().UnixNano(), "own": own.Nanoseconds(), "body": body})
		sh.trace.Write(append(line, '\n'))
	}
	return out, err
}

func (sh *shell) runLocked(body string) ([]any, error) {
	defer sh.unlockState()
	sh.forget() // the lab may have changed since the last request
	defer sh.forget()
	sc, err := parse(body)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeshell: parse error:", err)
		return nil, fmt.Errorf("fakeshell: parse error: %v", err)
	}
	return sh.runScript(sc, &execCtx{})
}

// lockState takes the state's lock for the rest of the request and reads the state
// afresh: another session may have changed it since this one last looked. Only the
// cmdlets that use the state take it, so that the others run side by side.
func (sh *shell) lockState() error {
	if sh.statePath == "" || sh.unlock != nil {
		return nil
	}
	unlock, err := state.LockPath(sh.statePath + ".lock")
	if err != nil {
		return fmt.Errorf("fakeshell: locking the state: %v", err)
	}
	st, err := loadState(sh.statePath)
	if err != nil {
		unlock()
		return fmt.Errorf("fakeshell: reading the state: %v", err)
	}
	sh.state, sh.unlock = st, unlock
	return nil
}

func (sh *shell) unlockState() {
	if sh.unlock != nil {
		sh.unlock()
		sh.unlock = nil
	}
}

// topologyCmdlets need only servers and databases (lab.ReadTopology): the others read
// the whole lab, mailboxes included, once per request.
var topologyCmdlets = map[string]bool{
	"get-exchangeserver": true, "get-mailboxdatabase": true, "new-mailboxdatabase": true, "set-mailboxdatabase": true,
	"remove-mailboxdatabase": true, "mount-database": true, "dismount-database": true, "get-mailboxstatistics": true,
	"get-queue": true, "retry-queue": true, "get-mailbox": true, "set-mailbox": true, // mailboxList reads the mailboxes
}

// topology is the lab's servers and databases for the current request: the whole
// read when one was made, else lab.ReadTopology (once per request, as observe), with
// the sizes of no database (Get-MailboxDatabase -Status alone shows them: topologySized).
func (sh *shell) topology() (*state.Observed, error) { return sh.topologySized("") }

// topologySized is topology with the sizes of the databases named by db: every one
// for "*", that one for a name, none for "". A read of the request with fewer sizes
// is made again.
func (sh *shell) topologySized(db string) (*state.Observed, error) {
	if sh.cache != nil {
		return sh.cache, nil
	}
	if sh.topo != nil && (db == "" || sh.topoSized == "*" || strings.EqualFold(sh.topoSized, db)) {
		return sh.topo, nil
	}
	var sized func(string) bool
	switch db {
	case "":
	case "*":
		sized = lab.AllSizes
	default:
		sized = func(name string) bool { return strings.EqualFold(name, db) }
	}
	obs, err := sh.lab.ReadTopology(sh.ctx, sized)
	if err != nil {
		return nil, err
	}
	sh.topo, sh.topoSized = obs, db
	return sh.topo, nil
}

// mailboxList is the mailboxes of db (every one without hasDB), sorted by address,
// from the lab's directory alone: through its index by home database, or all of it.
func (sh *shell) mailboxList(db string, hasDB bool) ([]*state.Mailbox, error) {
	if hasDB {
		list, err := sh.lab.MailboxesOn(sh.ctx, db)
		if !errors.Is(err, lab.ErrNotIndexed) {
			return list, err
		}
	}
	if sh.all == nil { // once per request: a full refresh lists every kind in one body
		all, err := sh.lab.AllMailboxes(sh.ctx)
		if err != nil {
			return nil, err
		}
		sh.all = all
	}
	if !hasDB {
		return sh.all, nil
	}
	var out []*state.Mailbox
	for _, m := range sh.all {
		if strings.EqualFold(m.Database, db) {
			out = append(out, m)
		}
	}
	return out, nil
}

// forget drops what was read of the lab: a cmdlet may have changed it.
func (sh *shell) forget() { sh.cache, sh.topo, sh.topoSized, sh.all = nil, nil, "", nil }

// modelled adds what op, which the lab carried out, lasts on Exchange to the request's
// wait. A merge's time is the restore request's (mergeWait), not the cmdlet's.
func (sh *shell) modelled(op providers.Operation, res providers.Result) {
	if sh.latency == nil || op.Kind == providers.OpMergeMailbox {
		return
	}
	sh.debt += sh.lab.ModelledWait(sh.latency, op, res)
}

// mergeWait is how long the Mailbox Replication service takes to carry out a merge
// the lab did at once (0 without a model).
func (sh *shell) mergeWait(op providers.Operation, res providers.Result) time.Duration {
	if sh.latency == nil {
		return 0
	}
	return sh.lab.ModelledWait(sh.latency, op, res)
}
