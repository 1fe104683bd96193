package main

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/providers/ems"
)

// pk is how a parameter binds: a switch takes no value; val takes one.
type pk int

const (
	sw pk = iota
	val
)

type cmdSpec struct {
	params   map[string]pk
	exchange bool // an Exchange cmdlet: its parameters come from Microsoft's reference
	dc       bool // takes -DomainController (pinned when FAKESHELL_DC is set)
	server   bool // runs only on a server (inside Invoke-Command)
	native   bool // positional arguments only
}

func spec(params ...string) *cmdSpec {
	s := &cmdSpec{params: map[string]pk{}}
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

// exchangeCmdlets are the Exchange cmdlets the double carries out. Their parameter
// tables are not written here: they come from Microsoft's reference
// (providers/ems/reference/exchange-cmdlets.json), every parameter of the cmdlet in
// any version, so that the reference decides what binds; a line is then checked
// against the reference for the organization's version (ems.Check) before it runs.
var exchangeCmdlets = []string{
	"Get-ExchangeServer", "Get-MailboxDatabase", "New-MailboxDatabase", "Set-MailboxDatabase", "Remove-MailboxDatabase",
	"Mount-Database", "Dismount-Database", "Get-Mailbox", "Set-Mailbox", "Get-MailboxStatistics",
	"New-MailboxRestoreRequest", "Get-MailboxRestoreRequest", "Get-MailboxRestoreRequestStatistics",
	"Set-MailboxRestoreRequest", "Resume-MailboxRestoreRequest", "Remove-MailboxRestoreRequest", "Get-Queue", "Retry-Queue",
	"Get-MailboxDatabaseCopyStatus",
}

// specs lists every command the double knows. A command or a parameter not listed is an
// error: a typo in the provider shows up here.
var specs = map[string]*cmdSpec{
	"select-object":          spec("Property", "ExpandProperty"),
	"where-object":           spec("Property", "EQ!", "NotMatch!", "Value"),
	"out-null":               spec(),
	"new-object":             spec("TypeName", "ArgumentList"),
	"convertto-securestring": spec("String", "AsPlainText!", "Force!"),
	"new-pssession":          spec("ConfigurationName", "ConnectionUri", "Authentication", "Credential"),
	"import-pssession":       spec("Session", "DisableNameChecking!", "AllowClobber!"),
	"add-pssnapin":           spec("Name"),
	"invoke-command":         spec("ComputerName", "Credential", "Authentication", "ScriptBlock"),
	"remove-item":            spec("LiteralPath", "Recurse!", "Force!", "Confirm", "ErrorAction"),

	"get-childitem":   onServer(spec("LiteralPath", "File!", "ErrorAction")),
	"get-filehash":    onServer(spec("LiteralPath", "Algorithm", "ErrorAction")),
	"copy-item":       onServer(spec("LiteralPath", "Destination")),
	"move-item":       onServer(spec("LiteralPath", "Destination")),
	"new-item":        onServer(spec("ItemType", "Force!", "Path")),
	"test-path":       onServer(spec("LiteralPath", "PathType")),
	"restart-service": onServer(spec("Name")),
	"eseutil":         {params: map[string]pk{}, server: true, native: true},
}

// commonParams are PowerShell's common parameters, which every cmdlet takes.
var commonParams = []string{"ErrorAction", "WarningAction", "Verbose", "Debug", "ErrorVariable", "OutVariable"}

func init() {
	ref := ems.Ref()
	for _, name := range exchangeCmdlets {
		c := ref.Cmdlet(name)
		if c == nil {
			panic(fmt.Sprintf("fakeshell: %s is not in the reference", name))
		}
		s := &cmdSpec{params: map[string]pk{}, exchange: true, dc: c.Param("DomainController") != nil}
		for pn, p := range c.Parameters {
			k := val
			if p.Switch() {
				k = sw
			}
			s.params[strings.ToLower(pn)] = k
		}
		for _, pn := range commonParams {
			s.params[strings.ToLower(pn)] = val
		}
		specs[strings.ToLower(name)] = s
	}
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

// checkReference checks an Exchange cmdlet's bound call against Microsoft's reference
// for the organization's version: the cmdlet and each parameter exist in that version,
// the parameters fit one parameter set, and literal values are among the valid ones.
func (sh *shell) checkReference(c *command) error {
	inv := ems.Invocation{Cmd: c.name, Positional: len(c.pos)}
	for _, p := range c.params {
		u := ems.ParamUse{Name: p.name, HasValue: p.val != nil}
		if p.val != nil && (p.val.kind == vString || p.val.kind == vBare || p.val.kind == vNumber) {
			u.Literal, u.Values = true, []string{p.val.text}
		}
		if p.val != nil && p.val.kind == vVar && (p.val.text == "true" || p.val.text == "false") {
			// $true and $false are checked against a Boolean's valid values too.
			u.Literal, u.Values = true, []string{"$" + p.val.text}
		}
		if p.val != nil && p.val.kind == vList {
			u.Literal = true
			for _, e := range p.val.list {
				if e.kind != vString && e.kind != vBare && e.kind != vNumber {
					u.Literal = false
				}
				u.Values = append(u.Values, e.text)
			}
		}
		if p.colon {
			u.Literal = false
		}
		inv.Params = append(inv.Params, u)
	}
	if strings.EqualFold(c.name, "Mount-Database") {
		for _, p := range c.params {
			if strings.EqualFold(p.name, "Force") {
				return fmt.Errorf("fakeshell: dialtone never mounts with -Force: it mounts an empty database where the expected file is missing")
			}
		}
	}
	if probs := ems.Check(inv, sh.version); len(probs) > 0 {
		return fmt.Errorf("fakeshell: %s (Exchange %s, per Microsoft's reference)", probs[0].Msg, sh.version)
	}
	return nil
}
