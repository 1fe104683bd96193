package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DefaultConflictResolution is New-MailboxRestoreRequest's default: keep the item
// already in the target mailbox only when the source has none.
const DefaultConflictResolution = "KeepSourceItem"

// ConflictResolutions lists the values of New-MailboxRestoreRequest -ConflictResolutionOption.
var ConflictResolutions = []string{"ForceCopy", "KeepAll", "KeepLatestItem", "KeepSourceItem", "KeepTargetItem", "UpdateFromSource"}

// MaxBadItemLimit bounds bad_item_limit; above it Exchange also wants
// -AcceptLargeDataLoss, which dialtone does not pass on anyone's behalf.
const MaxBadItemLimit = 1000

var mergeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "conflict_resolution"},
		{Name: "bad_item_limit"},
		{Name: "priority"},
	},
}

// decodeMerge decodes the merge block of a recovery, filling defaults.
func decodeMerge(block *hcl.Block) (*Merge, hcl.Diagnostics) {
	body, diags := content(block.Body, mergeSchema)
	m := &Merge{ConflictResolution: DefaultConflictResolution, DeclRange: block.DefRange}
	if attr := body.Attributes["conflict_resolution"]; attr != nil {
		d := decodeString(attr, &m.ConflictResolution)
		diags = append(diags, d...)
		m.ConflictRange = attr.Expr.Range()
		if !d.HasErrors() && !oneOf(m.ConflictResolution, ConflictResolutions) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid conflict resolution",
				"conflict_resolution %q is not an option of New-MailboxRestoreRequest. Use %s (spelled as shown); the default is %q.",
				m.ConflictResolution, quoteList(ConflictResolutions), DefaultConflictResolution))
		}
	}
	if attr := body.Attributes["bad_item_limit"]; attr != nil {
		d := decodeInt(attr, &m.BadItemLimit)
		diags = append(diags, d...)
		if !d.HasErrors() && (m.BadItemLimit < 0 || m.BadItemLimit > MaxBadItemLimit) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid bad item limit",
				"bad_item_limit is %d; it must be between 0 and %d. It is how many corrupt items a merge may skip per mailbox before it fails.",
				m.BadItemLimit, MaxBadItemLimit))
		}
	}
	if attr := body.Attributes["priority"]; attr != nil {
		var d hcl.Diagnostics
		m.Priority, d = decodePriority(attr)
		diags = append(diags, d...)
	}
	return m, diags
}

// decodePriority decodes the list of addresses merged first, checking each address
// at its own range.
func decodePriority(attr *hcl.Attribute) ([]string, hcl.Diagnostics) {
	type elem struct {
		v   cty.Value
		rng hcl.Range
	}
	var diags hcl.Diagnostics
	var items []elem
	if exprs, d := hcl.ExprList(attr.Expr); !d.HasErrors() {
		for _, e := range exprs {
			v, d := literal(&hcl.Attribute{Name: "priority", Expr: bind(attr.Expr, e), Range: e.Range()}, cty.String, "a mailbox address")
			diags = append(diags, d...)
			items = append(items, elem{v, e.Range()})
		}
	} else {
		// A whole list from a variable or local (priority = var.vips): each address
		// is reported at the argument.
		list, d := literal(attr, cty.List(cty.String), "a list of mailbox addresses")
		if list == cty.NilVal {
			if isAbsentOrWhole(attr.Expr) {
				return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid priority list",
					`priority is a list of mailbox addresses in brackets, like ["ceo@contoso.com", "cfo@contoso.com"].`)}
			}
			return nil, d
		}
		for it := list.ElementIterator(); it.Next(); {
			_, v := it.Element()
			if v.IsNull() {
				v = cty.NilVal
			}
			items = append(items, elem{v, attr.Expr.Range()})
		}
	}
	var out []string
	seen := map[string]hcl.Range{}
	for _, it := range items {
		v, e := it.v, struct{ rng hcl.Range }{it.rng}
		if v == cty.NilVal {
			continue
		}
		addr := v.AsString()
		if !looksLikeAddress(addr) {
			diags = append(diags, errorAt(e.rng, "Invalid mailbox address",
				"%q is not a mailbox address. priority lists primary SMTP addresses, like \"ceo@contoso.com\".", addr))
			continue
		}
		// SMTP addresses are case-insensitive in Exchange.
		key := strings.ToLower(addr)
		if first, ok := seen[key]; ok {
			diags = append(diags, warningAt(e.rng, "Duplicate priority address",
				"%q is already listed at %s; a mailbox is merged once, at its first place in the list. Remove the repeat.", addr, first))
			continue
		}
		seen[key] = e.rng
		out = append(out, addr)
	}
	return out, diags
}

// looksLikeAddress is a shape check, not RFC 5321: local@domain, no spaces.
func looksLikeAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at == strings.LastIndexByte(s, '@') && at < len(s)-1 &&
		!strings.ContainsAny(s, " \t\r\n<>,;") && !hasControl(s)
}

// isAbsentOrWhole reports whether a priority expression that is not a list is a plain
// literal (a string, a number: the shape is wrong) rather than a reference or call
// whose own diagnostic says more.
func isAbsentOrWhole(expr hcl.Expression) bool {
	return len(expr.Variables()) == 0
}
