package main

import "strings"

// pk is how a parameter binds: a switch takes no value; val takes one.
type pk int

const (
	sw pk = iota
	val
)

type cmdSpec struct {
	params   map[string]pk
	exchange bool // needs the Exchange session (Import-PSSession or the snap-in)
	dc       bool // takes -DomainController (pinned when FAKESHELL_DC is set)
	server   bool // runs only on a server (inside Invoke-Command)
	native   bool // positional arguments only
}

func spec(exchange, dc bool, params ...string) *cmdSpec {
	s := &cmdSpec{params: map[string]pk{}, exchange: exchange, dc: dc}
	if dc {
		s.params["domaincontroller"] = val
	}
	for _, p := range params {
		name, kind := p, val
		if strings.HasSuffix(p, "!") {
			name, kind = strings.TrimSuffix(p, "!"), sw
		}
		s.params[strings.ToLower(name)] = kind
	}
	return s
}

func onServer(s *cmdSpec) *cmdSpec { s.server = true; return s }

// specs lists every cmdlet the double knows, with the parameters the provider may use.
// A cmdlet or a parameter not listed is an error: a typo in the provider shows up here.
// Mount-Database deliberately has no -Force.
var specs = map[string]*cmdSpec{
	"get-exchangeserver":  spec(true, true, "Identity"),
	"get-mailboxdatabase": spec(true, true, "Identity", "Server", "Status!", "ErrorAction"),
	"new-mailboxdatabase": spec(true, true, "Name", "Server", "EdbFilePath", "LogFolderPath", "Recovery!", "OfflineAddressBook"),
	"set-mailboxdatabase": spec(true, true, "Identity", "AllowFileRestore", "IsExcludedFromProvisioning", "Name",
		"IssueWarningQuota", "ProhibitSendQuota", "ProhibitSendReceiveQuota", "RecoverableItemsQuota", "RecoverableItemsWarningQuota",
		"CalendarLoggingQuota", "JournalRecipient", "OfflineAddressBook", "MailboxRetention", "DeletedItemRetention",
		"EventHistoryRetentionPeriod", "RetainDeletedItemsUntilBackup", "CircularLoggingEnabled", "MountAtStartup",
		"IsExcludedFromProvisioningReason"),
	"remove-mailboxdatabase":              spec(true, true, "Identity", "Confirm"),
	"mount-database":                      spec(true, true, "Identity"),
	"dismount-database":                   spec(true, true, "Identity", "Confirm"),
	"get-mailbox":                         spec(true, true, "Identity", "Database", "ResultSize", "Arbitration!", "AuditLog!", "AuxAuditLog!", "Monitoring!"),
	"set-mailbox":                         spec(true, true, "Identity", "Database", "ArchiveDatabase", "Arbitration!", "AuditLog!", "AuxAuditLog!", "Monitoring!", "Confirm"),
	"get-mailboxstatistics":               spec(true, true, "Database"),
	"new-mailboxrestorerequest":           spec(true, true, "Name", "SourceDatabase", "SourceStoreMailbox", "TargetMailbox", "ConflictResolutionOption", "BadItemLimit", "AcceptLargeDataLoss!"),
	"get-mailboxrestorerequest":           spec(true, true, "TargetMailbox", "Name", "SourceDatabase", "Status", "ResultSize"),
	"get-mailboxrestorerequeststatistics": spec(true, true),
	"set-mailboxrestorerequest":           spec(true, true, "BadItemLimit", "AcceptLargeDataLoss!"),
	"resume-mailboxrestorerequest":        spec(true, true, "Confirm"),
	"remove-mailboxrestorerequest":        spec(true, true, "Confirm"),
	"get-queue":                           spec(true, false, "Server"),
	"retry-queue":                         spec(true, false, "Resubmit", "Confirm"),

	"select-object":          spec(false, false, "Property"),
	"where-object":           spec(false, false, "Property", "EQ!", "Value"),
	"out-null":               spec(false, false),
	"new-object":             spec(false, false, "TypeName", "ArgumentList"),
	"convertto-securestring": spec(false, false, "String", "AsPlainText!", "Force!"),
	"new-pssession":          spec(false, false, "ConfigurationName", "ConnectionUri", "Authentication", "Credential"),
	"import-pssession":       spec(false, false, "Session", "DisableNameChecking!", "AllowClobber!"),
	"add-pssnapin":           spec(false, false, "Name"),
	"invoke-command":         spec(false, false, "ComputerName", "Credential", "Authentication", "ScriptBlock"),
	"remove-item":            spec(false, false, "LiteralPath", "Recurse!", "Force!", "Confirm", "ErrorAction"),

	"get-childitem": onServer(spec(false, false, "LiteralPath", "File!", "ErrorAction")),
	"get-filehash":  onServer(spec(false, false, "LiteralPath", "Algorithm", "ErrorAction")),
	"copy-item":     onServer(spec(false, false, "LiteralPath", "Destination")),
	"new-item":      onServer(spec(false, false, "ItemType", "Force!", "Path")),
	"test-path":     onServer(spec(false, false, "LiteralPath", "PathType")),
	"eseutil":       {params: map[string]pk{}, server: true, native: true},
}

// takesValue says whether -param of cmd binds the next argument (the parser asks).
func takesValue(cmd, param string) bool {
	s := specs[strings.ToLower(cmd)]
	if s == nil {
		return true // reported as unknown when run
	}
	k, ok := s.params[strings.ToLower(param)]
	return !ok || k == val
}
