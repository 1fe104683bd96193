// Package importhcl writes the HCL of "dialtone import": the servers and databases an
// organization has and a folder does not declare yet, in the canonical layout.
package importhcl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// Result is what an import writes and what it says about it.
type Result struct {
	HCL                              []byte
	AddedServers, AddedDatabases     []string
	SkippedServers, SkippedDatabases []string // already declared in the folder
	RecoveryDatabases                []string // never imported
	Notes                            []string
}

// Build renders the servers and databases of obs that cfg does not declare, in
// name order (case-insensitive, as Exchange compares names), in the canonical layout.
// A database name a recovery already gives its dial tone or recovery database counts
// as declared: importing it would declare the name twice.
func Build(obs *state.Observed, cfg *config.Config, header string) *Result {
	res := &Result{}
	declaredServers := map[string]bool{}
	for name := range cfg.Servers {
		declaredServers[strings.ToLower(name)] = true
	}
	declaredDatabases := map[string]bool{}
	for name := range cfg.Databases {
		declaredDatabases[strings.ToLower(name)] = true
	}
	for _, r := range cfg.Recoveries {
		if r.DialTone != nil {
			declaredDatabases[strings.ToLower(r.DialTone.Name)] = true
		}
		if r.RecoveryDatabase != nil {
			declaredDatabases[strings.ToLower(r.RecoveryDatabase.Name)] = true
		}
	}

	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for _, name := range sortedNames(obs.Servers) {
		if declaredServers[strings.ToLower(name)] {
			res.SkippedServers = append(res.SkippedServers, name)
			continue
		}
		s := obs.Servers[name]
		body.AppendNewline()
		b := body.AppendNewBlock("server", []string{name}).Body()
		if s.Site != "" {
			b.SetAttributeValue("site", cty.StringVal(s.Site))
		}
		b.SetAttributeValue("edition", cty.StringVal(s.Edition))
		b.SetAttributeValue("version", cty.StringVal(s.Version))
		if s.SchemaVersion != "" {
			b.SetAttributeValue("schema_version", cty.StringVal(s.SchemaVersion))
		}
		if s.MaximumActiveDatabases > 0 {
			b.SetAttributeValue("maximum_active_databases", cty.NumberIntVal(int64(s.MaximumActiveDatabases)))
		}
		if !hclsyntax.ValidIdentifier(name) {
			res.Notes = append(res.Notes, fmt.Sprintf("server %q cannot be referenced as server.NAME (a name starts with a letter and holds only letters, digits, hyphens and underscores); validate will say so.", name))
		}
		res.AddedServers = append(res.AddedServers, name)
	}
	for _, name := range sortedNames(obs.Databases) {
		d := obs.Databases[name]
		if d.Recovery {
			res.RecoveryDatabases = append(res.RecoveryDatabases, name)
			continue
		}
		if declaredDatabases[strings.ToLower(name)] {
			res.SkippedDatabases = append(res.SkippedDatabases, name)
			continue
		}
		body.AppendNewline()
		b := body.AppendNewBlock("database", []string{name}).Body()
		b.SetAttributeTraversal("server", serverRef(d.Server))
		b.SetAttributeValue("edb_file_path", cty.StringVal(d.EdbFilePath))
		b.SetAttributeValue("log_folder_path", cty.StringVal(d.LogFolderPath))
		if len(d.Copies) > 0 {
			// Every copy the organization has, healthy or not: copies is the topology
			// (which servers hold one), not its health, which the state tracks.
			elems := make([]hclwrite.Tokens, len(d.Copies))
			for i, c := range d.Copies {
				elems[i] = hclwrite.TokensForTraversal(serverRef(c.Server))
			}
			b.SetAttributeRaw("copies", hclwrite.TokensForTuple(elems))
		}
		res.AddedDatabases = append(res.AddedDatabases, name)
	}
	out := append([]byte(header), hclwrite.Format(f.Bytes())...)
	if len(res.AddedServers)+len(res.AddedDatabases) == 0 {
		out = append(out, []byte("\n# Nothing to add: every server and database is already declared.\n")...)
	}
	res.HCL = out
	return res
}

// serverRef is the traversal server.NAME.
func serverRef(name string) hcl.Traversal {
	return hcl.Traversal{hcl.TraverseRoot{Name: "server"}, hcl.TraverseAttr{Name: name}}
}

// sortedNames returns the keys of m in case-insensitive order (ties by bytes), so that
// the same organization gives the same bytes.
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := strings.ToLower(names[i]), strings.ToLower(names[j])
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	return names
}

// Time is when the organization was read, for the header: now, or
// SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds convention) when it is
// set, so that the same organization gives the same bytes where that matters (tests,
// a repository that commits the import). The header's time is the only line that
// otherwise differs between two imports of the same organization.
func Time(getenv func(string) string) (time.Time, error) {
	v := strings.TrimSpace(getenv("SOURCE_DATE_EPOCH"))
	if v == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970-01-01 UTC", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Header is the comment at the top of an import: when, and through which
// provider. It names the provider's type and, for the lab, its folder; never a
// credential, a user name or a connection URI.
func Header(cfg *config.Config, at time.Time) string {
	kind := "lab"
	if cfg.Provider != nil && cfg.Provider.Type != "" {
		kind = cfg.Provider.Type
	}
	return fmt.Sprintf("# Written by \"dialtone import\" from the organization read through provider %q\n# on %s. Edit freely: a new import adds only what no *.hcl file declares.\n",
		kind, at.Format(time.RFC3339))
}
