package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// exampleRef is the reference shown in diagnostics for each kind.
var exampleRef = map[string]string{
	KindServer:   "server.EX01",
	KindDatabase: "database.DB01",
	KindRecovery: "recovery.db01-outage",
	KindDrill:    "drill.db01-lost",
}

// parseRef turns a reference attribute into the address it names, without
// evaluating it. The expression must be exactly KIND.NAME of the wanted kind, or
// KIND["NAME"], or KIND[EXPR] with a name computed from var, local or each.
func parseRef(expr hcl.Expression, kind string) (Addr, hcl.Diagnostics) {
	bad := hcl.Diagnostics{errorAt(expr.Range(), "Invalid reference",
		"Expected a reference like %s: the word %s, a dot, and the name of a declared %s block, without quotes.",
		exampleRef[kind], kind, kind)}
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return computedRef(expr, kind, bad)
	}
	if len(trav) != 2 || trav.RootName() != kind {
		return Addr{}, bad
	}
	switch step := trav[1].(type) {
	case hcl.TraverseAttr:
		return Addr{Kind: kind, Name: step.Name}, nil
	case hcl.TraverseIndex:
		if step.Key.Type() == cty.String && !step.Key.IsNull() {
			return Addr{Kind: kind, Name: step.Key.AsString()}, nil
		}
	}
	return Addr{}, bad
}

// computedRef reads KIND[EXPR], a reference whose name is computed from var, local or
// each (database["DB${each.key}"] in a recovery with for_each). The kind is still
// static; the name is evaluated in the block's context, at load time.
func computedRef(expr hcl.Expression, kind string, bad hcl.Diagnostics) (Addr, hcl.Diagnostics) {
	ix, ok := hcl.UnwrapExpression(expr).(*hclsyntax.IndexExpr)
	if !ok {
		return Addr{}, bad
	}
	coll, ok := ix.Collection.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(coll.Traversal) != 1 || coll.Traversal.RootName() != kind {
		return Addr{}, bad
	}
	var ctx *hcl.EvalContext
	lim := SizeLimits{}.orDefaults()
	if e, ok := expr.(evalExpr); ok {
		ctx, lim = e.ctx, e.lim
	}
	v, diags := literal(&hcl.Attribute{Name: kind + " name", Expr: evalExpr{ix.Key, ctx, lim}, Range: ix.Key.Range()}, cty.String, "a "+kind+" name")
	if v == cty.NilVal {
		return Addr{}, diags
	}
	return Addr{Kind: kind, Name: v.AsString()}, diags
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
