package config

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Editions of Exchange Server: the edition sets how many databases a server mounts.
const (
	EditionStandard   = "standard"
	EditionEnterprise = "enterprise"
)

// Editions lists the valid server editions.
var Editions = []string{EditionStandard, EditionEnterprise}

var serverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "site"},
		{Name: "edition", Required: true},
		{Name: "version", Required: true},
	},
}

// decodeServer decodes a server block and checks what it says on its own.
func (l *loader) decodeServer(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	body, diags := content(block.Body, serverSchema)
	s := &Server{Name: name, DeclRange: block.DefRange}
	diags = append(diags, decodeString(body.Attributes["site"], &s.Site)...)
	diags = append(diags, decodeString(body.Attributes["edition"], &s.Edition)...)
	diags = append(diags, decodeString(body.Attributes["version"], &s.Version)...)

	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, errorAt(block.LabelRanges[0], "Invalid server name",
			"%q cannot be referenced as server.NAME. A server name starts with a letter and holds only letters, digits, hyphens and underscores, like \"EX01\".", name))
	}
	if s.Edition != "" && !oneOf(s.Edition, Editions) {
		diags = append(diags, errorAt(valueRange(body.Attributes["edition"]), "Invalid server edition",
			"Server %s has edition %q. The edition is %s: it sets how many databases the server can mount (5 or 100).",
			name, s.Edition, quoteList(Editions)))
	}
	if s.Version != "" {
		if _, ok := ParseBuild(s.Version); !ok {
			diags = append(diags, errorAt(valueRange(body.Attributes["version"]), "Invalid Exchange version",
				"Server %s has version %q. Write the full Exchange build number, 15.MINOR.BUILD.REVISION: 15.0 is Exchange 2013, 15.1 Exchange 2016, 15.2 Exchange 2019 and SE (for example \"15.2.1544.4\"). Earlier versions are not supported.",
				name, s.Version))
		}
	}

	for other, first := range l.cfg.Servers {
		// Exchange server names are case-insensitive: EX01 and ex01 are one machine.
		if strings.EqualFold(other, name) {
			return append(diags, duplicate(KindServer, name, block.LabelRanges[0], first.DeclRange))
		}
	}
	l.cfg.Servers[name] = s
	return diags
}

// Build is an Exchange 2013-or-later build number, 15.MINOR.BUILD.REVISION.
type Build struct {
	Major, Minor, Build, Revision int
}

// ParseBuild parses an Exchange build number such as "15.2.1544.4". It accepts only
// 15.0 (2013), 15.1 (2016) and 15.2 (2019 and SE); ok is false for anything else.
func ParseBuild(v string) (b Build, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return Build{}, false
	}
	var n [4]int
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return Build{}, false
		}
		n[i], _ = strconv.Atoi(p) // at most 9 digits: cannot fail
	}
	b = Build{Major: n[0], Minor: n[1], Build: n[2], Revision: n[3]}
	if b.Major != 15 || b.Minor > 2 {
		return Build{}, false
	}
	return b, true
}

// Schema is the major.minor version that decides whether databases can move between
// servers: "15.0", "15.1" or "15.2". Database schema versions are not published per
// build, so dialtone compares these (exchange-recovery.md 3.1).
func (b Build) Schema() string {
	return strconv.Itoa(b.Major) + "." + strconv.Itoa(b.Minor)
}

// Product names the Exchange release of a build, for messages.
func (b Build) Product() string {
	switch b.Minor {
	case 0:
		return "Exchange 2013"
	case 1:
		return "Exchange 2016"
	default:
		return "Exchange 2019 or SE"
	}
}

// MountedDatabaseLimit is how many databases the server can mount at once (recovery
// databases excluded): 5 on standard edition, 100 on enterprise (50 on Exchange 2013
// builds before 15.0.712, that is RTM and CU1). It is 0 when the edition is unknown.
// An unparsable version counts as a current build.
func (s *Server) MountedDatabaseLimit() int {
	switch s.Edition {
	case EditionStandard:
		return 5
	case EditionEnterprise:
		if b, ok := ParseBuild(s.Version); ok && b.Minor == 0 && b.Build < 712 {
			return 50
		}
		return 100
	}
	return 0
}
