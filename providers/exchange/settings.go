package exchange

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// A database's own settings (state/settings.go), read with the Get-MailboxDatabase that
// reads the databases (AD: they are there while the server is down) and set with
// Set-MailboxDatabase.

// settingBools are the boolean settings, selected as they are.
var settingBools = []string{
	state.SettingRetainDeletedItemsUntilBackup, state.SettingCircularLoggingEnabled,
	state.SettingMountAtStartup, state.SettingIsExcludedFromProvisioning,
}

// settingTexts are the other settings, selected as the text Exchange shows.
var settingTexts = []string{
	state.SettingIssueWarningQuota, state.SettingProhibitSendQuota, state.SettingProhibitSendReceiveQuota,
	state.SettingRecoverableItemsQuota, state.SettingRecoverableItemsWarningQuota, state.SettingCalendarLoggingQuota,
	state.SettingJournalRecipient, state.SettingOfflineAddressBook,
	state.SettingMailboxRetention, state.SettingDeletedItemRetention, state.SettingEventHistoryRetentionPeriod,
	state.SettingIsExcludedFromProvisioningReason,
}

var spanText = regexp.MustCompile(`^([0-9]{1,5}\.)?[0-9]{2}:[0-9]{2}:[0-9]{2}$`)

// readSettings reads the settings of one Get-MailboxDatabase record into canonical
// form. A property the record lacks or shows as null (not in that Exchange version) is
// left out; a value that cannot be read is kept as shown, for the plan to name as a
// setting it cannot carry.
func readSettings(r record) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range settingBools {
		if v, ok := r.m[name]; !ok || isNull(v) {
			continue
		}
		b, err := r.boolean(name, true)
		if err != nil {
			return nil, err
		}
		out[name] = "False"
		if *b {
			out[name] = "True"
		}
	}
	for _, name := range settingTexts {
		if v, ok := r.m[name]; !ok || isNull(v) {
			continue
		}
		s, err := r.str(name, false)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		switch {
		case ems.IsQuotaSetting(name):
			if strings.EqualFold(s, "Unlimited") {
				s = "Unlimited"
			} else if n, err := r.size(name); err == nil && s != "" {
				s = strconv.FormatInt(n, 10)
			}
		case name == state.SettingMailboxRetention || name == state.SettingDeletedItemRetention || name == state.SettingEventHistoryRetentionPeriod:
			if !spanText.MatchString(s) {
				s = strings.TrimSpace(s) // kept as shown: the plan names it as unreadable
			}
		}
		out[name] = s
	}
	return out, nil
}

// setSettings is Set-MailboxDatabase with op.Settings, the plan's line (providers/ems):
// nothing runs when every setting is in place already; otherwise the whole line runs
// (setting a value a database has already changes nothing), so that the line that runs
// is the line the plan shows.
func (p *Provider) setSettings(ctx context.Context, op providers.Operation) (providers.Result, error) {
	line, err := ems.SetDatabaseSettings(op.Database, op.Settings, state.SettingNames)
	if err != nil {
		return providers.Result{}, err
	}
	cur, err := p.databaseSettings(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	n := 0
	for name, v := range op.Settings {
		if cur[name] != v {
			n++
		}
	}
	if n == 0 {
		return providers.Result{AlreadyDone: true, Detail: "settings of " + op.Database + " already in place"}, nil
	}
	if err := p.do(ctx, line); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: fmt.Sprintf("set %d settings of %s (%d were not in place)", len(op.Settings), op.Database, n)}, nil
}

// databaseSettings reads one database's settings.
func (p *Provider) databaseSettings(ctx context.Context, name string) (map[string]string, error) {
	recs, err := p.query(ctx, "Get-MailboxDatabase",
		p.ex("Get-MailboxDatabase").str("-Identity", "database name", name),
		selectProps(settingBools, append([]string{"Name"}, settingTexts...)))
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("Get-MailboxDatabase %s: %d databases answer to that name", name, len(recs))
	}
	return readSettings(recs[0])
}

// rename is Set-MailboxDatabase -Name; done already when only the new name exists.
func (p *Provider) rename(ctx context.Context, op providers.Operation) (providers.Result, error) {
	d, err := p.database(ctx, op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if d == nil {
		if t, err := p.database(ctx, op.Target); err == nil && t != nil {
			return providers.Result{AlreadyDone: true, Detail: op.Database + " is named " + t.Name + " already"}, nil
		}
		return providers.Result{}, fmt.Errorf("database %s does not exist (Get-MailboxDatabase found nothing)", op.Database)
	}
	if err := p.do(ctx, ems.RenameDatabase(op.Database, op.Target)); err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: "renamed " + op.Database + " to " + op.Target}, nil
}
