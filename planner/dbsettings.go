package planner

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// The failed database's own settings (state/settings.go) carried to the database its
// users end up on (issue 17): a database dialtone creates has Exchange's defaults, and
// a user whose restored mailbox is larger than the default quota would stop receiving
// mail, a journaled database would stop journaling without a word.

// settingKind says how a setting's value is checked and written on a command line.
type settingKind int

const (
	kindQuota settingKind = iota // Unlimited<ByteQuantifiedSize>
	kindSpan                     // EnhancedTimeSpan
	kindBool
	kindName // an identity (recipient, offline address book) or free text
)

// carryAt is when a setting reaches the dial tone database.
type carryAt int

const (
	// atDialTone: right after the dial tone database is created, before users are
	// re-homed to it: they live on it from then on (quotas, journaling, retention).
	atDialTone carryAt = iota
	// atComplete: once it is the users' database for good. Circular logging stays off
	// while the dial tone mail exists only in the dial tone database's logs and files
	// (exchange-recovery.md 4.7; a recovery database, which holds them for the merge,
	// can never use it); MountAtStartup and provisioning follow the database's role.
	atComplete
)

// settingSpec is a setting dialtone carries.
type settingSpec struct {
	name string
	kind settingKind
	at   carryAt
	// minMinor is the first Exchange 15.x minor version whose Set-MailboxDatabase has
	// the parameter (exchange-cmdlets.json: 0 is 2013, 1 is 2016; 2019 and SE are 2).
	minMinor int
	// atCreate: New-MailboxDatabase takes it too (its NonRecovery parameter set), so it
	// is given at creation instead of by a Set-MailboxDatabase step.
	atCreate bool
}

var settingSpecs = []settingSpec{
	{name: state.SettingIssueWarningQuota, kind: kindQuota},
	{name: state.SettingProhibitSendQuota, kind: kindQuota},
	{name: state.SettingProhibitSendReceiveQuota, kind: kindQuota},
	{name: state.SettingRecoverableItemsQuota, kind: kindQuota},
	{name: state.SettingRecoverableItemsWarningQuota, kind: kindQuota},
	{name: state.SettingCalendarLoggingQuota, kind: kindQuota},
	{name: state.SettingJournalRecipient, kind: kindName},
	{name: state.SettingOfflineAddressBook, kind: kindName, atCreate: true},
	{name: state.SettingMailboxRetention, kind: kindSpan},
	{name: state.SettingDeletedItemRetention, kind: kindSpan},
	{name: state.SettingEventHistoryRetentionPeriod, kind: kindSpan},
	{name: state.SettingRetainDeletedItemsUntilBackup, kind: kindBool},
	{name: state.SettingCircularLoggingEnabled, kind: kindBool, at: atComplete},
	{name: state.SettingMountAtStartup, kind: kindBool, at: atComplete},
	{name: state.SettingIsExcludedFromProvisioning, kind: kindBool, at: atComplete},
	{name: state.SettingIsExcludedFromProvisioningReason, kind: kindName, at: atComplete, minMinor: 1},
}

func specOf(name string) *settingSpec {
	for i := range settingSpecs {
		if settingSpecs[i].name == name {
			return &settingSpecs[i]
		}
	}
	return nil
}

var spanPattern = regexp.MustCompile(`^([0-9]{1,5}\.)?[0-9]{2}:[0-9]{2}:[0-9]{2}$`)

// checkSetting returns v in canonical form, or why dialtone cannot use it.
func checkSetting(sp *settingSpec, v string) (string, string) {
	switch sp.kind {
	case kindQuota:
		if strings.EqualFold(v, "Unlimited") {
			return "Unlimited", ""
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return "", "the value " + strconv.Quote(v) + " is not a size in bytes nor Unlimited"
		}
		return strconv.FormatInt(n, 10), ""
	case kindSpan:
		if !spanPattern.MatchString(v) {
			return "", "the value " + strconv.Quote(v) + " is not a time span d.hh:mm:ss"
		}
		return v, ""
	case kindBool:
		switch strings.ToLower(v) {
		case "true":
			return "True", ""
		case "false":
			return "False", ""
		}
		return "", "the value " + strconv.Quote(v) + " is not True or False"
	}
	if err := providers.PSCheckValue(sp.name, v); err != nil || len(v) > 1024 {
		return "", "the value cannot be put on a command line"
	}
	return v, ""
}

// SettingDisplay shows a setting's value to people: quotas as Exchange prints them
// ("10 GB (10,737,418,240 bytes)"), an empty name as "(none)".
func SettingDisplay(name, v string) string {
	sp := specOf(name)
	switch {
	case v == "":
		return "(none)"
	case sp != nil && sp.kind == kindQuota && v != "Unlimited":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return v
		}
		return quotaHuman(n) + " (" + groupDigits(n) + " bytes)"
	}
	return v
}

func quotaHuman(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " " + units[i]
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cmdSetDatabase is Set-MailboxDatabase with one parameter per setting, in the order of
// state.SettingNames (providers/ems, the line the provider runs). The values were
// checked (checkSetting) and names dialtone does not know are never planned, so the
// line holds every one.
func cmdSetDatabase(db string, settings map[string]string) string {
	l, _ := ems.SetDatabaseSettings(db, settings, state.SettingNames)
	return l.String()
}

// uncarried is a setting of the failed database dialtone does not carry, and why.
type uncarried struct{ name, value, why string }

// carryPlan is what carrying the failed database's settings to the dial tone database
// takes: the values set at creation, right after it, and once it is the users' for
// good, and what a person has to do.
type carryPlan struct {
	create, dialTone, complete map[string]string
	manual                     []uncarried
}

// planCarry works out carryPlan from the failed database's settings (as they were
// before dialtone changed any): only values that differ from Exchange's defaults,
// which the dial tone database has, are set.
func (rc *recCtx) planCarry() carryPlan {
	cp := carryPlan{create: map[string]string{}, dialTone: map[string]string{}, complete: map[string]string{}}
	src := rc.failedSettings
	if src == nil {
		return cp
	}
	for i := range settingSpecs {
		sp := &settingSpecs[i]
		raw, ok := src[sp.name]
		if !ok || raw == state.DefaultSettings[sp.name] {
			continue // not reported by the provider (not in that version), or the default
		}
		v, why := checkSetting(sp, raw)
		if why == "" && rc.dtMinor < sp.minMinor {
			why = "Set-MailboxDatabase has no -" + sp.name + " on " + versionName(rc.dtMinor) + " (" + rc.dt.Server + ")"
		}
		if why != "" {
			cp.manual = append(cp.manual, uncarried{sp.name, raw, why})
			continue
		}
		if v == state.DefaultSettings[sp.name] {
			continue
		}
		switch {
		case sp.atCreate:
			cp.create[sp.name] = v
		case sp.at == atDialTone:
			cp.dialTone[sp.name] = v
		default:
			cp.complete[sp.name] = v
		}
	}
	// Exchange 2016 and later want a reason with an exclusion.
	if cp.complete[state.SettingIsExcludedFromProvisioning] == "True" && rc.dtMinor >= 1 && cp.complete[state.SettingIsExcludedFromProvisioningReason] == "" {
		cp.complete[state.SettingIsExcludedFromProvisioningReason] = "Excluded from provisioning like the failed database it replaces (dialtone recovery." + rc.name + ")"
	}
	var others []string
	for name := range src {
		if specOf(name) == nil {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, name := range others {
		cp.manual = append(cp.manual, uncarried{name, src[name], "dialtone does not know this setting"})
	}
	return cp
}

// versionName names an Exchange 15.x minor version.
func versionName(minor int) string {
	switch minor {
	case 0:
		return "Exchange 2013"
	case 1:
		return "Exchange 2016"
	}
	return "Exchange 2019 or SE"
}

// settingsBefore returns db's values of the given settings before the step: Exchange's
// defaults for a database dialtone creates (fresh), else what the state read.
func settingsBefore(names map[string]string, db *state.Database, fresh bool) map[string]string {
	out := make(map[string]string, len(names))
	for name := range names {
		if fresh {
			out[name] = state.DefaultSettings[name]
			continue
		}
		out[name], _ = db.Setting(name)
	}
	return out
}

// setSettingsStep is a Set-MailboxDatabase step on db.
func (rc *recCtx) setSettingsStep(key string, stage, number int, db dbSpec, set, before map[string]string, summary string) *Step {
	s := rc.newStep(key, stage, number, phaseOf(stage), RiskReversible,
		providers.Operation{Kind: providers.OpSetDatabaseSettings, Database: db.Name, Settings: set},
		summary, cmdSetDatabase(db.Name, set))
	s.SettingsBefore = before
	return s
}

// settingList names settings for a summary: "ProhibitSendQuota, JournalRecipient".
func settingList(m map[string]string) string {
	var names []string
	for _, n := range state.SettingNames {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}
