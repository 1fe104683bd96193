package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Expressions are evaluated with an hcl.EvalContext holding var (the variables'
// values), local (the locals) and, inside a block with for_each, each (each.key and
// each.value), plus the functions below. The decode helpers keep calling
// attr.Expr.Value(nil): the bodies handed to them are wrapped (evalBody) so that every
// attribute's expression carries the context of its block. References (server =
// server.EX01) are never evaluated: hcl.AbsTraversalForExpr unwraps the expression
// and reads it as a static traversal.

// sensitiveMark marks values that come from a variable with sensitive = true. Marks
// follow a value through templates and functions, so "${var.secret}x" is sensitive too.
const sensitiveMark = "sensitive"

// functions are the functions available in expressions: a few of go-cty's standard
// library, named as in Terraform.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"coalesce":   stdlib.CoalesceFunc,
		"concat":     stdlib.ConcatFunc,
		"contains":   stdlib.ContainsFunc,
		"format":     boundedFormat(stdlib.FormatFunc),
		"formatlist": boundedFormat(stdlib.FormatListFunc),
		"join":       stdlib.JoinFunc,
		"keys":       stdlib.KeysFunc,
		"length":     stdlib.LengthFunc,
		"lookup":     stdlib.LookupFunc,
		"lower":      stdlib.LowerFunc,
		"max":        stdlib.MaxFunc,
		"merge":      stdlib.MergeFunc,
		"min":        stdlib.MinFunc,
		"replace":    stdlib.ReplaceFunc,
		"split":      stdlib.SplitFunc,
		"substr":     stdlib.SubstrFunc,
		"title":      stdlib.TitleFunc,
		"tobool":     stdlib.MakeToFunc(cty.Bool),
		"tolist":     stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":      stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":   stdlib.MakeToFunc(cty.Number),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":   stdlib.MakeToFunc(cty.String),
		"trimspace":  stdlib.TrimSpaceFunc,
		"upper":      stdlib.UpperFunc,
		"values":     stdlib.ValuesFunc,
	}
}

// FunctionNames lists the functions expressions may call, sorted.
func FunctionNames() []string { return names(functions()) }

// evalContext builds the context of the root: var and local.
func evalContext(vars, locals map[string]cty.Value) *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":   objectOf(vars),
			"local": objectOf(locals),
		},
		Functions: functions(),
	}
}

// objectOf is cty.ObjectVal that accepts an empty or nil map.
func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// withEach is a child context of parent with each.key and each.value.
func withEach(parent *hcl.EvalContext, key string, value cty.Value) *hcl.EvalContext {
	child := parent.NewChild()
	child.Variables = map[string]cty.Value{
		"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": value}),
	}
	return child
}

// evalExpr is an expression bound to the context of its block, and to the size limits
// its values must keep (whoever evaluates it: the loader, or a caller of the Config).
type evalExpr struct {
	hcl.Expression
	ctx *hcl.EvalContext
	lim SizeLimits
}

// Value evaluates with the bound context unless the caller passes one.
func (e evalExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if ctx == nil {
		ctx = e.ctx
	}
	v, diags := e.Expression.Value(ctx)
	if !diags.HasErrors() {
		if d := checkValueSize(v, e.lim, e.Expression.Range()); d != nil {
			return cty.DynamicVal, append(diags, d)
		}
	}
	return v, diags
}

// UnwrapExpression lets hcl.AbsTraversalForExpr, hcl.ExprList and friends see the
// syntax underneath.
func (e evalExpr) UnwrapExpression() hcl.Expression { return e.Expression }

// bind returns child bound to the context parent is bound to (an element of a list
// expression that hcl.ExprList returned unbound).
func bind(parent, child hcl.Expression) hcl.Expression {
	if p, ok := parent.(evalExpr); ok && child != nil {
		return evalExpr{child, p.ctx, p.lim}
	}
	return child
}

// evalBody is a body whose attributes (and those of its nested blocks) come out
// bound to ctx.
type evalBody struct {
	hcl.Body
	ctx *hcl.EvalContext
	lim SizeLimits
}

func bindBody(body hcl.Body, ctx *hcl.EvalContext, lim SizeLimits) hcl.Body {
	if ctx == nil || body == nil {
		return body
	}
	return evalBody{body, ctx, lim}
}

func (b evalBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, diags := b.Body.Content(schema)
	return b.wrap(c), diags
}

func (b evalBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	c, rest, diags := b.Body.PartialContent(schema)
	return b.wrap(c), bindBody(rest, b.ctx, b.lim), diags
}

func (b evalBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := b.Body.JustAttributes()
	return b.wrapAttrs(attrs), diags
}

func (b evalBody) wrap(c *hcl.BodyContent) *hcl.BodyContent {
	if c == nil {
		return nil
	}
	out := *c
	out.Attributes = b.wrapAttrs(c.Attributes)
	out.Blocks = make(hcl.Blocks, len(c.Blocks))
	for i, blk := range c.Blocks {
		cp := *blk
		cp.Body = bindBody(blk.Body, b.ctx, b.lim)
		out.Blocks[i] = &cp
	}
	return &out
}

func (b evalBody) wrapAttrs(attrs hcl.Attributes) hcl.Attributes {
	if attrs == nil {
		return nil
	}
	out := make(hcl.Attributes, len(attrs))
	for name, a := range attrs {
		cp := *a
		cp.Expr = evalExpr{a.Expr, b.ctx, b.lim}
		out[name] = &cp
	}
	return out
}

// isSensitive reports whether v, or anything in it, came from a sensitive variable.
func isSensitive(v cty.Value) bool {
	if !v.ContainsMarked() {
		return false
	}
	_, pvm := v.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[sensitiveMark]; ok {
			return true
		}
	}
	return false
}

// sensitiveAllowed lists the arguments that may take a sensitive value: their values
// are never rendered, planned, saved in state or plan files, or logged. Everything
// else flows into plans (names, paths, backup sets, priorities) and refuses one.
var sensitiveAllowed = map[string]bool{
	"conn_str": true, // backend "pg": used to connect, never printed
}

// reasonableValue reports whether every number in v is reasonable (see reasonable).
func reasonableValue(v cty.Value) bool {
	ok := true
	v, _ = v.UnmarkDeep()
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if x.IsKnown() && !x.IsNull() && x.Type() == cty.Number && !reasonable(x.AsBigFloat()) {
			ok = false
		}
		return ok, nil
	})
	return ok
}

// convertValue converts v to ty, keeping marks.
func convertValue(v cty.Value, ty cty.Type) (cty.Value, error) {
	return convert.Convert(v, ty)
}

// sensitivePlaces names the arguments that accept sensitive values, for diagnostics.
func sensitivePlaces() string {
	return `conn_str (backend "pg")`
}
