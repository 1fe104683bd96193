package ems

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// referenceJSON is Microsoft's cmdlet reference as data, a copy of
// ../shared/reference/exchange-cmdlets.json (a test holds the two equal when the shared
// copy is present). It is embedded so that a clean clone, CI and the PowerShell double
// check against the same facts without reading anything at run time.
//
//go:embed reference/exchange-cmdlets.json
var referenceJSON []byte

// ReferenceJSON returns the embedded reference file's bytes.
func ReferenceJSON() []byte { return referenceJSON }

// Version is an Exchange Server version as the reference names it: 2013, 2016, 2019, SE.
type Version string

// The versions dialtone supports (the reference also knows 2010).
const (
	V2013 Version = "2013"
	V2016 Version = "2016"
	V2019 Version = "2019"
	VSE   Version = "SE"
)

// Versions lists the supported versions, oldest first.
var Versions = []Version{V2013, V2016, V2019, VSE}

// firstSEBuild is the first build of Exchange Server SE (15.2.2562); older 15.2 builds
// are Exchange 2019.
const firstSEBuild = 2562

// VersionOf returns the version of an Exchange build ("15.0.1497.2" is 2013, "15.1.x"
// 2016, "15.2.x" 2019 below build 2562 and SE from it), and false when the build is not
// one of Exchange 2013 to SE.
func VersionOf(build string) (Version, bool) {
	parts := strings.Split(strings.TrimSpace(build), ".")
	if len(parts) < 2 || parts[0] != "15" {
		return "", false
	}
	switch parts[1] {
	case "0":
		return V2013, true
	case "1":
		return V2016, true
	case "2":
		if len(parts) > 2 {
			if n, err := strconv.Atoi(parts[2]); err == nil && n >= firstSEBuild {
				return VSE, true
			}
		}
		return V2019, true
	}
	return "", false
}

// Reference is the parsed reference: cmdlets by name.
type Reference struct {
	Source   string                `json:"source"`
	Versions []string              `json:"versions"`
	Cmdlets  map[string]*CmdletRef `json:"cmdlets"`

	lower map[string]*CmdletRef
}

// CmdletRef is one cmdlet: the versions it exists in, its parameter sets and parameters.
type CmdletRef struct {
	Name          string
	Applicable    []string             `json:"applicable"`
	ParameterSets map[string][]string  `json:"parameter_sets"`
	Parameters    map[string]*ParamRef `json:"parameters"`
	lower         map[string]*ParamRef
}

// ParamRef is one parameter of a cmdlet.
type ParamRef struct {
	Name                 string
	Applicable           []string            `json:"applicable"`
	Type                 string              `json:"type"`
	Sets                 string              `json:"sets"`
	Required             string              `json:"required"`
	ValidValues          []string            `json:"valid_values"`
	ValidValuesByVersion map[string][]string `json:"valid_values_by_version"`
	sets                 map[string]bool     // nil: every set
}

var (
	refOnce sync.Once
	ref     *Reference
	refErr  error
)

// Ref returns the embedded reference, parsed once.
func Ref() *Reference {
	refOnce.Do(func() { ref, refErr = ParseReference(referenceJSON) })
	if refErr != nil {
		panic("ems: the embedded reference does not parse: " + refErr.Error()) // a build defect, caught by every test
	}
	return ref
}

// ParseReference reads a reference file.
func ParseReference(data []byte) (*Reference, error) {
	r := &Reference{}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, err
	}
	if len(r.Cmdlets) == 0 {
		return nil, fmt.Errorf("no cmdlets")
	}
	r.lower = make(map[string]*CmdletRef, len(r.Cmdlets))
	for name, c := range r.Cmdlets {
		if c == nil {
			return nil, fmt.Errorf("cmdlet %s: empty", name)
		}
		c.Name = name
		r.lower[strings.ToLower(name)] = c
		c.lower = make(map[string]*ParamRef, len(c.Parameters))
		for pn, p := range c.Parameters {
			if p == nil {
				return nil, fmt.Errorf("cmdlet %s: parameter %s: empty", name, pn)
			}
			p.Name = pn
			c.lower[strings.ToLower(pn)] = p
			if p.Sets != "(All)" && p.Sets != "" {
				p.sets = map[string]bool{}
				for _, s := range strings.Split(p.Sets, ",") {
					p.sets[strings.TrimSpace(s)] = true
				}
			}
		}
		for set, params := range c.ParameterSets {
			for _, pn := range params {
				if p := c.lower[strings.ToLower(pn)]; p != nil && p.sets != nil {
					p.sets[set] = true
				}
			}
		}
	}
	return r, nil
}

// Cmdlet returns the cmdlet of that name (any case), or nil.
func (r *Reference) Cmdlet(name string) *CmdletRef { return r.lower[strings.ToLower(name)] }

// Param returns the parameter of that name (any case), or nil.
func (c *CmdletRef) Param(name string) *ParamRef { return c.lower[strings.ToLower(name)] }

// In reports whether the cmdlet exists in version v.
func (c *CmdletRef) In(v Version) bool { return has(c.Applicable, string(v)) }

// In reports whether the parameter exists in version v.
func (p *ParamRef) In(v Version) bool { return has(p.Applicable, string(v)) }

// Switch reports whether the parameter is a switch (it takes no value).
func (p *ParamRef) Switch() bool { return p.Type == "SwitchParameter" }

// Values returns the valid values of the parameter in version v, or nil when the
// reference does not enumerate them.
func (p *ParamRef) Values(v Version) []string {
	vs, ok := p.ValidValuesByVersion[string(v)]
	if !ok {
		vs = p.ValidValues
	}
	if p.Type == "Boolean" && len(vs) == 1 && (strings.EqualFold(vs[0], "$true") || strings.EqualFold(vs[0], "$false")) {
		// The reference was extracted from the parameter's description, which for some
		// Booleans names only the value that changes the default ("-MountAtStartup
		// $false ..."): a single Boolean value there is an extraction error, not a
		// restriction. A Boolean takes both.
		return []string{"$true", "$false"}
	}
	return vs
}

// SetNames returns the cmdlet's parameter set names, sorted; nil when it has one.
func (c *CmdletRef) SetNames() []string {
	out := make([]string, 0, len(c.ParameterSets))
	for s := range c.ParameterSets {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// inSet reports whether the parameter belongs to parameter set s.
func (p *ParamRef) inSet(s string) bool { return p.sets == nil || p.sets[s] }

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
