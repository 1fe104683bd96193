package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Variable is a variable "NAME" block and the value in effect for this load.
type Variable struct {
	Name string
	// Type is the declared type constraint; cty.DynamicPseudoType when left out (any).
	Type cty.Type
	// TypeName is the constraint as written ("string", "list(string)"); "" for any.
	TypeName    string
	Description string
	Sensitive   bool
	// Default is the default value; cty.NilVal when the variable is required.
	Default cty.Value
	// Value is the value in effect (unmarked; Sensitive says how to show it), cty.NilVal
	// when none could be found. Source says where it came from: "default", "-var",
	// "environment variable DIALTONE_VAR_x" or the name of a .dtvars file.
	Value     cty.Value
	Source    string
	DeclRange hcl.Range

	invalid bool // its block had errors: no "required" diagnostic on top
}

// SensitiveText is what every output shows in place of a sensitive value.
const SensitiveText = "(sensitive)"

// Display renders the variable's value for people: (sensitive) for a sensitive one.
func (v *Variable) Display() string {
	if v == nil || v.Value == cty.NilVal {
		return "(no value)"
	}
	if v.Sensitive {
		return SensitiveText
	}
	return renderValue(v.Value)
}

// LoadOptions are the variable values given from outside the configuration.
type LoadOptions struct {
	// Vars are -var NAME=VALUE values (applied after VarFiles).
	Vars map[string]string
	// VarFiles are -var-file files (*.dtvars), in order; relative to the loaded directory.
	VarFiles []string
	// Env is the environment (os.Environ()): DIALTONE_VAR_name=VALUE sets variable name.
	Env []string
	// Args are -var and -var-file in the order given on the command line; they are
	// applied after VarFiles and Vars, later ones winning. The command line uses Args
	// so that "-var-file=a.dtvars -var x=1 -var-file=b.dtvars" keeps Terraform's rule.
	Args []VarArg
	// Exclude names files of the directory (base names) that are not loaded: the file
	// "dialtone import -force" is about to replace describes what the import reads again.
	Exclude []string
	// Limits bound what is read and evaluated (see SizeLimits); zero fields are the
	// defaults. The command line sets them from the DIALTONE_MAX_CONFIG_* variables.
	Limits SizeLimits
}

// VarArg is one -var NAME=VALUE (Name set) or -var-file=FILE (File set).
type VarArg struct {
	Name, Value string
	File        string
}

// Variable value sources.
const (
	EnvVarPrefix  = "DIALTONE_VAR_"
	VarsFile      = "dialtone.dtvars"
	AutoVarsGlob  = "*.auto.dtvars"
	sourceDefault = "default"
	sourceCLI     = "-var"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
	},
}

// decodeVariable decodes a variable block (its default is a literal: variables are the
// inputs, nothing is defined before them).
func (l *loader) decodeVariable(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	v := &Variable{Name: name, Type: cty.DynamicPseudoType, DeclRange: block.DefRange}
	body, diags := content(block.Body, variableSchema)
	if !hclsyntax.ValidIdentifier(name) || name == "each" {
		diags = append(diags, errorAt(block.LabelRanges[0], "Invalid variable name",
			"%q cannot be used as var.NAME: a variable name starts with a letter and holds only letters, digits, hyphens and underscores, like \"site\".", name))
	}
	if attr := body.Attributes["type"]; attr != nil {
		ty, tname, d := typeConstraint(attr.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v.Type, v.TypeName = ty, tname
		}
	}
	diags = append(diags, decodeString(body.Attributes["description"], &v.Description)...)
	diags = append(diags, decodeBool(body.Attributes["sensitive"], &v.Sensitive)...)
	if attr := body.Attributes["default"]; attr != nil {
		val, d := rawValue(attr.Expr, v, l.lim)
		if v.Sensitive {
			d = withoutSource(d)
		}
		diags = append(diags, d...)
		if val != cty.NilVal && !val.IsNull() {
			v.Default, v.Value, v.Source = val, val, sourceDefault
		}
	}
	v.invalid = diags.HasErrors()
	if first, ok := l.cfg.Variables[name]; ok {
		return append(diags, errorAt(block.LabelRanges[0], "Duplicate variable name",
			"A variable named %q was already declared at %s. Names of variable blocks must be unique across all files; remove one of them.",
			name, first.DeclRange))
	}
	l.cfg.Variables[name] = v
	return diags
}

// typeConstraint reads type = string | number | bool | any | list(T) | set(T) | map(T).
func typeConstraint(expr hcl.Expression) (cty.Type, string, hcl.Diagnostics) {
	bad := hcl.Diagnostics{errorAt(expr.Range(), "Invalid type",
		"The type of a variable is string, number, bool, any, or list(T), set(T) or map(T) of one of the first three, without quotes, like list(string).")}
	prim := map[string]cty.Type{"string": cty.String, "number": cty.Number, "bool": cty.Bool, "any": cty.DynamicPseudoType}
	if kw := hcl.ExprAsKeyword(expr); kw != "" {
		if ty, ok := prim[kw]; ok {
			if kw == "any" {
				return ty, "", nil
			}
			return ty, kw, nil
		}
		return cty.NilType, "", bad
	}
	call, d := hcl.ExprCall(expr)
	if d.HasErrors() || len(call.Arguments) != 1 {
		return cty.NilType, "", bad
	}
	elem := hcl.ExprAsKeyword(call.Arguments[0])
	ety, ok := prim[elem]
	if !ok || elem == "any" {
		return cty.NilType, "", bad
	}
	name := call.Name + "(" + elem + ")"
	switch call.Name {
	case "list":
		return cty.List(ety), name, nil
	case "set":
		return cty.Set(ety), name, nil
	case "map":
		return cty.Map(ety), name, nil
	}
	return cty.NilType, "", bad
}

// rawValue evaluates a literal value (a default, a .dtvars attribute) and converts it
// to the variable's type.
func rawValue(expr hcl.Expression, v *Variable, lim SizeLimits) (cty.Value, hcl.Diagnostics) {
	if d := checkNumberLiterals(expr); d != nil {
		return cty.NilVal, d
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if d := checkValueSize(val, lim, expr.Range()); d != nil {
		return cty.NilVal, hcl.Diagnostics{d}
	}
	if !reasonableValue(val) {
		return cty.NilVal, hcl.Diagnostics{errorAt(expr.Range(), "Number out of range",
			"The value of variable %q holds a number far too large or too small for any setting of dialtone.", v.Name)}
	}
	cv, err := convertValue(val, v.Type)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{errorAt(expr.Range(), "Invalid value for variable",
			"Variable %q needs %s: %s.", v.Name, typeText(v), err)}
	}
	return cv, nil
}

func typeText(v *Variable) string {
	if v.TypeName == "" {
		return "a value"
	}
	return "a value of type " + v.TypeName
}

// parseRawValue turns the text of a -var or DIALTONE_VAR_ value into the variable's
// type: as is for string, number, bool and untyped variables; parsed as an HCL
// expression (["a", "b"], { k = "v" }) for lists, sets and maps.
func parseRawValue(raw string, v *Variable, where string, lim SizeLimits) (cty.Value, *hcl.Diagnostic) {
	shown := fmt.Sprintf("%q", truncate(raw))
	if v.Sensitive {
		shown = SensitiveText
	}
	bad := func(err string) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value %s given to variable %q by %s is not suitable: %s needed (%s).", shown, v.Name, where, typeText(v), err)}
	}
	if n := int64(len(raw)); n > lim.StringBytes {
		return cty.NilVal, bad(fmt.Sprintf("it is %d bytes, more than the limit of %d (raise it with %s)", n, lim.StringBytes, EnvMaxConfigStringBytes))
	}
	var val cty.Value
	if v.Type.IsPrimitiveType() || v.Type == cty.DynamicPseudoType {
		val = cty.StringVal(raw)
	} else {
		if checkNesting([]byte(raw), where, hcl.InitialPos) != nil {
			return cty.NilVal, bad(fmt.Sprintf("it nests more than %d deep", MaxNesting))
		}
		expr, d := hclsyntax.ParseExpression([]byte(raw), where, hcl.InitialPos)
		if d.HasErrors() {
			return cty.NilVal, bad("it is not an HCL value such as [\"a\", \"b\"] or { key = \"value\" }")
		}
		if checkNumberLiterals(expr) != nil {
			return cty.NilVal, bad("a number is out of range")
		}
		var vd hcl.Diagnostics
		if val, vd = expr.Value(nil); vd.HasErrors() {
			return cty.NilVal, bad("it is not a literal value")
		}
	}
	if d := checkValueSize(val, lim, hcl.Range{}); d != nil {
		return cty.NilVal, bad(d.Detail)
	}
	cv, err := convertValue(val, v.Type)
	if err != nil {
		return cty.NilVal, bad(err.Error())
	}
	if !reasonableValue(cv) {
		return cty.NilVal, bad("a number is out of range")
	}
	return cv, nil
}

// resolveVariables sets every variable's value from, lowest precedence first: its
// default, DIALTONE_VAR_ environment variables, dialtone.dtvars, *.auto.dtvars (in name
// order), then opts.VarFiles, opts.Vars and opts.Args (in order). Each .dtvars file is
// parsed with parser and recorded in Sources, so a plan notices when it changes.
func (l *loader) resolveVariables(dir string, parser *hclparse.Parser, opts LoadOptions) hcl.Diagnostics {
	var diags hcl.Diagnostics
	vars := l.cfg.Variables
	set := func(name, raw, where string) {
		v := vars[name]
		if v == nil {
			return
		}
		val, d := parseRawValue(raw, v, where, l.lim)
		if d != nil {
			diags = append(diags, d)
			return
		}
		v.Value, v.Source = val, where
	}

	// Environment: sorted for a stable order of diagnostics; undeclared names are
	// ignored (the environment is shared with everything else).
	env := append([]string(nil), opts.Env...)
	sort.Strings(env)
	for _, kv := range env {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, EnvVarPrefix) {
			continue
		}
		set(strings.TrimPrefix(k, EnvVarPrefix), val, "environment variable "+k)
	}

	file := func(name string, explicit bool) {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, name)
		}
		src, ld, err := readLimited(path, name, l.lim, &l.bytes)
		if ld != nil {
			diags = append(diags, ld)
			return
		}
		if err != nil {
			if !explicit && os.IsNotExist(err) {
				return
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to read variables file",
				Detail: fmt.Sprintf("Could not read %s: %s.", name, err)})
			return
		}
		l.cfg.Sources[name] = src
		if nd := checkNesting(src, name, hcl.InitialPos); nd != nil {
			diags = append(diags, nd)
			return
		}
		// A file that sets a sensitive variable shows no source line in its syntax
		// errors: the line may be the secret.
		hide := func(d hcl.Diagnostics) hcl.Diagnostics { return d }
		for _, v := range vars {
			if v.Sensitive {
				hide = withoutSource
				break
			}
		}
		f, d := parser.ParseHCL(src, name)
		diags = append(diags, hide(d)...)
		if f == nil || f.Body == nil {
			return
		}
		attrs, d := f.Body.JustAttributes()
		diags = append(diags, hide(d)...)
		for _, attr := range inRangeOrder(attrs) {
			v := vars[attr.Name]
			if v == nil {
				diags = append(diags, warningAt(attr.NameRange, "Value for undeclared variable",
					"%s sets %q, but no variable %q is declared. %s",
					name, attr.Name, attr.Name, declaredVariables(vars)))
				continue
			}
			val, d := rawValue(attr.Expr, v, l.lim)
			if v.Sensitive {
				d = withoutSource(d)
			}
			diags = append(diags, d...)
			if val != cty.NilVal {
				v.Value, v.Source = val, name
			}
		}
	}
	file(VarsFile, false)
	if auto, err := filepath.Glob(filepath.Join(dir, AutoVarsGlob)); err == nil {
		sort.Strings(auto)
		for _, p := range auto {
			file(filepath.Base(p), false)
		}
	}
	for _, f := range opts.VarFiles {
		file(f, true)
	}
	cli := func(name, raw string) {
		if vars[name] == nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("-var sets %q, but the configuration declares no variable %q. %s Declare it with a variable %q block, or remove the -var.",
					truncate(name), truncate(name), declaredVariables(vars), truncate(name))})
			return
		}
		set(name, raw, sourceCLI)
	}
	for _, name := range names(opts.Vars) {
		cli(name, opts.Vars[name])
	}
	for _, a := range opts.Args {
		if a.File != "" {
			file(a.File, true)
		} else {
			cli(a.Name, a.Value)
		}
	}

	for _, v := range inSourceOrder(vars, func(v *Variable) hcl.Range { return v.DeclRange }) {
		if v.Value == cty.NilVal && !v.invalid {
			diags = append(diags, errorAt(v.DeclRange, "No value for required variable",
				"Variable %q has no default and no value was given. Set it with -var '%s=VALUE', in a -var-file, in %s or a *.auto.dtvars file, or with the environment variable %s%s.",
				v.Name, v.Name, VarsFile, EnvVarPrefix, v.Name))
		}
		if v.Sensitive && v.Value != cty.NilVal {
			l.recordSensitive(v.Value)
		}
	}
	return diags
}

// recordSensitive adds every string of at least minSensitiveLen characters inside v
// to SensitiveValues (shorter ones would redact ordinary text).
func (l *loader) recordSensitive(v cty.Value) {
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if x.IsKnown() && !x.IsNull() && x.Type() == cty.String && len(x.AsString()) >= minSensitiveLen {
			l.cfg.SensitiveValues[x.AsString()] = true
		}
		return true, nil
	})
}

const minSensitiveLen = 3

// renderValue shows a primitive value as text and anything else as HCL-ish text.
func renderValue(v cty.Value) string {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return "(known after apply)"
	}
	if v.IsNull() {
		return "null"
	}
	switch {
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case v.Type() == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	}
	var parts []string
	if v.Type().IsMapType() || v.Type().IsObjectType() {
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			parts = append(parts, fmt.Sprintf("%s = %q", k.AsString(), renderValue(e)))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if v.CanIterateElements() {
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, fmt.Sprintf("%q", renderValue(e)))
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// variableValues is the var object: every variable with a value, sensitive ones marked.
// A variable without a value is unknown, so that what uses it is skipped rather than
// reported a second time.
func variableValues(vars map[string]*Variable) map[string]cty.Value {
	out := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		val := v.Value
		if val == cty.NilVal {
			val = cty.DynamicVal
		}
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		out[name] = val
	}
	return out
}

func declaredVariables(vars map[string]*Variable) string {
	if len(vars) == 0 {
		return "No variable is declared."
	}
	return "Declared variables: " + strings.Join(names(vars), ", ") + "."
}

// inRangeOrder lists attributes in source order.
func inRangeOrder(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i].Range, out[j].Range) })
	return out
}

// SensitiveValue reports whether s is (the text of) a sensitive variable's value.
func (c *Config) SensitiveValue(s string) bool {
	return c != nil && s != "" && c.SensitiveValues[s]
}

// Redact replaces every sensitive value inside s with (sensitive). Outputs that may
// carry text from the configuration (diagnostics, logs) pass it through Redact.
func (c *Config) Redact(s string) string {
	if c == nil || len(c.SensitiveValues) == 0 {
		return s
	}
	// Longest first, so that a value containing another is replaced whole.
	vals := make([]string, 0, len(c.SensitiveValues))
	for v := range c.SensitiveValues {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	for _, v := range vals {
		s = strings.ReplaceAll(s, v, SensitiveText)
	}
	return s
}

// withoutSource returns diags without their source: a diagnostic about the value of a
// sensitive variable (a default, a .dtvars line) must not print the line, which holds
// the value, even when it is malformed (a string where a number is wanted). The
// location stays, in words.
func withoutSource(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d == nil {
			continue
		}
		cp := *d
		if cp.Subject != nil {
			cp.Detail = strings.TrimSpace(cp.Detail + fmt.Sprintf(" (At %s:%d,%d; the line is not shown: it may hold the value of a sensitive variable.)",
				cp.Subject.Filename, cp.Subject.Start.Line, cp.Subject.Start.Column))
		}
		cp.Subject, cp.Context, cp.Expression, cp.EvalContext = nil, nil, nil, nil
		out = append(out, &cp)
	}
	return out
}
