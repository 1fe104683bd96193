package config

import (
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Block bodies are decoded with body.Content and the helpers below rather than
// gohcl: gohcl imports hclwrite, whose go-cmp dependency this module does not carry.
// The bodies are wrapped (see eval.go) so that attr.Expr.Value(nil) evaluates with
// the block's context: var, local, each and the functions. A body decoded without
// that wrapping (tests) accepts literal values only.

// literal evaluates an attribute (in its block's context, see eval.go) and converts it
// to ty. It returns cty.NilVal, with a diagnostic saying why, when there is no usable
// value. A value from a sensitive variable is refused unless the argument is one of
// sensitiveAllowed; the value returned is unmarked.
func literal(attr *hcl.Attribute, ty cty.Type, what string) (cty.Value, hcl.Diagnostics) {
	if diags := checkNumberLiterals(attr.Expr); diags != nil {
		return cty.NilVal, diags
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if isSensitive(v) {
		if !sensitiveAllowed[attr.Name] {
			return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Sensitive value not allowed here",
				"The argument %q takes its value from a sensitive variable. Whatever %q holds flows into plans, plan files, the state or logs, where a sensitive value must never appear; only %s may take one. Use a variable without sensitive = true here.",
				attr.Name, attr.Name, sensitivePlaces())}
		}
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		// It uses a variable or local that failed, already reported.
		return cty.NilVal, hcl.Diagnostics{skipped(attr.Expr.Range())}
	}
	if v.IsNull() || !v.IsWhollyKnown() {
		return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Missing value",
			"The argument %q needs %s, not null.", attr.Name, what)}
	}
	if v.Type() == cty.Number && !reasonable(v.AsBigFloat()) {
		return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Number out of range",
			"The argument %q has a number far too large or too small for any setting of dialtone.", attr.Name)}
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Unsuitable value type",
			"The argument %q needs %s: %s.", attr.Name, what, err)}
	}
	if d := checkInvisibleValue(cv, attr); d != nil {
		return cty.NilVal, d
	}
	return cv, nil
}

// checkInvisibleValue refuses a string (or a string in a list, set, tuple, map or
// object) holding an invisible or direction-changing character (checkInvisible).
func checkInvisibleValue(v cty.Value, attr *hcl.Attribute) hcl.Diagnostics {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return checkInvisible(v.AsString(), attr.Expr.Range(), fmt.Sprintf("The value of %s", attr.Name))
	case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if k.Type() == cty.String {
				if d := checkInvisible(k.AsString(), attr.Expr.Range(), fmt.Sprintf("A key of %s", attr.Name)); d != nil {
					return d
				}
			}
			if d := checkInvisibleValue(e, attr); d != nil {
				return d
			}
		}
	}
	return nil
}

// decodeString sets *dst from a string attribute; a nil attr leaves *dst alone.
func decodeString(attr *hcl.Attribute, dst *string) hcl.Diagnostics {
	if attr == nil {
		return nil
	}
	v, diags := literal(attr, cty.String, "a string")
	if v != cty.NilVal {
		*dst = v.AsString()
	}
	return diags
}

// decodeQuotedString is decodeString for values that only a string can carry: a
// number such as 0.130 would lose its trailing zero on the way to text, so it is
// refused. example shows the quoted form.
func decodeQuotedString(attr *hcl.Attribute, dst *string, example string) hcl.Diagnostics {
	if attr == nil {
		return nil
	}
	v, diags := literal(attr, cty.DynamicPseudoType, "a string")
	if v == cty.NilVal {
		return diags
	}
	if v.Type() != cty.String {
		return hcl.Diagnostics{errorAt(attr.Expr.Range(), "Unsuitable value type",
			"The argument %q needs a string in quotes, %s.", attr.Name, example)}
	}
	*dst = v.AsString()
	return nil
}

// decodeBool sets *dst from a bool attribute; a nil attr leaves *dst alone.
func decodeBool(attr *hcl.Attribute, dst *bool) hcl.Diagnostics {
	if attr == nil {
		return nil
	}
	v, diags := literal(attr, cty.Bool, "true or false")
	if v != cty.NilVal {
		*dst = v.True()
	}
	return diags
}

// decodeInt sets *dst from a whole-number attribute; a nil attr leaves *dst alone.
func decodeInt(attr *hcl.Attribute, dst *int) hcl.Diagnostics {
	if attr == nil {
		return nil
	}
	v, diags := literal(attr, cty.Number, "a whole number")
	if v == cty.NilVal {
		return diags
	}
	n, err := wholeNumber(v)
	if err != nil {
		return hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid number",
			"The argument %q needs a whole number: %s.", attr.Name, err)}
	}
	*dst = n
	return nil
}

// wholeNumber converts a known cty.Number to an int, refusing fractions and values
// beyond ±2^31 (no setting of ours comes near; bounding them keeps arithmetic safe).
func wholeNumber(v cty.Value) (int, error) {
	bf := v.AsBigFloat()
	if !reasonable(bf) {
		return 0, fmt.Errorf("the number is out of range")
	}
	if !bf.IsInt() {
		return 0, fmt.Errorf("%s has a fractional part", bf.Text('g', -1))
	}
	n, acc := bf.Int64()
	if acc != big.Exact || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, fmt.Errorf("%s is out of range", bf.Text('g', -1))
	}
	return int(n), nil
}

// singleBlocks splits a body's nested blocks by type, reporting a second block of any
// type that allows only one.
func singleBlocks(blocks hcl.Blocks) (map[string]*hcl.Block, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	byType := map[string]*hcl.Block{}
	for _, b := range blocks {
		if first, ok := byType[b.Type]; ok {
			diags = append(diags, errorAt(b.DefRange, "Duplicate "+b.Type+" block",
				"A %s block was already declared at %s. Only one is allowed here; remove one of them.",
				b.Type, first.DefRange))
			continue
		}
		byType[b.Type] = b
	}
	return byType, diags
}

// content is body.Content that never returns nil content, so callers can index it.
func content(body hcl.Body, schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, diags := body.Content(schema)
	if c == nil {
		c = &hcl.BodyContent{Attributes: hcl.Attributes{}}
	}
	return c, diags
}

// valueRange is the range of an attribute's value, or of the zero range when absent.
func valueRange(attr *hcl.Attribute) hcl.Range {
	if attr == nil {
		return hcl.Range{}
	}
	return attr.Expr.Range()
}

// maxExponent bounds the binary exponent of numbers we accept (about 1e±77).
// Formatting a number such as 1e9999999 as text takes cty (and big.Float) minutes,
// so such numbers are refused before anything converts or prints them.
const maxExponent = 256

// reasonable reports whether a number is finite and within ±2^maxExponent, and not
// a fraction smaller than 2^-maxExponent.
func reasonable(bf *big.Float) bool {
	if bf.IsInf() {
		return false
	}
	if bf.Sign() == 0 {
		return true
	}
	exp := bf.MantExp(nil)
	return exp <= maxExponent && exp >= -maxExponent
}

// checkNumberLiterals refuses an expression holding a numeric literal that is not
// reasonable, before evaluation: a template such as "${1e9999999}" would otherwise
// format it while evaluating.
func checkNumberLiterals(expr hcl.Expression) hcl.Diagnostics {
	node, ok := hcl.UnwrapExpression(expr).(hclsyntax.Node)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	_ = hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		lit, ok := n.(*hclsyntax.LiteralValueExpr)
		if ok && diags == nil && lit.Val.Type() == cty.Number && lit.Val.IsKnown() && !lit.Val.IsNull() && !reasonable(lit.Val.AsBigFloat()) {
			diags = hcl.Diagnostics{errorAt(lit.Range(), "Number out of range",
				"This number is far too large or too small for any setting of dialtone.")}
		}
		return nil
	})
	return diags
}

// skippedMarker marks the error literal returns for a value that depends on a failed
// variable or local: it stops the checks of that value like any error, and Load
// drops it, since the failure was already reported where it happened.
type skippedMarker struct{}

func skipped(rng hcl.Range) *hcl.Diagnostic {
	d := errorAt(rng, "Value depends on an invalid variable or local", "See the error reported for it.")
	d.Extra = skippedMarker{}
	return d
}

// dropSkipped removes the skipped diagnostics.
func dropSkipped(diags hcl.Diagnostics) hcl.Diagnostics {
	out := diags[:0]
	for _, d := range diags {
		if _, ok := d.Extra.(skippedMarker); !ok {
			out = append(out, d)
		}
	}
	return out
}
