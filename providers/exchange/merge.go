package exchange

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// Restore request statuses (exchange-recovery.md 1.6).
func requestDone(s string) bool { return s == "Completed" || s == "CompletedWithWarning" }

func requestSuspended(s string) bool { return s == "Suspended" || s == "AutoSuspended" }

// request reads the named request of mailbox with its statistics; nil when absent.
func (p *Provider) request(ctx context.Context, mailbox, name string) (*state.RestoreRequest, int64, error) {
	recs, err := p.query(ctx, "Get-MailboxRestoreRequestStatistics",
		p.ex("Get-MailboxRestoreRequest").str("-TargetMailbox", "mailbox", mailbox).str("-Name", "request name", name),
		p.ex("Get-MailboxRestoreRequestStatistics"), selectProps(nil, requestFields))
	if err != nil {
		return nil, 0, err
	}
	switch len(recs) {
	case 0:
		return nil, 0, nil
	case 1:
		return parseRequest(recs[0])
	}
	return nil, 0, fmt.Errorf("%d restore requests named %s exist for %s", len(recs), name, mailbox)
}

// present reports whether the recovery database lists a mailbox of that ExchangeGuid
// (Get-MailboxStatistics -Database, read once per database while merges run).
func (p *Provider) present(ctx context.Context, rdb, guid string) (bool, error) {
	p.cacheMu.Lock()
	set, ok := p.rdbCache[strings.ToLower(rdb)]
	p.cacheMu.Unlock()
	if !ok {
		recs, err := p.query(ctx, "Get-MailboxStatistics",
			p.ex("Get-MailboxStatistics").str("-Database", "database name", rdb),
			selectProps(nil, []string{"MailboxGuid", "DisplayName"}))
		if err != nil {
			return false, err
		}
		set = make(map[string]bool, len(recs))
		for _, r := range recs {
			g, err := r.str("MailboxGuid", true)
			if err != nil {
				return false, err
			}
			set[strings.ToLower(g)] = true
		}
		p.cacheMu.Lock()
		if p.rdbCache == nil {
			p.rdbCache = map[string]map[string]bool{}
		}
		p.rdbCache[strings.ToLower(rdb)] = set
		p.cacheMu.Unlock()
	}
	return set[strings.ToLower(guid)], nil
}

// merge is one named New-MailboxRestoreRequest, watched until it is done. An existing
// request of that name is watched (or resumed when suspended), never created twice.
func (p *Provider) merge(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	name := op.RequestName
	if name == "" {
		return providers.Result{}, fmt.Errorf("merge of %s: no request name (unnamed requests run out after 10 per mailbox)", op.Mailbox)
	}
	rq, _, err := p.request(ctx, op.Mailbox, name)
	if err != nil {
		return providers.Result{}, err
	}
	switch {
	case rq != nil && requestDone(rq.Status):
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("request %s\\%s already %s", op.Mailbox, name, rq.Status)}, nil
	case rq != nil && rq.Status == "Failed":
		return providers.Result{}, fmt.Errorf("request %s\\%s Failed (%d bad items, limit %d): read Get-MailboxRestoreRequestStatistics -IncludeReport, then raise the limit and resume it",
			op.Mailbox, name, rq.BadItems, rq.BadItemLimit)
	case rq != nil && requestSuspended(rq.Status):
		if err := p.do(ctx, ems.ResumeRestoreRequest(op.Mailbox, name)); err != nil {
			return providers.Result{}, err
		}
	case rq == nil:
		ok, err := p.present(ctx, op.Source, op.ExchangeGuid)
		if err != nil {
			return providers.Result{}, err
		}
		if !ok {
			return providers.Result{Skipped: true, Detail: fmt.Sprintf("%s has no mailbox %s: nothing to merge", op.Source, op.ExchangeGuid)}, nil
		}
		line := ems.NewRestoreRequest(ems.RestoreRequest{Name: name, SourceDatabase: op.Source,
			SourceStoreMailbox: op.ExchangeGuid, TargetMailbox: op.Mailbox, Conflict: op.ConflictResolution, BadItemLimit: op.BadItemLimit,
			TargetIsArchive: op.TargetIsArchive})
		// The conflict option is written bare: only a value the reference lists for the
		// organization's version may stand there.
		v, err := p.orgVersion(ctx)
		if err != nil {
			return providers.Result{}, err
		}
		if probs := ems.CheckLines([]ems.Line{line}, v); len(probs) > 0 {
			return providers.Result{}, fmt.Errorf("merge of %s: %s", op.Mailbox, probs[0].Msg)
		}
		if err := p.do(ctx, line); err != nil {
			return providers.Result{}, err
		}
	}
	return p.watch(ctx, op.Mailbox, name, progress)
}

// watch polls the request until it is done, reporting PercentComplete.
func (p *Provider) watch(ctx context.Context, mailbox, name string, progress func(done, total int64)) (providers.Result, error) {
	for {
		rq, pct, err := p.request(ctx, mailbox, name)
		if err != nil {
			return providers.Result{}, err
		}
		if rq == nil {
			return providers.Result{}, fmt.Errorf("request %s\\%s disappeared while it was watched", mailbox, name)
		}
		if progress != nil {
			progress(min(max(pct, 0), 100), 100)
		}
		switch {
		case requestDone(rq.Status):
			return providers.Result{Detail: fmt.Sprintf("request %s\\%s %s", mailbox, name, rq.Status), Count: 1}, nil
		case rq.Status == "Failed":
			return providers.Result{}, fmt.Errorf("request %s\\%s Failed (%d bad items, limit %d): read Get-MailboxRestoreRequestStatistics -IncludeReport, then raise the limit and resume it",
				mailbox, name, rq.BadItems, rq.BadItemLimit)
		case requestSuspended(rq.Status):
			return providers.Result{}, fmt.Errorf("request %s\\%s is %s: resume it when its databases are back", mailbox, name, rq.Status)
		}
		select {
		case <-ctx.Done():
			return providers.Result{}, fmt.Errorf("request %s\\%s stays %s (watched again on the next run): %w", mailbox, name, rq.Status, ctx.Err())
		case <-time.After(p.cfg.PollInterval):
		}
	}
}

// resume raises a Failed or suspended request's BadItemLimit and resumes it, then
// watches it. It never creates a request.
func (p *Provider) resume(ctx context.Context, op providers.Operation, progress func(done, total int64)) (providers.Result, error) {
	rq, _, err := p.request(ctx, op.Mailbox, op.RequestName)
	if err != nil {
		return providers.Result{}, err
	}
	if rq == nil {
		return providers.Result{}, fmt.Errorf("no restore request %s\\%s to resume", op.Mailbox, op.RequestName)
	}
	if requestDone(rq.Status) {
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("request %s\\%s already %s", op.Mailbox, op.RequestName, rq.Status)}, nil
	}
	if op.BadItemLimit > 0 && op.BadItemLimit != rq.BadItemLimit {
		if err := p.do(ctx, ems.SetRestoreRequestLimit(op.Mailbox, op.RequestName, op.BadItemLimit)); err != nil {
			return providers.Result{}, err
		}
	}
	if rq.Status == "Failed" || requestSuspended(rq.Status) {
		if err := p.do(ctx, ems.ResumeRestoreRequest(op.Mailbox, op.RequestName)); err != nil {
			return providers.Result{}, err
		}
	}
	return p.watch(ctx, op.Mailbox, op.RequestName, progress)
}

// removeRequests is Remove-MailboxRestoreRequest for the finished requests of Source.
func (p *Provider) removeRequests(ctx context.Context, op providers.Operation) (providers.Result, error) {
	var n int64
	for _, status := range []string{"Completed", "CompletedWithWarning"} {
		recs, err := p.query(ctx, "Get-MailboxRestoreRequest", p.emsLine(ctx, ems.ListRestoreRequests(op.Source, status).Line()), selectProps(nil, []string{"Name"}))
		if err != nil {
			return providers.Result{}, err
		}
		if len(recs) == 0 {
			continue
		}
		if err := p.do(ctx, ems.RemoveRestoreRequests(op.Source, status)); err != nil {
			return providers.Result{}, err
		}
		n += int64(len(recs))
	}
	if n == 0 {
		return providers.Result{AlreadyDone: true, Detail: "no finished request of " + op.Source}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("removed %d finished restore requests of %s", n, op.Source), Count: n}, nil
}
