package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// exampleRef is the reference shown in diagnostics for each kind.
var exampleRef = map[string]string{
	KindServer:   "server.EX01",
	KindDatabase: "database.DB01",
	KindRecovery: "recovery.db01-outage",
	KindDrill:    "drill.db01-lost",
}

// parseRef turns a reference attribute into the address it names, without
// evaluating it. The expression must be exactly KIND.NAME of the wanted kind.
func parseRef(expr hcl.Expression, kind string) (Addr, hcl.Diagnostics) {
	bad := hcl.Diagnostics{errorAt(expr.Range(), "Invalid reference",
		"Expected a reference like %s: the word %s, a dot, and the name of a declared %s block, without quotes.",
		exampleRef[kind], kind, kind)}
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(trav) != 2 {
		return Addr{}, bad
	}
	step, ok := trav[1].(hcl.TraverseAttr)
	if trav.RootName() != kind || !ok {
		return Addr{}, bad
	}
	return Addr{Kind: kind, Name: step.Name}, nil
}

// isAbsent reports whether an optional expression was left out (gohcl gives a null
// placeholder) or set to null.
func isAbsent(expr hcl.Expression) bool {
	if expr == nil {
		return true
	}
	if checkNumberLiterals(expr) != nil {
		return false // parseRef will call it an invalid reference
	}
	v, diags := expr.Value(nil)
	return !diags.HasErrors() && v.IsNull()
}

// undeclared reports a reference to a block that does not exist, listing what does.
func undeclared(ref Addr, rng hcl.Range, declared []string) *hcl.Diagnostic {
	sort.Strings(declared)
	detail := fmt.Sprintf("A %s named %q is not declared.", ref.Kind, ref.Name)
	if len(declared) == 0 {
		detail += fmt.Sprintf(" No %s is declared; add a %s %q block.", ref.Kind, ref.Kind, ref.Name)
	} else {
		detail += fmt.Sprintf(" Declared %ss: %s.", ref.Kind, strings.Join(declared, ", "))
	}
	for _, name := range declared {
		if strings.EqualFold(name, ref.Name) {
			detail += fmt.Sprintf(" Did you mean %s.%s? Names in references are case-sensitive.", ref.Kind, name)
			break
		}
	}
	return errorAt(rng, "Reference to undeclared "+ref.Kind, "%s", detail)
}
