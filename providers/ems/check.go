package ems

import (
	"fmt"
	"sort"
	"strings"
)

// Invocation is one command as a script invokes it: its name, its named parameters in
// order, how many positional arguments it has, and where it is (Line, 1-based; 0 when
// it was not read from a script).
type Invocation struct {
	Cmd        string
	Params     []ParamUse
	Positional int
	Line       int
}

// ParamUse is one named parameter of an invocation. Literal is set when its value is
// written in the line (a quoted string, a bare word, a number), so that it can be
// checked against the valid values; a variable or an expression is not.
type ParamUse struct {
	Name     string
	HasValue bool
	Literal  bool
	Values   []string
}

// Invocations returns the invocations of the line's commands.
func (l Line) Invocations() []Invocation {
	out := make([]Invocation, 0, len(l.Pipe))
	for _, c := range l.Pipe {
		inv := Invocation{Cmd: c.Name}
		for _, a := range c.Args {
			if a.Name == "" {
				inv.Positional++
				continue
			}
			u := ParamUse{Name: a.Name, HasValue: a.Kind != Switch}
			switch a.Kind {
			case Str, Word, Int:
				u.Literal, u.Values = true, []string{a.Value}
			case Strs:
				u.Literal, u.Values = true, a.Values
			case Bool:
				u.Literal, u.Values = true, []string{a.Value}
			}
			inv.Params = append(inv.Params, u)
		}
		out = append(out, inv)
	}
	return out
}

// commonParams are PowerShell's common parameters: every cmdlet takes them, and the
// reference does not list them.
var commonParams = map[string]bool{
	"verbose": true, "debug": true, "erroraction": true, "warningaction": true, "informationaction": true,
	"errorvariable": true, "warningvariable": true, "informationvariable": true, "outvariable": true,
	"outbuffer": true, "pipelinevariable": true,
}

// powerShellCmdlets are the PowerShell (not Exchange) commands dialtone writes; their
// parameters are PowerShell's, not the reference's, and are not checked here.
var powerShellCmdlets = map[string]bool{}

func init() {
	for _, n := range []string{"Where-Object", "Select-Object", "ForEach-Object", "Sort-Object", "Measure-Object",
		"Out-Null", "Out-String", "Write-Host", "Write-Warning", "Write-Output", "Write-Error", "Read-Host", "Start-Sleep",
		"Format-Table", "Format-List", "New-Item", "Move-Item", "Remove-Item", "Copy-Item", "Test-Path", "Get-ChildItem",
		"Get-FileHash", "Get-Item", "Invoke-Command", "Restart-Service", "Get-Service", "Start-Service", "Select-String",
		"ConvertTo-Json", "New-Object", "ConvertTo-SecureString", "New-PSSession", "Import-PSSession", "Remove-PSSession",
		"Add-PSSnapin", "Get-Date", "Join-Path", "Split-Path", "Get-Content", "Set-Content", "Start-Transcript", "Stop-Transcript",
		"Stop-Service", "Rename-Item"} {
		powerShellCmdlets[strings.ToLower(n)] = true
	}
}

// IsPowerShellCmdlet reports whether name is one of the PowerShell (not Exchange)
// cmdlets dialtone writes.
func IsPowerShellCmdlet(name string) bool { return powerShellCmdlets[strings.ToLower(name)] }

// Problem is one way an invocation does not fit the reference.
type Problem struct {
	Invocation Invocation
	Msg        string
}

func (p Problem) Error() string {
	if p.Invocation.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Invocation.Line, p.Msg)
	}
	return p.Msg
}

// Check returns how inv does not fit Microsoft's reference for version v: an Exchange
// cmdlet that does not exist in v, a parameter that does not exist (in v), parameters
// that fit no single parameter set, a literal value that is not among the valid values
// (in v, where the reference gives them by version), a switch given a value or a
// parameter left without one. A command that is neither in the reference nor one of
// the PowerShell cmdlets dialtone writes is a problem too; native programs (no dash in
// the name) are not checked.
func Check(inv Invocation, v Version) []Problem {
	var out []Problem
	bad := func(format string, args ...any) {
		out = append(out, Problem{Invocation: inv, Msg: inv.Cmd + ": " + fmt.Sprintf(format, args...)})
	}
	c := Ref().Cmdlet(inv.Cmd)
	if c == nil {
		if strings.Contains(inv.Cmd, "-") && !IsPowerShellCmdlet(inv.Cmd) {
			bad("not in Microsoft's Exchange cmdlet reference (%s)", Ref().Source)
		}
		return out
	}
	if !c.In(v) {
		bad("does not exist in Exchange %s (the reference lists %s)", v, strings.Join(c.Applicable, ", "))
		return out
	}
	if inv.Positional > 0 {
		bad("%d positional arguments: dialtone names every parameter", inv.Positional)
	}
	var used []*ParamRef
	seen := map[string]bool{}
	for _, u := range inv.Params {
		key := strings.ToLower(u.Name)
		if seen[key] {
			bad("-%s is given twice", u.Name)
		}
		seen[key] = true
		if commonParams[key] {
			continue
		}
		p := c.Param(u.Name)
		if p == nil {
			bad("has no parameter -%s in any version", u.Name)
			continue
		}
		if !p.In(v) {
			bad("-%s does not exist in Exchange %s (the reference lists %s)", p.Name, v, strings.Join(p.Applicable, ", "))
			continue
		}
		if p.Name != u.Name {
			bad("-%s is spelled -%s in the reference", u.Name, p.Name)
		}
		used = append(used, p)
		switch {
		case p.Switch() && u.HasValue && !u.colonSwitch():
			bad("-%s is a switch: it takes no value", p.Name)
		case !p.Switch() && !u.HasValue:
			bad("-%s needs a value (%s)", p.Name, p.Type)
		}
		if vals := p.Values(v); vals != nil && u.Literal {
			for _, x := range u.Values {
				if !hasFold(vals, x) {
					bad("-%s %s is not a valid value in Exchange %s (valid: %s)", p.Name, x, v, strings.Join(vals, ", "))
				}
			}
		}
	}
	if sets := c.SetNames(); len(sets) > 0 && len(used) > 1 {
		fit := false
		for _, s := range sets {
			ok := true
			for _, p := range used {
				if !p.inSet(s) {
					ok = false
					break
				}
			}
			if ok {
				fit = true
				break
			}
		}
		if !fit {
			names := make([]string, len(used))
			for i, p := range used {
				names[i] = "-" + p.Name
			}
			sort.Strings(names)
			bad("the parameters %s fit no single parameter set (sets: %s)", strings.Join(names, " "), strings.Join(sets, ", "))
		}
	}
	return out
}

// colonSwitch reports whether a switch's value was given as -Switch:$value.
func (u ParamUse) colonSwitch() bool { return !u.Literal }

// CheckLines checks every invocation of lines for version v.
func CheckLines(lines []Line, v Version) []Problem {
	var out []Problem
	for _, l := range lines {
		for _, inv := range l.Invocations() {
			out = append(out, Check(inv, v)...)
		}
	}
	return out
}

func hasFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
