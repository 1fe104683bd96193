package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// rootSchema lists the top-level blocks of a configuration file.
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "dialtone"},
		{Type: "provider", LabelNames: []string{"type"}},
		{Type: KindServer, LabelNames: []string{"name"}},
		{Type: KindDatabase, LabelNames: []string{"name"}},
		{Type: KindRecovery, LabelNames: []string{"name"}},
		{Type: KindDrill, LabelNames: []string{"name"}},
	},
}

// Load reads every *.hcl file directly in dir (not in sub-folders), in sorted file-name
// order, decodes and validates them. File names in the Config and in diagnostics are
// relative to dir. Load always returns a non-nil Config with Files and Sources filled,
// partial when the diagnostics hold errors, so the caller can render the diagnostics
// with hcl.NewDiagnosticTextWriter(w, cfg.Files, width, color).
func Load(dir string) (*Config, hcl.Diagnostics) {
	cfg := &Config{
		Servers:    map[string]*Server{},
		Databases:  map[string]*Database{},
		Recoveries: map[string]*Recovery{},
		Drills:     map[string]*Drill{},
		Files:      map[string]*hcl.File{},
		Sources:    map[string][]byte{},
	}
	if dir == "" {
		dir = "."
	}
	names, diags := configFiles(dir)
	if diags.HasErrors() {
		return cfg, diags
	}

	parser := hclparse.NewParser()
	l := &loader{cfg: cfg, claims: claims{
		dbNames:    map[string]claim{},
		logFolders: map[string]claim{},
		edbFiles:   map[string]claim{},
		recovered:  map[string]claim{},
	}}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Failed to read configuration file",
				Detail:   fmt.Sprintf("Could not read %s: %s.", name, err),
			})
			continue
		}
		cfg.Sources[name] = src
		// ParseHCL with the bare name keeps every range relative to dir.
		file, fdiags := parser.ParseHCL(src, name)
		diags = append(diags, fdiags...)
		if file == nil || file.Body == nil {
			continue
		}
		diags = append(diags, l.decodeFile(file)...)
	}
	cfg.Files = parser.Files()
	diags = append(diags, validate(cfg)...)
	return cfg, diags
}

// configFiles lists the *.hcl files of dir in sorted order. Like Terraform it skips
// editor leftovers: dot-files and emacs lock files (#main.hcl#, .#main.hcl).
func configFiles(dir string) ([]string, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   fmt.Sprintf("Could not list %s: %s. Use -chdir=DIR to point at the folder that holds the *.hcl files.", dir, err),
		}}
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".hcl") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") {
			continue
		}
		// Stat follows symlinks: a link to a file counts, a folder named x.hcl does not.
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil && info.IsDir() {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("There is no *.hcl file in %s. dialtone reads every *.hcl file in %s; use -chdir=DIR to point at another folder.", dir, dir),
		}}
	}
	return names, nil
}

// loader carries what the decoding of one file needs from the files before it.
type loader struct {
	cfg      *Config
	dialtone *hcl.Range // first dialtone block
	provider *hcl.Range // first provider block
	claims   claims
}

// decodeFile walks the top-level blocks of one file into l.cfg.
func (l *loader) decodeFile(file *hcl.File) hcl.Diagnostics {
	root, diags := content(file.Body, rootSchema)
	for _, block := range root.Blocks {
		switch block.Type {
		case "dialtone":
			diags = append(diags, l.decodeDialtone(block)...)
		case "provider":
			diags = append(diags, l.decodeProvider(block)...)
		case KindServer:
			diags = append(diags, l.decodeServer(block)...)
		case KindDatabase:
			diags = append(diags, l.decodeDatabase(block)...)
		case KindRecovery:
			diags = append(diags, l.decodeRecovery(block)...)
		case KindDrill:
			diags = append(diags, l.decodeDrill(block)...)
		}
	}
	return diags
}

// duplicate reports a second block of a kind whose names must be unique.
func duplicate(kind, name string, second, first hcl.Range) *hcl.Diagnostic {
	return errorAt(second, "Duplicate "+kind+" name",
		"A %s named %q was already declared at %s. Names of %s blocks must be unique across all files; rename or remove one of them.",
		kind, name, first, kind)
}
