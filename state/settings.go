package state

// The settings of a mailbox database that a recovery carries to the database its users
// end up on (issue 17). A provider reports them as Database.Settings: a map from the
// Exchange property name (as Get-MailboxDatabase and Set-MailboxDatabase spell it) to
// the value in one canonical text form, so that the state, the plan and both providers
// agree on what "the same value" means:
//
//   - quotas (Unlimited<ByteQuantifiedSize>): "Unlimited", or the size in bytes as a
//     decimal integer ("10737418240");
//   - time spans (EnhancedTimeSpan): "d.hh:mm:ss" ("14.00:00:00"; "00:00:00" is zero);
//   - booleans: "True" or "False" (as PowerShell prints them);
//   - names (JournalRecipient, OfflineAddressBook): as the provider reports them, ""
//     when unset.
//
// A property missing from the map was not read; a nil map means the provider did not
// read the database's settings at all (Refresh then keeps the last known ones). The
// planner knows which properties it can carry; any other property a provider reports
// is shown in the plan as a manual step, never dropped.

// The property names dialtone reads and carries.
const (
	SettingIssueWarningQuota                = "IssueWarningQuota"
	SettingProhibitSendQuota                = "ProhibitSendQuota"
	SettingProhibitSendReceiveQuota         = "ProhibitSendReceiveQuota"
	SettingRecoverableItemsQuota            = "RecoverableItemsQuota"
	SettingRecoverableItemsWarningQuota     = "RecoverableItemsWarningQuota"
	SettingCalendarLoggingQuota             = "CalendarLoggingQuota"
	SettingJournalRecipient                 = "JournalRecipient"
	SettingOfflineAddressBook               = "OfflineAddressBook"
	SettingMailboxRetention                 = "MailboxRetention"
	SettingDeletedItemRetention             = "DeletedItemRetention"
	SettingEventHistoryRetentionPeriod      = "EventHistoryRetentionPeriod"
	SettingRetainDeletedItemsUntilBackup    = "RetainDeletedItemsUntilBackup"
	SettingCircularLoggingEnabled           = "CircularLoggingEnabled"
	SettingMountAtStartup                   = "MountAtStartup"
	SettingIsExcludedFromProvisioning       = "IsExcludedFromProvisioning"
	SettingIsExcludedFromProvisioningReason = "IsExcludedFromProvisioningReason"
)

// SettingNames lists the properties above in the order plans show them.
var SettingNames = []string{
	SettingIssueWarningQuota, SettingProhibitSendQuota, SettingProhibitSendReceiveQuota,
	SettingRecoverableItemsQuota, SettingRecoverableItemsWarningQuota, SettingCalendarLoggingQuota,
	SettingJournalRecipient, SettingOfflineAddressBook,
	SettingMailboxRetention, SettingDeletedItemRetention, SettingEventHistoryRetentionPeriod,
	SettingRetainDeletedItemsUntilBackup, SettingCircularLoggingEnabled, SettingMountAtStartup,
	SettingIsExcludedFromProvisioning, SettingIsExcludedFromProvisioningReason,
}

// DefaultSettings are the values Exchange 2013 and later give a new mailbox database
// (Microsoft's Set-MailboxDatabase and mailbox quota reference): what a database
// created by New-MailboxDatabase has until someone changes it.
var DefaultSettings = map[string]string{
	SettingIssueWarningQuota:                "2039480320",  // 1.899 GB
	SettingProhibitSendQuota:                "2147483648",  // 2 GB
	SettingProhibitSendReceiveQuota:         "2469396480",  // 2.3 GB
	SettingRecoverableItemsQuota:            "32212254720", // 30 GB
	SettingRecoverableItemsWarningQuota:     "21474836480", // 20 GB
	SettingCalendarLoggingQuota:             "6442450944",  // 6 GB
	SettingJournalRecipient:                 "",
	SettingOfflineAddressBook:               "",
	SettingMailboxRetention:                 "30.00:00:00",
	SettingDeletedItemRetention:             "14.00:00:00",
	SettingEventHistoryRetentionPeriod:      "7.00:00:00",
	SettingRetainDeletedItemsUntilBackup:    "False",
	SettingCircularLoggingEnabled:           "False",
	SettingMountAtStartup:                   "True",
	SettingIsExcludedFromProvisioning:       "False",
	SettingIsExcludedFromProvisioningReason: "",
}

// Setting returns a database's value of the property name, the default when the
// database reports none, and whether the value was read (false: the default).
func (d *Database) Setting(name string) (string, bool) {
	if d != nil {
		if v, ok := d.Settings[name]; ok {
			return v, true
		}
	}
	return DefaultSettings[name], false
}

// keepSettings gives each database of next that reports no settings the settings prev
// recorded for it: a database read while healthy keeps its last known settings when a
// later read cannot get them (its server down, a per-database read that skipped it).
func keepSettings(prev, next map[string]*Database) {
	for name, d := range next {
		if d == nil || d.Settings != nil {
			continue
		}
		if old := prev[name]; old != nil && old.Settings != nil {
			d.Settings = old.Settings
		}
	}
}
