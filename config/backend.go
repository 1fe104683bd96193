package config

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
)

// BackendTypes lists the state backends dialtone supports, in the order shown to users.
var BackendTypes = []string{"local", "pg"}

// Backend defaults and bounds.
const (
	// DefaultBackups is how many previous state versions a backend keeps by default.
	DefaultBackups = 5
	MaxBackups     = 100
	// DefaultPGSchema is the schema of the pg backend's tables by default.
	DefaultPGSchema = "dialtone"
	// PGConnStrEnv is the environment variable the pg backend reads its connection
	// string from when conn_str is left out or empty.
	PGConnStrEnv = "DIALTONE_PG_CONN_STR"
)

var dialtoneSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
}

var backendSchemas = map[string]*hcl.BodySchema{
	"local": {Attributes: []hcl.AttributeSchema{{Name: "path"}, {Name: "backups"}}},
	"pg":    {Attributes: []hcl.AttributeSchema{{Name: "conn_str"}, {Name: "schema_name"}, {Name: "backups"}}},
}

// decodeDialtone decodes the dialtone block: settings of dialtone itself, of which
// there is one per working directory.
func (l *loader) decodeDialtone(block *hcl.Block) hcl.Diagnostics {
	if l.dialtone != nil {
		return hcl.Diagnostics{errorAt(block.DefRange, "Duplicate dialtone block",
			"A dialtone block was already declared at %s. A working directory has one dialtone block; merge the two.",
			*l.dialtone)}
	}
	l.dialtone = block.DefRange.Ptr()

	dt, diags := content(block.Body, dialtoneSchema)
	for i, b := range dt.Blocks {
		if i > 0 {
			diags = append(diags, errorAt(b.DefRange, "Duplicate backend block",
				"A backend block was already declared at %s. dialtone keeps its state in one backend; remove one of them.",
				dt.Blocks[0].DefRange))
			continue
		}
		typ := b.Labels[0]
		schema := backendSchemas[typ]
		if schema == nil {
			diags = append(diags, errorAt(b.LabelRanges[0], "Unsupported backend type",
				"dialtone has no backend %q. Supported backend types: %s.", truncate(typ), quoteList(BackendTypes)))
			continue
		}
		be := &Backend{Type: typ, Backups: DefaultBackups, DeclRange: b.DefRange}
		body, d := content(b.Body, schema)
		diags = append(diags, d...)
		if typ == "local" {
			be.Path = DefaultStatePath
			diags = append(diags, decodeLocalBackend(be, body)...)
		} else {
			be.SchemaName = DefaultPGSchema
			diags = append(diags, decodePGBackend(be, body)...)
			if v := l.cfg.Variables[be.ConnStrVariable]; v != nil && be.ConnStrVariable != "" {
				be.ConnStrSource = v.Source
			}
		}
		if attr := body.Attributes["backups"]; attr != nil {
			d := decodeInt(attr, &be.Backups)
			diags = append(diags, d...)
			if !d.HasErrors() && (be.Backups < 1 || be.Backups > MaxBackups) {
				diags = append(diags, errorAt(attr.Expr.Range(), "Invalid backup count",
					"backups is %d; it must be between 1 and %d. It is how many previous versions of the state the backend keeps, to go back to when a state is damaged; the default is %d.",
					be.Backups, MaxBackups, DefaultBackups))
				be.Backups = DefaultBackups
			}
		}
		l.cfg.Backend = be
	}
	return diags
}

func decodeLocalBackend(be *Backend, body *hcl.BodyContent) hcl.Diagnostics {
	path := body.Attributes["path"]
	if path == nil {
		return nil
	}
	diags := decodeString(path, &be.Path)
	if be.Path == "" {
		diags = append(diags, errorAt(path.Expr.Range(), "Empty state path",
			"The local backend needs the path of its state file, relative to the working directory. Leave path out for the default %q.",
			DefaultStatePath))
	}
	return diags
}

// pgIdentifierRE is a plain, unquoted PostgreSQL identifier (at most 63 bytes).
var pgIdentifierRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// passwordRE finds a password in a connection string: password=... in the keyword
// form or a URL query, or user:password@ in a URL.
var passwordRE = regexp.MustCompile(`(?i)\bpassword\s*=|^[a-z][a-z0-9+.\-]*://[^/?#@:]*:[^/?#@]+@`)

func decodePGBackend(be *Backend, body *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if attr := body.Attributes["conn_str"]; attr != nil {
		d := decodeString(attr, &be.ConnStr)
		diags = append(diags, d...)
		be.ConnStrVariable = wholeVariable(attr.Expr)
		if v, vd := attr.Expr.Value(nil); !vd.HasErrors() && isSensitive(v) {
			be.ConnStrSensitive = true
		} else if !d.HasErrors() && passwordRE.MatchString(be.ConnStr) {
			// The value is never quoted back: it may hold a password.
			diags = append(diags, warningAt(attr.Expr.Range(), "Password in the configuration",
				"conn_str holds a password. Credentials written in HCL (or in a variable without sensitive = true) end up in git, in reviews and in backups of the configuration. Take conn_str from a variable with sensitive = true, or leave it out and set the environment variable %s to the connection string instead.",
				PGConnStrEnv))
		}
	}
	if attr := body.Attributes["schema_name"]; attr != nil {
		var v string
		d := decodeString(attr, &v)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if pgIdentifierRE.MatchString(v) {
				be.SchemaName = v
			} else {
				diags = append(diags, errorAt(attr.Expr.Range(), "Invalid schema name",
					"schema_name %q is not a plain PostgreSQL identifier. Use lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters, like %q (the default).",
					truncate(v), DefaultPGSchema))
			}
		}
	}
	return diags
}

// wholeVariable is NAME when expr is exactly var.NAME, else "" (a literal, a template,
// anything else). Where a setting's value comes from then decides whether it is
// trusted: a variable set in the admin's environment is, a literal in a file a pull
// request can change is not.
func wholeVariable(expr hcl.Expression) string {
	t, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(t) != 2 || t.RootName() != "var" {
		return ""
	}
	if a, ok := t[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}
