package config

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

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
		{Name: "schema_version"},
		{Name: "capacity"},
		{Name: "maximum_active_databases"},
	},
}

// MaxActiveDatabases bounds maximum_active_databases: no edition mounts more.
const MaxActiveDatabases = 100

// decodeServer decodes a server block and checks what it says on its own.
func (l *loader) decodeServer(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	body, diags := content(block.Body, serverSchema)
	s := &Server{Name: name, DeclRange: block.DefRange}
	diags = append(diags, decodeString(body.Attributes["site"], &s.Site)...)
	diags = append(diags, decodeString(body.Attributes["edition"], &s.Edition)...)
	diags = append(diags, decodeString(body.Attributes["version"], &s.Version)...)
	diags = append(diags, decodeServerLimits(s, body)...)

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

// decodeServerLimits decodes what a server block says about its databases: their
// schema version, the free disk of their volumes and the cap on mounted databases.
func decodeServerLimits(s *Server, body *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if attr := body.Attributes["schema_version"]; attr != nil {
		var v string
		d := decodeQuotedString(attr, &v, `like "0.132"`)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if schemaVersionRE.MatchString(v) {
				s.SchemaVersion = v
			} else {
				diags = append(diags, errorAt(attr.Expr.Range(), "Invalid schema version",
					"Server %s has schema_version %q. Write the CurrentSchemaVersion its databases report (Get-MailboxDatabase -Status), in the form 0.NNN without leading zeros, like \"0.132\"; leave schema_version out when it is not known.",
					s.Name, truncate(v)))
			}
		}
	}
	if attr := body.Attributes["capacity"]; attr != nil {
		var v string
		d := decodeString(attr, &v)
		diags = append(diags, d...)
		if !d.HasErrors() {
			n, problem := ParseSize(v)
			if problem != "" {
				diags = append(diags, errorAt(attr.Expr.Range(), "Invalid capacity",
					"Server %s has capacity %q: %s. capacity is the free disk of the server's database volumes, a number and a unit MB, GB or TB (binary units, as Exchange reports them: 1 GB is 1024^3 bytes), like \"500GB\" or \"1.5TB\"; leave it out when it is not known.",
					s.Name, truncate(v), problem))
			} else {
				s.CapacityBytes = n
			}
		}
	}
	if attr := body.Attributes["maximum_active_databases"]; attr != nil {
		n := 0
		d := decodeInt(attr, &n)
		diags = append(diags, d...)
		switch {
		case d.HasErrors():
		case n < 1 || n > MaxActiveDatabases:
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid maximum active databases",
				"Server %s has maximum_active_databases = %d; it must be between 1 and %d (Set-MailboxServer -MaximumActiveDatabases). Leave it out when the server has no such cap: the edition's limit applies.",
				s.Name, n, MaxActiveDatabases))
		default:
			s.MaximumActiveDatabases = n
			if limit := s.MountedDatabaseLimit(); limit > 0 && n > limit {
				diags = append(diags, warningAt(attr.Expr.Range(), "Maximum active databases above the edition's limit",
					"Server %s has maximum_active_databases = %d, but the %s edition mounts at most %d databases, so the edition's limit applies. Lower maximum_active_databases to %d or less, or leave it out.",
					s.Name, n, s.Edition, limit, limit))
			}
		}
	}
	return diags
}

// schemaVersionRE is the form of CurrentSchemaVersion: 0.NNN, no leading zeros.
var schemaVersionRE = regexp.MustCompile(`^0\.(0|[1-9][0-9]{0,5})$`)

// MaxCapacityBytes bounds capacity: 1 EB, far above any server and far below int64.
const MaxCapacityBytes = int64(1) << 60

var sizeRE = regexp.MustCompile(`^([0-9]{1,12})(\.[0-9]{1,6})? ?([a-zA-Z]+)$`)

var sizeUnits = map[string]int64{"mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}

// ParseSize parses a disk size such as "500GB", "1.5TB" or "750mb": a number (up to six
// decimals) and a unit MB, GB or TB (MiB, GiB, TiB too), case-insensitive, in binary
// units as Exchange reports sizes (1 GB = 1024^3 bytes). Fractional bytes are dropped.
// problem says why s is not a size, or is "" on success; a size of 0 is refused.
func ParseSize(s string) (bytes int64, problem string) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		if strings.TrimSpace(s) == "" {
			return 0, "it is empty"
		}
		if strings.Trim(strings.TrimSpace(s), "0123456789.") == "" {
			return 0, "it has no unit"
		}
		return 0, "it is not a number followed by a unit"
	}
	unit, ok := sizeUnits[strings.ToLower(m[3])]
	if !ok {
		return 0, fmt.Sprintf("%q is not a unit dialtone knows", m[3])
	}
	r, _ := new(big.Rat).SetString(m[1] + m[2]) // the pattern admits only decimals
	r.Mul(r, new(big.Rat).SetInt64(unit))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	switch {
	case n.Sign() == 0:
		return 0, "it is zero"
	case !n.IsInt64() || n.Int64() > MaxCapacityBytes:
		return 0, "it is larger than any disk (at most 1048576 TB)"
	}
	return n.Int64(), ""
}

// truncate shortens a value quoted back in a diagnostic.
func truncate(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "..."
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

// ActiveDatabaseLimit is how many databases the server may mount at once: the smaller
// of MountedDatabaseLimit (the edition's) and MaximumActiveDatabases when that is set.
// byCap reports that MaximumActiveDatabases is what applies (it is below the edition's
// limit, or the edition is unknown). limit is 0 when neither is known.
func (s *Server) ActiveDatabaseLimit() (limit int, byCap bool) {
	limit = s.MountedDatabaseLimit()
	if cap := s.MaximumActiveDatabases; cap > 0 && (limit == 0 || cap < limit) {
		return cap, true
	}
	return limit, false
}
