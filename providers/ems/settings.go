package ems

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// A database's own settings (state/settings.go, issue 17) on Set-MailboxDatabase and
// New-MailboxDatabase command lines: the planner shows these lines, the runbook writes
// them and the Exchange provider runs them. Settings are named by their Exchange
// property (and parameter) name, valued in the state's canonical form; the caller gives
// the order they are written in (the state's SettingNames), and a setting outside it is
// an error. ems stays pure: it knows the parameters, not the state.

// settingBools are the Boolean settings, written $true or $false.
var settingBools = map[string]bool{
	"RetainDeletedItemsUntilBackup": true, "CircularLoggingEnabled": true,
	"MountAtStartup": true, "IsExcludedFromProvisioning": true,
}

// settingNullable are the settings an empty value clears ($null).
var settingNullable = map[string]bool{
	"JournalRecipient": true, "OfflineAddressBook": true, "IsExcludedFromProvisioningReason": true,
}

// IsQuotaSetting reports whether a setting is a quota (a size in bytes or Unlimited).
func IsQuotaSetting(name string) bool { return strings.HasSuffix(name, "Quota") }

// IsBoolSetting reports whether a setting is a Boolean.
func IsBoolSetting(name string) bool { return settingBools[name] }

// setting adds -name value, the value in canonical form (state/settings.go): quotas in
// the largest exact unit ("10GB", as an administrator types them), Booleans as $true or
// $false, an empty recipient, address book or reason as $null, anything else quoted.
// A value that is not of its setting's kind is an error: nothing is written for it.
func setting(c *Cmd, name, v string) error {
	switch {
	case IsQuotaSetting(name):
		q, ok := providers.PSQuota(v)
		if !ok {
			return fmt.Errorf("%s %q is not a size in bytes nor Unlimited", name, v)
		}
		c.Word(name, q)
	case settingBools[name]:
		switch v {
		case "True", "False":
			c.Bool(name, v == "True")
		default:
			return fmt.Errorf("%s %q is not True or False", name, v)
		}
	case v == "" && settingNullable[name]:
		c.Code(name, "$null")
	default:
		c.Str(name, v)
	}
	return nil
}

// SetDatabaseSettings is Set-MailboxDatabase -Identity db with one parameter per
// setting, in the order given (the state's SettingNames). The error names the first
// setting that could not be written (left out of the line).
func SetDatabaseSettings(db string, settings map[string]string, order []string) (Line, error) {
	c := New("Set-MailboxDatabase").Str("Identity", db)
	err := addSettings(c, settings, order, nil)
	return c.Line(), err
}

// NewDatabaseSettings is NewDatabase with the settings New-MailboxDatabase takes in its
// NonRecovery parameter set, of those dialtone carries: only OfflineAddressBook. Any
// other setting, or any at all for a recovery database, is an error.
func NewDatabaseSettings(name, server, edb, logs string, recovery bool, settings map[string]string, order []string) (Line, error) {
	l := NewDatabase(name, server, edb, logs, recovery)
	c := &l.Pipe[0]
	err := addSettings(c, settings, order, func(n string) error {
		if n != "OfflineAddressBook" || recovery {
			return fmt.Errorf("New-MailboxDatabase takes no -%s here", n)
		}
		return nil
	})
	return l, err
}

func addSettings(c *Cmd, settings map[string]string, order []string, allowed func(string) error) error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	known := make(map[string]bool, len(order))
	for _, name := range order {
		known[name] = true
	}
	for name := range settings {
		if !known[name] {
			keep(fmt.Errorf("setting %q is not one dialtone sets", name))
		}
	}
	for _, name := range order {
		v, ok := settings[name]
		if !ok {
			continue
		}
		if allowed != nil {
			if err := allowed(name); err != nil {
				keep(err)
				continue
			}
		}
		if err := setting(c, name, v); err != nil {
			keep(err)
		}
	}
	return first
}

// RenameDatabase is Set-MailboxDatabase -Name: the AD object takes another name; its
// files keep theirs.
func RenameDatabase(db, name string) Line {
	return New("Set-MailboxDatabase").Str("Identity", db).Str("Name", name).Line()
}
