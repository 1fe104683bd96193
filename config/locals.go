package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// local is one name = expr of a locals block.
type local struct {
	attr *hcl.Attribute
}

// decodeLocals collects the attributes of a locals block; they are evaluated once
// every file is read (evalLocals), since one may use another declared later.
func (l *loader) decodeLocals(block *hcl.Block) hcl.Diagnostics {
	attrs, diags := block.Body.JustAttributes()
	for _, attr := range inRangeOrder(attrs) {
		if first, ok := l.locals[attr.Name]; ok {
			diags = append(diags, errorAt(attr.NameRange, "Duplicate local value",
				"A local value named %q was already defined at %s. Local names must be unique across all files; remove or rename one of them.",
				attr.Name, first.attr.NameRange))
			continue
		}
		l.locals[attr.Name] = local{attr}
		l.localOrder = append(l.localOrder, attr.Name)
	}
	return diags
}

// evalLocals evaluates the locals in dependency order with var and the locals done so
// far. A cycle (local.a uses local.b, which uses local.a) is reported once, at the
// first local of it, naming the whole loop; the locals of a cycle, and any that failed,
// are unknown, so what uses them is skipped rather than reported again.
func (l *loader) evalLocals(vars map[string]cty.Value) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := map[string]cty.Value{}
	const (
		visiting = 1
		done     = 2
	)
	mark := map[string]int{}
	var path []string
	var visit func(name string)
	visit = func(name string) {
		lc, ok := l.locals[name]
		if !ok || mark[name] == done {
			return
		}
		if mark[name] == visiting {
			i := 0
			for path[i] != name {
				i++
			}
			loop := append(append([]string(nil), path[i:]...), name)
			for j := range loop {
				loop[j] = "local." + loop[j]
			}
			diags = append(diags, errorAt(l.locals[path[i]].attr.NameRange, "Cycle in local values",
				"The local values refer to each other in a loop: %s. A local may use variables and other locals, but not itself, directly or through others.",
				strings.Join(loop, " -> ")))
			for _, n := range path[i:] {
				values[n] = cty.DynamicVal
				mark[n] = done
			}
			return
		}
		mark[name] = visiting
		path = append(path, name)
		for _, trav := range lc.attr.Expr.Variables() {
			if trav.RootName() != "local" || len(trav) < 2 {
				continue
			}
			if step, ok := trav[1].(hcl.TraverseAttr); ok {
				visit(step.Name)
			}
		}
		path = path[:len(path)-1]
		if mark[name] == done {
			return // part of a cycle reported above
		}
		mark[name] = done
		ctx := evalContext(vars, values)
		if d := checkNumberLiterals(lc.attr.Expr); d != nil {
			diags = append(diags, d...)
			values[name] = cty.DynamicVal
			return
		}
		v, d := lc.attr.Expr.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if sd := checkValueSize(v, l.lim, lc.attr.Expr.Range()); sd != nil {
				d = append(d, sd)
				diags = append(diags, sd)
			}
		}
		switch {
		case d.HasErrors():
			v = cty.DynamicVal
		case !reasonableValue(v):
			diags = append(diags, errorAt(lc.attr.Expr.Range(), "Number out of range",
				"local.%s holds a number far too large or too small for any setting of dialtone.", name))
			v = cty.DynamicVal
		}
		values[name] = v
	}
	for _, name := range l.localOrder {
		visit(name)
	}
	return values, diags
}

// forEachSchema holds the meta-arguments of a database or recovery block.
var forEachSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "name"}},
}

// MaxForEach bounds the instances of one for_each block.
const MaxForEach = 1000

// decodeForEach decodes a database or recovery block, once, or with for_each once per
// key (in key order) with each.key and each.value in its context. An instance is named
// by its name attribute (evaluated per instance, like "DB${each.key}") or, without
// one, by the block's label followed by the key: database "DB" over toset(["01",
// "02"]) declares DB01 and DB02, referenced as database.DB01 and database.DB02.
func (l *loader) decodeForEach(block *hcl.Block, decode func(*hcl.Block) hcl.Diagnostics) hcl.Diagnostics {
	meta, rest, diags := block.Body.PartialContent(forEachSchema)
	fe, nameAttr := meta.Attributes["for_each"], meta.Attributes["name"]
	if fe == nil {
		if nameAttr != nil {
			return append(diags, errorAt(nameAttr.NameRange, "Unexpected name argument",
				"A %s block is named by its label, %q. The name argument is for blocks with for_each, where each instance needs a name of its own.",
				block.Type, block.Labels[0]))
		}
		b := *block
		b.Body = bindBody(rest, l.ctx, l.lim)
		return append(diags, decode(&b)...)
	}

	keys, values, d := forEachItems(fe, l.ctx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return diags
	}
	// The block itself was counted when its file was read; its instances count instead.
	if l.blocks += int64(len(keys)) - 1; l.blocks > l.lim.Blocks {
		d := tooLarge("The number of blocks, for_each instances included,", l.blocks, l.lim.Blocks, EnvMaxConfigBlocks)
		d.Subject = fe.Expr.Range().Ptr()
		return append(diags, d)
	}
	seen := map[string]string{} // instance name (folded for databases) -> key
	for i, key := range keys {
		ctx := withEach(l.ctx, key, values[i])
		name, nameRange := block.Labels[0]+key, block.LabelRanges[0]
		if nameAttr != nil {
			nameRange = nameAttr.Expr.Range()
			v, d := literal(&hcl.Attribute{Name: "name", Expr: evalExpr{nameAttr.Expr, ctx, l.lim}, Range: nameAttr.Range, NameRange: nameAttr.NameRange}, cty.String, "a string")
			diags = append(diags, d...)
			if v == cty.NilVal {
				continue
			}
			name = v.AsString()
		}
		if d := checkInvisible(name, nameRange, fmt.Sprintf("The name of for_each instance %q of this %s block", key, block.Type)); d != nil {
			diags = append(diags, d...)
			continue
		}
		fold := name
		if block.Type == KindDatabase {
			fold = strings.ToLower(name) // Exchange database names ignore case
		}
		if first, ok := seen[fold]; ok {
			diags = append(diags, errorAt(block.DefRange, "Duplicate for_each instance name",
				"The keys %q and %q of this %s block both give the name %q. Each instance needs a name of its own: change the keys or the name template.",
				first, key, block.Type, name))
			continue
		}
		seen[fold] = key
		b := *block
		b.Labels = []string{name}
		b.LabelRanges = []hcl.Range{nameRange}
		b.Body = bindBody(rest, ctx, l.lim)
		diags = append(diags, decode(&b)...)
	}
	return diags
}

// forEachItems evaluates for_each: a map (or object) gives its keys and values, a set
// of strings gives its elements as both. Keys come sorted.
func forEachItems(fe *hcl.Attribute, ctx *hcl.EvalContext) ([]string, []cty.Value, hcl.Diagnostics) {
	rng := fe.Expr.Range()
	if d := checkNumberLiterals(fe.Expr); d != nil {
		return nil, nil, d
	}
	v, diags := fe.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	if isSensitive(v) {
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Sensitive value not allowed here",
			"for_each takes its value from a sensitive variable, but its keys become names that every plan shows. Use a variable without sensitive = true.")}
	}
	if !v.IsWhollyKnown() {
		return nil, nil, nil // it uses a variable or local that failed: already reported
	}
	if v.IsNull() {
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid for_each argument",
			"for_each is null. It needs a map, or a set of strings such as toset([\"01\", \"02\"]).")}
	}
	ty := v.Type()
	var keys []string
	var values []cty.Value
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			keys = append(keys, k.AsString())
			values = append(values, e)
		}
	case ty.IsSetType():
		sv, err := convertValue(v, cty.Set(cty.String))
		if err != nil {
			return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid for_each argument",
				"for_each over a set needs a set of strings (the keys become parts of names): %s.", err)}
		}
		for it := sv.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid for_each argument", "for_each holds a null element.")}
			}
			keys = append(keys, e.AsString())
			values = append(values, e)
		}
	case ty.IsListType() || ty.IsTupleType():
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid for_each argument",
			"for_each needs a map or a set of strings, not a list: a list's order and repeats would decide names. Convert it with toset([...]).")}
	default:
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid for_each argument",
			"for_each needs a map, or a set of strings such as toset([\"01\", \"02\"]); it is %s.", ty.FriendlyName())}
	}
	sortTogether(keys, values)
	if len(keys) > MaxForEach {
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Too many for_each instances",
			"for_each gives %d instances; a block may have at most %d. Split it into several blocks.", len(keys), MaxForEach)}
	}
	return keys, values, nil
}

// sortTogether sorts keys and keeps values beside their keys.
func sortTogether(keys []string, values []cty.Value) {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	k2, v2 := make([]string, len(keys)), make([]cty.Value, len(values))
	for i, j := range idx {
		k2[i], v2[i] = keys[j], values[j]
	}
	copy(keys, k2)
	copy(values, v2)
}
