package config

import (
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Block bodies are decoded with body.Content and the helpers below rather than
// gohcl: gohcl imports hclwrite, whose go-cmp dependency this module does not carry.
// The effect is the same: a nil EvalContext, so only literal values are accepted and
// a reference in a plain value gets HCL's "Variables not allowed".

// literal evaluates an attribute with no variables or functions and converts it to ty.
// ok is false when a diagnostic explains why there is no value.
func literal(attr *hcl.Attribute, ty cty.Type, what string) (cty.Value, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if v.IsNull() || !v.IsWhollyKnown() {
		return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Missing value",
			"The argument %q needs %s, not null.", attr.Name, what)}
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Unsuitable value type",
			"The argument %q needs %s: %s.", attr.Name, what, err)}
	}
	return cv, nil
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
