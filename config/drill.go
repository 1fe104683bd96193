package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// DrillModes lists the failures a drill can inject into a database.
var DrillModes = []string{"lost", "corrupt"}

// Drill bounds: enough for a realistic rehearsal, small enough for a laptop's lab.
const (
	MaxDrillMailboxes = 100000
	MaxDrillMessages  = 1000000
)

var drillSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "failure", Required: true},
		{Name: "mode", Required: true},
		{Name: "mailboxes", Required: true},
		{Name: "messages"},
	},
}

// decodeDrill decodes a drill block: what `dialtone drill` rehearses on a fresh lab.
func (l *loader) decodeDrill(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	body, diags := content(block.Body, drillSchema)
	dr := &Drill{Name: name, DeclRange: block.DefRange}

	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, errorAt(block.LabelRanges[0], "Invalid drill name",
			"%q cannot be referenced as drill.NAME. A drill name starts with a letter and holds only letters, digits, hyphens and underscores, like \"db01-lost\".", name))
	}
	if attr := body.Attributes["failure"]; attr != nil {
		if trav, d := hcl.AbsTraversalForExpr(attr.Expr); !d.HasErrors() && trav.RootName() == KindServer {
			diags = append(diags, errorAt(attr.Expr.Range(), "Unsupported drill failure",
				"Drills of a failed server are not supported yet. Name the database to fail, like database.DB01."))
		} else {
			addr, d := parseRef(attr.Expr, KindDatabase)
			diags = append(diags, d...)
			dr.Failure = addr
			dr.FailureRange = attr.Expr.Range()
		}
	}
	if attr := body.Attributes["mode"]; attr != nil {
		d := decodeString(attr, &dr.Mode)
		diags = append(diags, d...)
		if !d.HasErrors() && !oneOf(dr.Mode, DrillModes) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid drill mode",
				"Drill %s has mode %q. The mode is %s: lost removes the database's file, corrupt damages it.",
				name, dr.Mode, quoteList(DrillModes)))
		}
	}
	if attr := body.Attributes["mailboxes"]; attr != nil {
		d := decodeInt(attr, &dr.Mailboxes)
		diags = append(diags, d...)
		if !d.HasErrors() && (dr.Mailboxes < 1 || dr.Mailboxes > MaxDrillMailboxes) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid mailbox count",
				"Drill %s asks for %d mailboxes per database; it must be between 1 and %d.",
				name, dr.Mailboxes, MaxDrillMailboxes))
		}
	}
	if attr := body.Attributes["messages"]; attr != nil {
		var d hcl.Diagnostics
		dr.Messages, d = decodeDrillMessages(attr)
		diags = append(diags, d...)
	}

	if first, ok := l.cfg.Drills[name]; ok {
		return append(diags, duplicate(KindDrill, name, block.LabelRanges[0], first.DeclRange))
	}
	l.cfg.Drills[name] = dr
	return diags
}

// decodeDrillMessages decodes messages = { before_backup = N, ... }: an object whose
// missing keys mean 0.
func decodeDrillMessages(attr *hcl.Attribute) (DrillMessages, hcl.Diagnostics) {
	var m DrillMessages
	fields := map[string]*int{
		"before_backup":    &m.BeforeBackup,
		"after_backup":     &m.AfterBackup,
		"during_dial_tone": &m.DuringDialTone,
	}
	const keys = `before_backup, after_backup and during_dial_tone`
	pairs, d := hcl.ExprMap(attr.Expr)
	if d.HasErrors() {
		return m, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid messages",
			"messages is an object in braces, like { before_backup = 200, after_backup = 50, during_dial_tone = 30 }, with the keys %s.", keys)}
	}
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for _, kv := range pairs {
		kval, d := cty.NilVal, checkNumberLiterals(kv.Key)
		if d == nil {
			kval, d = kv.Key.Value(nil)
		}
		if d.HasErrors() || kval.IsNull() || !kval.IsKnown() || kval.Type() != cty.String {
			diags = append(diags, errorAt(kv.Key.Range(), "Invalid messages key",
				"The keys of messages are the words %s.", keys))
			continue
		}
		key := kval.AsString()
		dst, ok := fields[key]
		if !ok {
			diags = append(diags, errorAt(kv.Key.Range(), "Unknown messages key",
				"messages has no key %q. Its keys are %s; a key left out means 0.", key, keys))
			continue
		}
		if seen[key] {
			diags = append(diags, errorAt(kv.Key.Range(), "Duplicate messages key",
				"The key %q is given twice; give it once.", key))
			continue
		}
		seen[key] = true
		n := 0
		d = decodeInt(&hcl.Attribute{Name: key, Expr: kv.Value, Range: kv.Value.Range()}, &n)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if n < 0 || n > MaxDrillMessages {
			diags = append(diags, errorAt(kv.Value.Range(), "Invalid message count",
				"messages.%s is %d; it must be between 0 and %s.", key, n, fmt.Sprint(MaxDrillMessages)))
			continue
		}
		*dst = n
	}
	return m, diags
}
