package config

import (
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// maxDatabaseName is Exchange's limit on a database name (exchange-recovery.md 1.3).
const maxDatabaseName = 64

// checkDatabaseName checks a name Exchange will give a database object: database
// blocks, dial tone databases and recovery databases alike. what is "database",
// "dial tone database" or "recovery database".
func checkDatabaseName(name string, rng hcl.Range, what string) hcl.Diagnostics {
	switch {
	case strings.TrimSpace(name) == "":
		return hcl.Diagnostics{errorAt(rng, "Invalid database name",
			"The %s has an empty name. Give it the name Exchange should show, like \"DB01\".", what)}
	case utf8.RuneCountInString(name) > maxDatabaseName:
		return hcl.Diagnostics{errorAt(rng, "Database name too long",
			"The %s name %q has %d characters; Exchange allows at most %d. Choose a shorter name.",
			what, name, utf8.RuneCountInString(name), maxDatabaseName)}
	case strings.ContainsAny(name, `\/:*?"<>|`) || hasControl(name) || !utf8.ValidString(name):
		return hcl.Diagnostics{errorAt(rng, "Invalid database name",
			`The %s name %q contains a character Exchange refuses in database names (\ / : * ? " < > | or a control character). Use letters, digits, spaces, hyphens and underscores.`,
			what, name)}
	}
	return nil
}
