package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Drill modes: the failures a drill can inject (exchange-recovery.md section 4).
// DrillModeServerDown fails a server; every other mode fails a database.
const (
	DrillModeLost            = "lost"
	DrillModeCorrupt         = "corrupt"
	DrillModeServerDown      = "server_down"
	DrillModeLogsMissing     = "logs_missing"
	DrillModeNoBackup        = "no_backup"
	DrillModeBadItems        = "bad_items"
	DrillModeOutOfRoom       = "out_of_room"
	DrillModeNoMountSlot     = "no_mount_slot"
	DrillModeDialToneLost    = "dial_tone_lost"
	DrillModeCrashDuringSwap = "crash_during_swap"
	DrillModeCopySurvives    = "copy_survives"

	// DefaultDrillBadItems is bad_items when left out.
	DefaultDrillBadItems = 5
)

// DrillModes lists the failures a drill can inject, in the order shown to users.
var DrillModes = []string{
	DrillModeLost, DrillModeCorrupt, DrillModeServerDown, DrillModeLogsMissing, DrillModeNoBackup,
	DrillModeBadItems, DrillModeOutOfRoom, DrillModeNoMountSlot, DrillModeDialToneLost, DrillModeCrashDuringSwap,
	DrillModeCopySurvives,
}

// drillModeHelp says what each mode rehearses, for diagnostics.
var drillModeHelp = map[string]string{
	DrillModeLost:            "removes the database's files (4.1)",
	DrillModeCorrupt:         "damages the database's file (4.2)",
	DrillModeServerDown:      "takes down a whole server with every database on it (4.1)",
	DrillModeLogsMissing:     "loses logs written after the backup (4.4)",
	DrillModeNoBackup:        "leaves the database with no backup (4.3)",
	DrillModeBadItems:        "plants corrupt items that make restore requests fail (4.5)",
	DrillModeOutOfRoom:       "fills the dial tone server's disk (4.6)",
	DrillModeNoMountSlot:     "leaves the dial tone server no mount slot (4.6)",
	DrillModeDialToneLost:    "loses the dial tone database before the merge (4.7)",
	DrillModeCrashDuringSwap: "crashes apply in the middle of the swap (4.7)",
	DrillModeCopySurvives:    "loses the active copy of a replicated database while a passive copy survives (the plan must refuse dial tone)",
}

// Drill bounds: enough for a realistic rehearsal, small enough for a laptop's lab.
const (
	MaxDrillMailboxes = 100000
	MaxDrillMessages  = 1000000
	MaxDrillBadItems  = 1000000
)

var drillSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "failure", Required: true},
		{Name: "mode", Required: true},
		{Name: "mailboxes", Required: true},
		{Name: "messages"},
		{Name: "bad_items"},
		{Name: "recovery"},
		{Name: "database_settings"},
	},
}

// decodeDrill decodes a drill block: what `dialtone drill` rehearses on a fresh lab.
func (l *loader) decodeDrill(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	body, diags := content(block.Body, drillSchema)
	dr := &Drill{Name: name, BadItems: DefaultDrillBadItems, DeclRange: block.DefRange}

	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, errorAt(block.LabelRanges[0], "Invalid drill name",
			"%q cannot be referenced as drill.NAME. A drill name starts with a letter and holds only letters, digits, hyphens and underscores, like \"db01-lost\".", name))
	}
	if attr := body.Attributes["failure"]; attr != nil {
		var d hcl.Diagnostics
		dr.Failure, d = parseFailureRef(attr.Expr)
		diags = append(diags, d...)
		dr.FailureRange = attr.Expr.Range()
	}
	if attr := body.Attributes["mode"]; attr != nil {
		d := decodeString(attr, &dr.Mode)
		diags = append(diags, d...)
		switch {
		case d.HasErrors():
		case !oneOf(dr.Mode, DrillModes):
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid drill mode",
				"Drill %s has mode %q. The mode is %s. %s.",
				name, truncate(dr.Mode), quoteList(DrillModes), drillModesHelp()))
		case dr.Mode == DrillModeServerDown && dr.Failure.Kind == KindDatabase:
			diags = append(diags, errorAt(attr.Expr.Range(), "Drill mode needs a failed server",
				"Drill %s has mode \"server_down\", which %s, but its failure is database.%s. Set failure to the server, like server.EX01, or choose a mode that fails one database, such as \"lost\".",
				name, drillModeHelp[dr.Mode], dr.Failure.Name))
		case dr.Mode != DrillModeServerDown && dr.Failure.Kind == KindServer:
			diags = append(diags, errorAt(attr.Expr.Range(), "Drill mode needs a failed database",
				"Drill %s has mode %q, which %s, so its failure must be a database, like database.DB01; but it is server.%s. Set failure to one of the server's databases, or use mode = \"server_down\" to fail the whole server.",
				name, dr.Mode, drillModeHelp[dr.Mode], dr.Failure.Name))
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
	if attr := body.Attributes["bad_items"]; attr != nil {
		d := decodeInt(attr, &dr.BadItems)
		diags = append(diags, d...)
		switch {
		case d.HasErrors():
		case dr.BadItems < 0 || dr.BadItems > MaxDrillBadItems:
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid bad item count",
				"Drill %s has bad_items = %d; it must be between 0 and %d. It is how many corrupt items mode \"bad_items\" plants per mailbox (default %d).",
				name, dr.BadItems, MaxDrillBadItems, DefaultDrillBadItems))
			dr.BadItems = DefaultDrillBadItems
		case oneOf(dr.Mode, DrillModes) && dr.Mode != DrillModeBadItems:
			diags = append(diags, warningAt(attr.Expr.Range(), "Unused bad item count",
				"Drill %s sets bad_items, which only mode \"bad_items\" uses; with mode %q it has no effect. Remove it, or set mode = \"bad_items\".",
				name, dr.Mode))
		}
	}
	if attr := body.Attributes["recovery"]; attr != nil && !isAbsent(attr.Expr) {
		addr, d := parseRef(attr.Expr, KindRecovery)
		diags = append(diags, d...)
		dr.Recovery, dr.RecoveryRange = addr, attr.Expr.Range()
	}

	if attr := body.Attributes["database_settings"]; attr != nil {
		dr.DatabaseSettingsRange = attr.Expr.Range()
		var d hcl.Diagnostics
		dr.DatabaseSettings, d = decodeStringMap(attr, "database_settings",
			"a map of Exchange database settings to values, like { ProhibitSendReceiveQuota = \"10GB\", JournalRecipient = \"journal@contoso.com\", MountAtStartup = \"True\" }")
		diags = append(diags, d...)
	}

	if first, ok := l.cfg.Drills[name]; ok {
		return append(diags, duplicate(KindDrill, name, block.LabelRanges[0], first.DeclRange))
	}
	l.cfg.Drills[name] = dr
	return diags
}

// parseFailureRef parses a drill's failure: database.X or server.X.
func parseFailureRef(expr hcl.Expression) (Addr, hcl.Diagnostics) {
	if trav, d := hcl.AbsTraversalForExpr(expr); !d.HasErrors() && trav.RootName() == KindServer {
		return parseRef(expr, KindServer)
	}
	addr, diags := parseRef(expr, KindDatabase)
	if diags.HasErrors() {
		return Addr{}, hcl.Diagnostics{errorAt(expr.Range(), "Invalid reference",
			"failure names what the drill fails: a database, like database.DB01, or a server (with mode = \"server_down\"), like server.EX01; the word, a dot and the name of a declared block, without quotes.")}
	}
	return addr, nil
}

// drillModesHelp explains every mode in one sentence list.
func drillModesHelp() string {
	parts := make([]string, len(DrillModes))
	for i, m := range DrillModes {
		parts[i] = m + " " + drillModeHelp[m]
	}
	return strings.Join(parts, "; ")
}

// DrillRecoveries returns the recoveries drill d rehearses, lowest priority first
// (then by name): the one it names in recovery, or by default the recovery of the
// failed database, or for a failed server every recovery of a database on it. It
// returns what it can find in a configuration with errors, and nil when nothing fits.
func (c *Config) DrillRecoveries(d *Drill) []*Recovery {
	if c == nil || d == nil {
		return nil
	}
	var out []*Recovery
	switch {
	case d.Recovery.Name != "":
		if r := c.Recoveries[d.Recovery.Name]; r != nil {
			out = append(out, r)
		}
	case d.Failure.Kind == KindDatabase:
		if r := c.RecoveryFor(d.Failure.Name); r != nil {
			out = append(out, r)
		}
	case d.Failure.Kind == KindServer:
		for _, name := range names(c.Recoveries) {
			r := c.Recoveries[name]
			if db := c.Databases[r.Database.Name]; db != nil && db.Server.Name == d.Failure.Name {
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority < out[j].Priority
		}
		return out[i].Name < out[j].Name
	})
	return out
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
		d = decodeInt(&hcl.Attribute{Name: key, Expr: bind(attr.Expr, kv.Value), Range: kv.Value.Range()}, &n)
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

// decodeStringMap decodes an attribute holding a map of strings (numbers and bools are
// taken as their text).
func decodeStringMap(attr *hcl.Attribute, what, want string) (map[string]string, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	if v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid "+what, "%s is %s.", what, want)}
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		var s string
		switch {
		case e.IsNull() || !e.IsKnown():
		case e.Type() == cty.String:
			s = e.AsString()
		case e.Type() == cty.Bool:
			s = "False"
			if e.True() {
				s = "True"
			}
		case e.Type() == cty.Number:
			s = e.AsBigFloat().Text('f', -1)
		default:
			return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid "+what, "%s[%q] is not a string: %s is %s.", what, k.AsString(), what, want)}
		}
		out[k.AsString()] = s
	}
	return out, nil
}
