//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

// Restore requests: New-, Get-, Set-, Resume-, Remove-MailboxRestoreRequest and their statistics.

import (
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

func (sh *shell) requestObject(r *fakeRequest) *object {
	return newObject("MailboxRestoreRequest", "Name", r.Name, "Status", r.Status, "TargetMailbox", r.Target, "SourceDatabase", r.Source, "key", r)
}

func (sh *shell) findRequest(target, name string) *fakeRequest {
	for _, r := range sh.state.Requests {
		if strings.EqualFold(r.Target, target) && r.Name == name {
			return r
		}
	}
	return nil
}

// run carries a request out through the lab's merge (which resumes a request it knows).
func (sh *shell) runRequest(r *fakeRequest) {
	op := providers.Operation{Kind: providers.OpMergeMailbox, Source: r.Source, Mailbox: r.Target, ExchangeGuid: r.Guid,
		RequestName: r.Name, ConflictResolution: r.Conflict, BadItemLimit: r.BadItemLimit, TargetIsArchive: r.Archive}
	res, err := sh.labApply(op)
	r.Polls, r.ReadyAt = 0, 0
	if err == nil {
		if d := sh.mergeWait(op, res); d > 0 {
			r.ReadyAt = time.Now().Add(d).UnixNano()
		}
	}
	switch {
	case err != nil:
		r.Status, r.Error = "Failed", err.Error()
		fmt.Sscanf(err.Error()[strings.Index(err.Error(), "Failed: ")+len("Failed: "):], "%d", &r.BadItems)
	case res.Skipped:
		r.Status, r.Error = "Failed", "source mailbox not found: "+res.Detail
	case strings.Contains(res.Detail, "CompletedWithWarning"):
		// Finished, the bad items within the limit skipped (the lab's detail says how many).
		r.Status, r.Error = "CompletedWithWarning", ""
		if i := strings.Index(res.Detail, "items copied, "); i >= 0 {
			fmt.Sscanf(res.Detail[i+len("items copied, "):], "%d", &r.BadItems)
		}
	default:
		r.Status, r.Error = "Completed", ""
	}
}

func (sh *shell) newRequest(a *args, obs *state.Observed) ([]any, error) {
	var vals [5]string
	for i, p := range []string{"Name", "SourceDatabase", "SourceStoreMailbox", "TargetMailbox", "ConflictResolutionOption"} {
		v, err := a.str(p)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	name, src, guid, target, conflict := vals[0], vals[1], vals[2], vals[3], vals[4]
	limit, _, err := a.num("BadItemLimit")
	if err != nil {
		return nil, err
	}
	if limit > 50 && !a.has("AcceptLargeDataLoss") {
		return nil, fmt.Errorf("When BadItemLimit is above 50, AcceptLargeDataLoss must be specified.")
	}
	switch conflict {
	case "ForceCopy", "KeepAll", "KeepLatestItem", "KeepSourceItem", "KeepTargetItem", "UpdateFromSource":
	default:
		return nil, fmt.Errorf("Cannot bind parameter 'ConflictResolutionOption': %q is not a valid value", conflict)
	}
	if obs.Mailboxes[target] == nil {
		return nil, fmt.Errorf("The operation couldn't be performed because object '%s' couldn't be found.", target)
	}
	if sh.findRequest(target, name) != nil {
		return nil, fmt.Errorf("A restore request with the name '%s' already exists for mailbox '%s'.", name, target)
	}
	archive := a.has("TargetIsArchive")
	if archive && !strings.EqualFold(guid, archiveGuidOf(obs.Mailboxes[target])) {
		// Exchange would write the mailbox's content into the archive: the double refuses
		// the mix-up a wrong -SourceStoreMailbox makes.
		return nil, fmt.Errorf("fakeshell: -TargetIsArchive with -SourceStoreMailbox %s, which is not the ArchiveGuid of %s", guid, target)
	}
	r := &fakeRequest{Name: name, Source: src, Target: target, Guid: guid, Conflict: conflict, Archive: archive, BadItemLimit: limit, Status: "Queued"}
	sh.runRequest(r)
	sh.state.Requests = append(sh.state.Requests, r)
	if err := sh.state.save(); err != nil {
		return nil, err
	}
	return []any{sh.requestObject(r)}, nil
}

func (sh *shell) getRequests(a *args, obs *state.Observed) ([]any, error) {
	target, hasT, err := a.optStr("TargetMailbox")
	if err != nil {
		return nil, err
	}
	name, hasN, err := a.optStr("Name")
	if err != nil {
		return nil, err
	}
	src, hasS, err := a.optStr("SourceDatabase")
	if err != nil {
		return nil, err
	}
	status, hasSt := a.named["status"]
	if hasT && obs.Mailboxes[target] == nil {
		return nil, fmt.Errorf("The operation couldn't be performed because object '%s' couldn't be found.", target)
	}
	var out []any
	for _, r := range sh.state.Requests {
		if hasT && !strings.EqualFold(r.Target, target) || hasN && r.Name != name || hasS && !strings.EqualFold(r.Source, src) || hasSt && r.Status != status {
			continue
		}
		out = append(out, sh.requestObject(r))
	}
	return out, nil
}

func inputRequests(in []any) ([]*fakeRequest, error) {
	var out []*fakeRequest
	for _, x := range in {
		o, ok := x.(*object)
		if !ok || o.typ != "MailboxRestoreRequest" {
			return nil, fmt.Errorf("pipeline input is %T, not a restore request", x)
		}
		r, _ := o.get("key")
		out = append(out, r.(*fakeRequest))
	}
	return out, nil
}

func (sh *shell) requestStatistics(in []any) ([]any, error) {
	rs, err := inputRequests(in)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, r := range rs {
		status, pct := r.Status, int64(100)
		if (r.Status == "Completed" || r.Status == "CompletedWithWarning") && (r.Polls < sh.polls || time.Now().UnixNano() < r.ReadyAt) {
			status, pct = "InProgress", 50
			r.Polls++
		} else if r.Status != "Completed" && r.Status != "CompletedWithWarning" {
			pct = 0
		}
		out = append(out, newObject("MailboxRestoreRequestStatistics", "Name", r.Name, "Status", status, "SourceDatabase", r.Source,
			"TargetAlias", alias(r.Target), "BadItemLimit", int64(r.BadItemLimit), "BadItemsEncountered", int64(r.BadItems),
			"PercentComplete", pct, "Message", r.Error))
	}
	return out, sh.state.save()
}

func (sh *shell) changeRequests(name string, a *args, in []any, piped bool) ([]any, error) {
	if !piped {
		return nil, fmt.Errorf("fakeshell: %s is only supported with pipeline input from Get-MailboxRestoreRequest", a.cmd)
	}
	rs, err := inputRequests(in)
	if err != nil {
		return nil, err
	}
	if name != "set-mailboxrestorerequest" {
		if c, ok := a.named["confirm"]; !ok || c != false {
			return nil, fmt.Errorf("%s would prompt for confirmation: pass -Confirm:$false", a.cmd)
		}
	}
	sources := map[string]bool{}
	for _, r := range rs {
		switch name {
		case "set-mailboxrestorerequest":
			limit, ok, err := a.num("BadItemLimit")
			if err != nil {
				return nil, err
			}
			if ok {
				if limit > 50 && !a.has("AcceptLargeDataLoss") {
					return nil, fmt.Errorf("When BadItemLimit is above 50, AcceptLargeDataLoss must be specified.")
				}
				r.BadItemLimit = limit
			}
		case "resume-mailboxrestorerequest":
			if r.Status == "Failed" || r.Status == "Suspended" || r.Status == "AutoSuspended" {
				sh.runRequest(r)
			}
		case "remove-mailboxrestorerequest":
			for i, x := range sh.state.Requests {
				if x == r {
					sh.state.Requests = append(sh.state.Requests[:i], sh.state.Requests[i+1:]...)
					break
				}
			}
			if r.Status == "Completed" || r.Status == "CompletedWithWarning" {
				sources[r.Source] = true
			}
		}
	}
	for _, s := range sortedStrings(sources) {
		if _, err := sh.labApply(providers.Operation{Kind: providers.OpRemoveRestoreRequests, Source: s}); err != nil {
			return nil, err
		}
	}
	return nil, sh.state.save()
}
