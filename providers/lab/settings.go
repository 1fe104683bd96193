package lab

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// A database object's settings (state/settings.go) live on its AD object in org.json:
// only the values that differ from Exchange's defaults are stored, so a lab built
// before settings existed reads as a lab of defaults.

// otherSettings are Set-MailboxDatabase parameters (exchange-cmdlets.json) the lab
// keeps but dialtone does not carry: a lab database may hold them so that a drill or a
// test shows what a plan does with a setting it cannot carry.
var otherSettings = map[string]bool{
	"IsSuspendedFromProvisioning": true, "IsExcludedFromInitialProvisioning": true,
	"DataMoveReplicationConstraint": true, "QuotaNotificationSchedule": true,
	"MaintenanceSchedule": true, "DatabaseGroup": true, "IndexEnabled": true,
	"BackgroundDatabaseMaintenance": true, "AutoDagExcludeFromMonitoring": true,
}

var labSpan = regexp.MustCompile(`^([0-9]{1,5}\.)?[0-9]{2}:[0-9]{2}:[0-9]{2}$`)

// checkLabSetting refuses what Set-MailboxDatabase would: a parameter it does not
// have, or a value of the wrong form. It returns the canonical value.
func checkLabSetting(name, v string) (string, error) {
	if _, known := state.DefaultSettings[name]; !known && !otherSettings[name] {
		return "", fmt.Errorf("Set-MailboxDatabase has no parameter -%s", name)
	}
	switch name {
	case state.SettingIssueWarningQuota, state.SettingProhibitSendQuota, state.SettingProhibitSendReceiveQuota,
		state.SettingRecoverableItemsQuota, state.SettingRecoverableItemsWarningQuota, state.SettingCalendarLoggingQuota:
		if strings.EqualFold(v, "Unlimited") {
			return "Unlimited", nil
		}
		n, err := ParseSize(v)
		if err != nil {
			return "", fmt.Errorf("-%s %q: %v", name, v, err)
		}
		return strconv.FormatInt(n, 10), nil
	case state.SettingMailboxRetention, state.SettingDeletedItemRetention, state.SettingEventHistoryRetentionPeriod:
		if !labSpan.MatchString(v) {
			return "", fmt.Errorf("-%s %q is not a time span d.hh:mm:ss", name, v)
		}
	case state.SettingRetainDeletedItemsUntilBackup, state.SettingCircularLoggingEnabled, state.SettingMountAtStartup,
		state.SettingIsExcludedFromProvisioning:
		switch strings.ToLower(v) {
		case "true":
			return "True", nil
		case "false":
			return "False", nil
		}
		return "", fmt.Errorf("-%s %q is not $true or $false", name, v)
	}
	return v, nil
}

// ParseSize reads a size in bytes, with an optional unit as Exchange takes them
// ("10GB", "2048MB", "1234").
func ParseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a size")
	}
	return n * mult, nil
}

// setting is the object's value of name (the default when it holds none).
func (d *databaseObj) setting(name string) string {
	if v, ok := d.Settings[name]; ok {
		return v
	}
	return state.DefaultSettings[name]
}

// settings is everything Get-MailboxDatabase shows of the object's settings: the
// defaults, overlaid with the values it holds.
func (d *databaseObj) settings() map[string]string {
	out := make(map[string]string, len(state.DefaultSettings)+len(d.Settings))
	for k, v := range state.DefaultSettings {
		out[k] = v
	}
	for k, v := range d.Settings {
		out[k] = v
	}
	return out
}

// put stores one checked value, dropping it when it is the default.
func (d *databaseObj) put(name, v string) {
	if def, ok := state.DefaultSettings[name]; ok && def == v {
		delete(d.Settings, name)
		return
	}
	if d.Settings == nil {
		d.Settings = map[string]string{}
	}
	d.Settings[name] = v
}

// setSettings is Set-MailboxDatabase on db: every value checked first, so that a bad
// one changes nothing. It reports whether anything changed.
func (s *session) setSettings(db *databaseObj, set map[string]string) (bool, error) {
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	checked := make(map[string]string, len(set))
	for _, name := range names {
		v, err := checkLabSetting(name, set[name])
		if err != nil {
			return false, err
		}
		checked[name] = v
	}
	minor := 2
	if srv := s.org.server(db.Server); srv != nil {
		if p := strings.Split(srv.Version, "."); len(p) >= 2 && p[0] == "15" {
			if m, err := strconv.Atoi(p[1]); err == nil {
				minor = m
			}
		}
	}
	if _, ok := checked[state.SettingIsExcludedFromProvisioningReason]; ok && minor < 1 {
		return false, fmt.Errorf("Set-MailboxDatabase has no parameter -%s on Exchange 2013 (server %s)", state.SettingIsExcludedFromProvisioningReason, db.Server)
	}
	if checked[state.SettingIsExcludedFromProvisioning] == "True" && minor >= 1 {
		reason, ok := checked[state.SettingIsExcludedFromProvisioningReason]
		if !ok {
			reason = db.setting(state.SettingIsExcludedFromProvisioningReason)
		}
		if len([]rune(reason)) < 10 {
			return false, fmt.Errorf("-IsExcludedFromProvisioning $true needs -IsExcludedFromProvisioningReason (at least 10 characters) on Exchange 2016 and later")
		}
	}
	changed := false
	for _, name := range names {
		if db.setting(name) != checked[name] {
			db.put(name, checked[name])
			changed = true
		}
	}
	return changed, nil
}

func (s *session) applySettings(op providers.Operation) (providers.Result, error) {
	db, err := s.org.mustDatabase(op.Database)
	if err != nil {
		return providers.Result{}, err
	}
	if len(op.Settings) == 0 {
		return providers.Result{}, fmt.Errorf("no setting to set on %s", db.Name)
	}
	changed, err := s.setSettings(db, op.Settings)
	if err != nil {
		return providers.Result{}, fmt.Errorf("Set-MailboxDatabase %s: %w", db.Name, err)
	}
	if !changed {
		return providers.Result{AlreadyDone: true, Detail: "settings of " + db.Name + " already in place"}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("set %d settings of %s", len(op.Settings), db.Name)}, s.saveOrg()
}

// applyRename is Set-MailboxDatabase -Name: the object takes the new name; its files
// keep theirs, and every mailbox and archive homed on it follows (in AD homeMDB links
// to the object; the lab's directory holds names, so it is rewritten).
func (s *session) applyRename(op providers.Operation) (providers.Result, error) {
	db := s.org.database(op.Database)
	if db == nil {
		t := s.org.database(op.Target)
		if t == nil {
			return providers.Result{}, fmt.Errorf("database %q does not exist", op.Database)
		}
		// Renamed by an earlier run that may have stopped before the mailboxes followed.
		n, err := s.follow(op.Database, t.Name)
		if err != nil {
			return providers.Result{}, err
		}
		return providers.Result{AlreadyDone: n == 0, Detail: fmt.Sprintf("%s is named %s already (%d mailboxes followed now)", op.Database, t.Name, n), Count: n}, nil
	}
	if err := checkName(op.Target); err != nil || len(op.Target) > 64 {
		return providers.Result{}, fmt.Errorf("cannot name %s %q: not a valid database name", db.Name, op.Target)
	}
	if other := s.org.database(op.Target); other != nil && other != db {
		return providers.Result{}, fmt.Errorf("cannot name %s %s: a database of that name exists (on %s)", db.Name, op.Target, other.Server)
	}
	old := db.Name
	db.Name = op.Target
	s.org.reindex()
	if err := s.saveOrg(); err != nil {
		return providers.Result{}, err
	}
	n, err := s.follow(old, db.Name)
	if err != nil {
		return providers.Result{}, err
	}
	return providers.Result{Detail: fmt.Sprintf("renamed %s to %s (%d mailboxes follow)", old, db.Name, n), Count: n}, nil
}

// follow points the mailboxes and archives still naming a renamed database at its new name.
func (s *session) follow(old, name string) (int64, error) {
	n, err := s.rehome(old, name)
	if err != nil {
		return 0, err
	}
	m, err := s.rehomeSystem(old, name)
	return n + m, err
}
