package planner

import (
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// Steps shared by the options: database portability (exchange-recovery.md 2.2), the
// re-homes, queues and profiles of another server, and the clean-up of 2.3 and 2.4.

// chain links each step to the step before it in the option's full list (merges
// excepted: they hang off their mount, and the step after them waits for all of them),
// then keeps the stages the plan moves the recovery through. Building the full list
// keeps IDs and edges the same whatever an earlier run did.
func (rc *recCtx) chain(all [stageCount][]*Step) [stageCount][]*Step {
	if s := rc.addCopiesBack(); s != nil {
		if n := len(all[stComplete]); n > 0 {
			s.Number = all[stComplete][n-1].Number // the clean-up's step of the procedure table
		}
		all[stComplete] = append(all[stComplete], s) // last: users are on their final database
	}
	prev := ""
	var out [stageCount][]*Step
	for i := range all {
		for _, s := range all[i] {
			if s.DependsOn == nil && prev != "" {
				s.DependsOn = []string{prev}
			}
			if !s.Parallel {
				prev = s.ID
			}
		}
		if rc.stageWanted(i) {
			out[i] = all[i]
		}
	}
	return out
}

// emptyStages notes the stages the plan moves the recovery through that have no step.
func (rc *recCtx) emptyStages(all [stageCount][]*Step, why string) {
	for i := range all {
		if len(all[i]) == 0 && rc.stageWanted(i) {
			rc.notes = append(rc.notes, "stage "+config.Stages[i]+" has no steps: "+why)
		}
	}
}

// rehomeUsers points the user mailboxes of from at to (2.2 step 6, -ResultSize Unlimited).
func (rc *recCtx) rehomeUsers(key string, stage, number int, from, to dbSpec) *Step {
	n := rc.countKind(false)
	return rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpRehomeMailboxes, Database: from.Name, Target: to.Name},
		"Point the "+plural(n, "user mailbox", "user mailboxes")+" of "+from.Name+" at "+to.Name+" on "+to.Server+" (AD only; clients follow after AD replication)",
		ems.RehomeUsers(from.Name, to.Name).String(),
	)
}

// rehomeSystem re-homes the system mailboxes and the archives of from explicitly:
// Get-Mailbox returns neither without its switch.
func (rc *recCtx) rehomeSystem(key string, stage, number int, from, to dbSpec) *Step {
	lines := ems.Strings(ems.RehomeAllSystem(from.Name, to.Name, rc.version))
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: from.Name, Target: to.Name},
		"Point the system mailboxes ("+plural(rc.countKind(true), "mailbox", "mailboxes")+") and the archives of "+from.Name+" at "+to.Name,
		lines...,
	)
	return s
}

// countKind counts the recovery's user mailboxes (system false) or system mailboxes.
func (rc *recCtx) countKind(system bool) int {
	n := 0
	for _, mb := range rc.mailboxes {
		if (mb.Kind != "") == system {
			n++
		}
	}
	return n
}

// resubmit sends mail queued for db back through categorisation (Retry-Queue -Resubmit).
func (rc *recCtx) resubmit(key string, stage, number int, db, to dbSpec) *Step {
	var cmds []string
	for _, srv := range rc.transport {
		cmds = append(cmds, ems.ResubmitQueues(srv, db.Name).String())
	}
	servers := "no server is up"
	if len(rc.transport) > 0 {
		servers = "on " + strings.Join(rc.transport, ", ")
	}
	return rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpResubmitQueues, Database: db.Name, Target: to.Name, Servers: rc.transport},
		"Resubmit the mail queued for "+db.Name+" so that it reaches "+to.Name+" ("+servers+"; a server that cannot be reached is skipped and reported)",
		cmds...,
	)
}

// repoint is the manual repointing of profiles of clients without Autodiscover at
// server, or nil when no mailbox of the recovery has such a client.
func (rc *recCtx) repoint(key string, stage, number int, server string) *Step {
	var addrs []string
	for _, mb := range rc.mailboxes {
		if mb.NoAutodiscover {
			addrs = append(addrs, mb.Address)
		}
	}
	if len(addrs) == 0 {
		return nil
	}
	sort.Strings(addrs)
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpRepointProfiles, Server: server, Mailboxes: addrs},
		"Repoint the mail profiles of "+plural(len(addrs), "mailbox", "mailboxes")+" whose clients do not use Autodiscover at "+server,
		psComment("Clients without Autodiscover: "+strings.Join(addrs, ", ")),
	)
	s.Mailboxes = len(addrs)
	s.Manual = true
	s.Operation.Instructions = "On the clients of " + strings.Join(addrs, ", ") +
		" (they do not use Autodiscover), point the mail profile at " + server + " (or create a new profile), then send a test message."
	return s
}

// setProvisioning is Set-MailboxDatabase -IsExcludedFromProvisioning.
func (rc *recCtx) setProvisioning(key string, stage, number int, db dbSpec, excluded bool, summary string) *Step {
	return rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpSetExcludedFromProvisioning, Database: db.Name, Value: excluded},
		summary,
		ems.SetExcludedFromProvisioning(db.Name, excluded, rc.version).String(),
	)
}

// removeDatabase is Remove-MailboxDatabase (AD object only), once nothing points at it.
func (rc *recCtx) removeDatabase(key string, stage, number int, db dbSpec, summary string) *Step {
	return rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpRemoveDatabase, Database: db.Name},
		summary,
		ems.RemoveDatabase(db.Name).String(),
	)
}

// replay is eseutil /r on db's files with the prefix of the log stream they hold, with
// /a when the logs have a gap at generation gap (0: none) and the admin accepted the loss.
func (rc *recCtx) replay(key string, stage, number int, db dbSpec, prefix, what string, gap uint64, caps providers.Capabilities) *Step {
	dir := winDir(db.Edb)
	accept := gap > 0 && rc.acceptLoss
	line := ems.Replay(prefix, db.Logs, dir, accept).String()
	summary := "Replay the logs into " + what + " until it is clean (eseutil /r)"
	if accept {
		summary = "Replay the logs into " + what + " up to the gap at generation " + strconv.FormatUint(gap, 10) + " and finish without the rest (eseutil /r /a: DATA LOSS accepted)"
	}
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskReadOnly,
		providers.Operation{Kind: providers.OpReplayLogs, Database: db.Name, Server: db.Server,
			EdbFilePath: db.Edb, LogFolderPath: db.Logs, LogPrefix: prefix, AcceptDataLoss: accept},
		summary, line)
	if accept {
		s.Risk = RiskDataLoss
	}
	manual(s, caps.ReplayLogs, "On "+db.Server+", run "+strings.ReplaceAll(line, "'", "")+" until eseutil /mh shows Clean Shutdown.")
	return s
}

// phaseOf is the phase of the steps of a stage.
func phaseOf(stage int) Phase {
	switch stage {
	case stDialTone:
		return PhaseRestoreService
	case stRestored:
		return PhaseRestoreData
	case stSwapped:
		return PhaseSwap
	case stMerged:
		return PhaseMerge
	}
	return PhaseCleanUp
}

// mergeSteps mounts the recovery database and merges each mailbox from it (one
// restore request per mailbox), or resumes the request that failed on bad items.
// what says whose mail the recovery database holds.
func (rc *recCtx) mergeSteps(mountNum, mergeNum int, holds, what, into string) []*Step {
	rdb := rc.rdb
	mount := rc.newStep("mount_recovery_database_for_merge", stMerged, mountNum, PhaseMerge, RiskReadOnly,
		providers.Operation{Kind: providers.OpMountDatabase, Database: rdb.Name, Server: rdb.Server},
		"Mount "+rdb.Name+" ("+holds+") and list its mailboxes",
		cmdMount(rdb.Name), cmdStatistics(rdb.Name),
	)
	steps := make([]*Step, 0, len(rc.mailboxes)+1)
	steps = append(steps, mount)
	for _, mb := range rc.mailboxes {
		if rr := rc.failedReqs[strings.ToLower(mb.Address)]; rr != nil {
			steps = append(steps, rc.resumeStep(mount, mergeNum, "resume_merge", rc.requestName, mb.Address, rr))
			continue
		}
		s := &Step{
			ID:       rc.mergeID(mb.Address),
			Recovery: rc.name,
			Stage:    mount.Stage,
			Phase:    PhaseMerge,
			Number:   mergeNum,
			Summary:  "Merge " + what + " of " + mb.Address + " " + into,
			Operation: providers.Operation{Kind: providers.OpMergeMailbox, Source: rdb.Name, Mailbox: mb.Address,
				ExchangeGuid: mb.ExchangeGuid, RequestName: rc.requestName,
				ConflictResolution: rc.conflict, BadItemLimit: rc.badItems},
			DependsOn: []string{mount.ID},
			Risk:      RiskReversible,
			Mailboxes: 1,
			Async:     true,
			Parallel:  true,
			Preconditions: []Precondition{{
				Description: "source mailbox present in " + rdb.Name + " (Get-MailboxStatistics); skipped if absent",
				Result:      ResultAtApply,
			}},
			Commands: []string{ems.NewRestoreRequest(ems.RestoreRequest{Name: rc.requestName, SourceDatabase: rdb.Name,
				SourceStoreMailbox: mb.ExchangeGuid, TargetMailbox: mb.Address, Conflict: rc.conflict, BadItemLimit: rc.badItems}).String()},
		}
		steps = append(steps, s)
	}
	return append(steps, rc.archiveMerges(mount, mergeNum, what)...)
}

// resumeStep resumes a restore request that failed on bad items with the limit the
// configuration now sets (4.5): never a second request.
// key and name tell the mailbox's request (resume_merge) from its archive's
// (resume_merge_archive, named archiveRequestName).
func (rc *recCtx) resumeStep(mount *Step, number int, key, name, address string, rr *state.RestoreRequest) *Step {
	identity := address + `\` + name
	s := &Step{
		ID:       rc.id(key + "[" + strconv.Quote(address) + "]"),
		Recovery: rc.name,
		Stage:    mount.Stage,
		Phase:    PhaseMerge,
		Number:   number,
		Summary: "Resume the failed restore request " + identity + " (" + plural(rr.BadItems, "bad item", "bad items") +
			") with -BadItemLimit " + strconv.Itoa(rc.badItems),
		Operation: providers.Operation{Kind: providers.OpResumeRestoreRequest, Mailbox: address, Source: rc.rdb.Name,
			RequestName: name, BadItemLimit: rc.badItems},
		DependsOn: []string{mount.ID},
		Risk:      RiskDataLoss, // the bad items are skipped
		Mailboxes: 1,
		Async:     true,
		Parallel:  true,
		Commands:  lines(ems.SetRestoreRequestLimit(address, name, rc.badItems), ems.ResumeRestoreRequest(address, name)),
	}
	desc := "merge.bad_item_limit (" + strconv.Itoa(rc.badItems) + ") covers the " + plural(rr.BadItems, "bad item", "bad items") +
		" of the failed request " + identity + " (limit at failure: " + strconv.Itoa(rr.BadItemLimit) + ")"
	if rc.badItems >= rr.BadItems {
		s.Preconditions = []Precondition{{Description: desc, Result: ResultOK}}
	} else {
		fix := "Raise merge.bad_item_limit to at least " + strconv.Itoa(rr.BadItems) + " in recovery." + rc.name
		if rr.BadItems > 50 {
			fix += " (above 50 dialtone adds -AcceptLargeDataLoss: those items are lost)"
		}
		s.Preconditions = []Precondition{{Description: desc, Result: ResultFailed, Fix: fix + ", or repair the source mailbox (New-MailboxRepairRequest) and run \"dialtone refresh\"."}}
	}
	return s
}
