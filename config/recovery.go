package config

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Options lists the recovery options, in the order shown to users.
var Options = []string{OptionSameServer, OptionAlternateServer, OptionAlternateServerStay}

// Recovery priorities: lower is planned first when several recoveries are planned
// together (a site failure).
const (
	DefaultRecoveryPriority = 100
	MaxRecoveryPriority     = 1000
)

var recoverySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "database", Required: true},
		{Name: "option", Required: true},
		{Name: "stage", Required: true},
		{Name: "priority"},
		{Name: "swap"},
		{Name: "final_name"},
		{Name: "ignore_healthy_copies"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "dial_tone_database"},
		{Type: "recovery_database"},
		{Type: "restore"},
		{Type: "merge"},
	},
}

// decodeRecovery decodes a recovery block: the intent to recover one database.
func (l *loader) decodeRecovery(block *hcl.Block) hcl.Diagnostics {
	name := block.Labels[0]
	body, diags := content(block.Body, recoverySchema)
	r := &Recovery{Name: name, Priority: DefaultRecoveryPriority, Swap: true, DeclRange: block.DefRange}

	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, errorAt(block.LabelRanges[0], "Invalid recovery name",
			"%q cannot be used in step addresses such as recovery.NAME.create_dial_tone_database. A recovery name starts with a letter and holds only letters, digits, hyphens and underscores, like \"db01-outage\".", name))
	}
	if attr := body.Attributes["database"]; attr != nil {
		addr, d := parseRef(attr.Expr, KindDatabase)
		diags = append(diags, d...)
		r.Database, r.DatabaseRange = addr, attr.Expr.Range()
	}
	if attr := body.Attributes["option"]; attr != nil {
		r.OptionRange = attr.Expr.Range()
		d := decodeString(attr, &r.Option)
		diags = append(diags, d...)
		if !d.HasErrors() && !oneOf(r.Option, Options) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid recovery option",
				"Recovery %s has option %q. The option is %s: same_server when the failed database's server still works, alternate_server to recover on another server and move back, alternate_server_stay to stay there.",
				name, r.Option, quoteList(Options)))
		}
	}
	if attr := body.Attributes["stage"]; attr != nil {
		r.StageRange = attr.Expr.Range()
		diags = append(diags, decodeString(attr, &r.Stage)...)
		if StageIndex(r.Stage) < 0 {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid recovery stage",
				"Recovery %s asks for stage %q. The stage is the one to reach, in order: %s. Raise it one step at a time to move the recovery forward.",
				name, r.Stage, quoteList(Stages)))
		}
	}
	if attr := body.Attributes["priority"]; attr != nil {
		d := decodeInt(attr, &r.Priority)
		diags = append(diags, d...)
		if !d.HasErrors() && (r.Priority < 0 || r.Priority > MaxRecoveryPriority) {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid recovery priority",
				"Recovery %s has priority %d; it must be between 0 and %d. When several recoveries are planned together (a site failure), lower priorities are planned first; the default is %d.",
				name, r.Priority, MaxRecoveryPriority, DefaultRecoveryPriority))
			r.Priority = DefaultRecoveryPriority
		}
	}
	if attr := body.Attributes["swap"]; attr != nil {
		d := decodeBool(attr, &r.Swap)
		diags = append(diags, d...)
		if !d.HasErrors() && !r.Swap && oneOf(r.Option, Options) && r.Option != OptionAlternateServerStay {
			diags = append(diags, errorAt(attr.Expr.Range(), "Swap required",
				"Recovery %s uses option %q, where the swap is what brings the users' old mail back, so it cannot be left out. Only option \"alternate_server_stay\" has the merge-forward variant (swap = false: the old data is merged from the recovery database into the dial tone mailboxes, with no swap and no second outage). Remove swap = false, or use option = \"alternate_server_stay\".",
				name, r.Option))
			r.Swap = true
		}
	}

	if attr := body.Attributes["final_name"]; attr != nil {
		r.FinalNameRange = attr.Expr.Range()
		d := decodeString(attr, &r.FinalName)
		if !d.HasErrors() {
			d = checkDatabaseName(r.FinalName, attr.Expr.Range(), "final_name")
		}
		diags = append(diags, d...)
		if d.HasErrors() {
			r.FinalName = ""
		}
	}

	if attr := body.Attributes["ignore_healthy_copies"]; attr != nil {
		d := decodeString(attr, &r.IgnoreHealthyCopies)
		diags = append(diags, d...)
		if !d.HasErrors() && strings.TrimSpace(r.IgnoreHealthyCopies) == "" {
			diags = append(diags, errorAt(attr.Expr.Range(), "Reason required",
				"Recovery %s sets ignore_healthy_copies to an empty string. It overrides the refusal to dial-tone a database that still has a healthy passive copy, and every plan shows why: write the reason, like \"the copy on EX02 is lagged by 7 days\".", name))
		}
		r.IgnoreHealthyCopies = strings.TrimSpace(r.IgnoreHealthyCopies)
	}

	blocks, d := singleBlocks(body.Blocks)
	diags = append(diags, d...)
	for _, required := range []string{"dial_tone_database", "recovery_database", "restore"} {
		if blocks[required] == nil {
			diags = append(diags, errorAt(block.DefRange, "Missing "+required+" block",
				"Recovery %s needs a %s block: %s.", name, required, requiredBlockWhy[required]))
		}
	}
	if b := blocks["dial_tone_database"]; b != nil {
		r.DialTone, d = l.decodeDialTone(b, r)
		diags = append(diags, d...)
	}
	if b := blocks["recovery_database"]; b != nil {
		r.RecoveryDatabase, d = l.decodeRecoveryDatabase(b, r)
		diags = append(diags, d...)
	}
	if b := blocks["restore"]; b != nil {
		r.Restore, d = decodeRestore(b)
		diags = append(diags, d...)
	}
	r.Merge = &Merge{ConflictResolution: DefaultConflictResolution, DeclRange: block.DefRange}
	if b := blocks["merge"]; b != nil {
		r.Merge, d = decodeMerge(b)
		diags = append(diags, d...)
	}

	if first, ok := l.cfg.Recoveries[name]; ok {
		return append(diags, duplicate(KindRecovery, name, block.LabelRanges[0], first.DeclRange))
	}
	if r.Database.Name != "" {
		if first, ok := l.claims.recovered[r.Database.Name]; ok {
			diags = append(diags, errorAt(r.DatabaseRange, "Database recovered twice",
				"Database %s is already recovered by %s, declared at %s. One recovery brings a database back; remove one of them or point it at another database.",
				r.Database.Name, first.owner, first.rng))
		} else {
			l.claims.recovered[r.Database.Name] = claim{"recovery " + name, block.DefRange}
		}
	}
	l.cfg.Recoveries[name] = r
	return diags
}

var requiredBlockWhy = map[string]string{
	"dial_tone_database": "the empty database that gives users service at once",
	"recovery_database":  "the recovery database that the backup is restored into",
	"restore":            "the backup set to restore the failed database from",
}

var restoreSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "backup", Required: true},
		{Name: "replay_logs"},
		{Name: "accept_data_loss"},
	},
}

// BackupNone is the backup name that says there is no backup to restore: the dial
// tone database becomes permanent and the old mail is lost (exchange-recovery.md 4.3).
// It needs accept_data_loss = true.
const BackupNone = "none"

// decodeRestore decodes the restore block of a recovery; replay_logs defaults to true
// because rolling forward with surviving logs loses the least mail. Losing mail is
// never a default: backup = "none" needs accept_data_loss = true, and replay_logs =
// false without it gets a warning. "none" is matched without regard to case and kept
// as BackupNone.
func decodeRestore(block *hcl.Block) (*Restore, hcl.Diagnostics) {
	body, diags := content(block.Body, restoreSchema)
	rs := &Restore{ReplayLogs: true, DeclRange: block.DefRange}
	backup := body.Attributes["backup"]
	backupOK := false
	if backup != nil {
		d := decodeString(backup, &rs.Backup)
		diags = append(diags, d...)
		backupOK = !d.HasErrors()
		if backupOK && rs.Backup == "" {
			diags = append(diags, errorAt(backup.Expr.Range(), "Empty backup name",
				"The restore block needs the name of the backup set to restore, as the backup software or the lab knows it, like \"nightly\". If there is no backup at all, write backup = \"none\" and accept_data_loss = true."))
			backupOK = false
		}
		if strings.EqualFold(rs.Backup, BackupNone) {
			rs.Backup = BackupNone
		}
	}
	replay := body.Attributes["replay_logs"]
	d := decodeBool(replay, &rs.ReplayLogs)
	diags = append(diags, d...)
	replayOK := replay != nil && !d.HasErrors()
	accept := body.Attributes["accept_data_loss"]
	d = decodeBool(accept, &rs.AcceptDataLoss)
	diags = append(diags, d...)
	if d.HasErrors() {
		return rs, diags // neither rule below can be judged without knowing the decision
	}
	switch {
	case backupOK && rs.Backup == BackupNone && !rs.AcceptDataLoss:
		diags = append(diags, errorAt(backup.Expr.Range(), "Data loss not accepted",
			"backup = \"none\" says there is no backup to restore: the dial tone database becomes the users' permanent database and their old mail is lost; there is nothing to swap or merge (exchange-recovery.md 4.3). dialtone does this only as an explicit decision: recover the database by other means if you can (its surviving files and logs, a lagged copy), and if losing the old mail is the decision, write accept_data_loss = true in this restore block."))
	case replayOK && !rs.ReplayLogs && rs.Backup != BackupNone && !rs.AcceptDataLoss:
		diags = append(diags, warningAt(replay.Expr.Range(), "Mail after the backup will be lost",
			"replay_logs = false restores the backup without rolling it forward with the failed database's surviving logs, so mail received between the backup and the failure is lost. Leave replay_logs out (it defaults to true) to keep that mail; if losing it is the decision, write accept_data_loss = true in this restore block."))
	}
	return rs, diags
}

// RecoveryFor returns the recovery of the named database, or nil if none. Should a
// (invalid) configuration hold two, it returns the one whose name sorts first.
func (c *Config) RecoveryFor(database string) *Recovery {
	if c == nil {
		return nil
	}
	names := make([]string, 0, len(c.Recoveries))
	for name := range c.Recoveries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if r := c.Recoveries[name]; r != nil && r.Database.Name == database {
			return r
		}
	}
	return nil
}
