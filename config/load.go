package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
	},
}

// Load reads every *.hcl file directly in dir (not in sub-folders), in sorted file-name
// order, decodes and validates them. File names in the Config and in diagnostics are
// relative to dir. Load always returns a non-nil Config with Files and Sources filled,
// partial when the diagnostics hold errors, so the caller can render the diagnostics
// with hcl.NewDiagnosticTextWriter(w, cfg.Files, width, color). Variables take their
// defaults and the values of dialtone.dtvars and *.auto.dtvars in dir; opts add -var,
// -var-file and the environment (see LoadOptions for the order in which they apply).
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	cfg := &Config{
		Servers:         map[string]*Server{},
		Databases:       map[string]*Database{},
		Recoveries:      map[string]*Recovery{},
		Drills:          map[string]*Drill{},
		Variables:       map[string]*Variable{},
		SensitiveValues: map[string]bool{},
		Files:           map[string]*hcl.File{},
		Sources:         map[string][]byte{},
	}
	if dir == "" {
		dir = "."
	}
	lim := opts.Limits.orDefaults()
	names, diags := configFiles(dir)
	if diags.HasErrors() {
		return cfg, diags
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(opts.Exclude, n) })

	parser := hclparse.NewParser()
	l := &loader{cfg: cfg, lim: lim, locals: map[string]local{}, claims: claims{
		dbNames:    map[string]claim{},
		logFolders: map[string]claim{},
		edbFiles:   map[string]claim{},
		recovered:  map[string]claim{},
	}}
	// First every file's root: variables and locals may be used in any file.
	var roots []*hcl.BodyContent
	for _, name := range names {
		src, ld, err := readLimited(filepath.Join(dir, name), name, lim, &l.bytes)
		if ld != nil {
			diags = append(diags, ld)
			continue
		}
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Failed to read configuration file",
				Detail:   fmt.Sprintf("Could not read %s: %s.", name, err),
			})
			continue
		}
		cfg.Sources[name] = src
		if nd := checkNesting(src, name, hcl.InitialPos); nd != nil {
			diags = append(diags, nd)
			continue
		}
		// ParseHCL with the bare name keeps every range relative to dir.
		file, fdiags := parser.ParseHCL(src, name)
		diags = append(diags, fdiags...)
		if file == nil || file.Body == nil {
			continue
		}
		if l.blocks += countBlocks(file.Body); l.blocks > lim.Blocks {
			diags = append(diags, tooLarge(fmt.Sprintf("The number of blocks, up to and with %s,", name), l.blocks, lim.Blocks, EnvMaxConfigBlocks))
			return cfg, diags
		}
		root, d := content(file.Body, rootSchema)
		diags = append(diags, d...)
		roots = append(roots, root)
		for _, block := range root.Blocks {
			switch block.Type {
			case "variable":
				diags = append(diags, l.decodeVariable(block)...)
			case "locals":
				diags = append(diags, l.decodeLocals(block)...)
			}
		}
	}
	diags = append(diags, l.resolveVariables(dir, parser, opts)...)
	vars := variableValues(cfg.Variables)
	locals, d := l.evalLocals(vars)
	diags = append(diags, d...)
	l.ctx = evalContext(vars, locals)
	for _, root := range roots {
		diags = append(diags, l.decodeRoot(root)...)
	}
	cfg.Files = parser.Files()
	diags = append(diags, validate(cfg)...)
	return cfg, dropSkipped(diags)
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
		// "in ." read like a typo at the end of a sentence: name the folder as the admin
		// knows it, and where it is.
		where := "the folder " + dir
		if dir == "." || dir == "" {
			where = "this folder"
		}
		if abs, err := filepath.Abs(dir); err == nil && abs != dir {
			where += " (" + abs + ")"
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("There is no *.hcl file in %s. dialtone reads every *.hcl file of the folder it runs in; use -chdir=DIR to point at another folder.", where),
		}}
	}
	return names, nil
}

// loader carries what the decoding of one file needs from the files before it.
type loader struct {
	cfg        *Config
	dialtone   *hcl.Range // first dialtone block
	provider   *hcl.Range // first provider block
	claims     claims
	locals     map[string]local
	localOrder []string
	ctx        *hcl.EvalContext // var, local and the functions
	lim        SizeLimits
	bytes      int64 // read so far, of configuration and variables files
	blocks     int64 // counted so far, for_each instances included
}

// decodeRoot walks the top-level blocks of one file into l.cfg (variables and locals
// are done by then). Every body is bound to the evaluation context; database and
// recovery blocks may have for_each.
func (l *loader) decodeRoot(root *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, block := range root.Blocks {
		b := *block
		b.Body = bindBody(block.Body, l.ctx, l.lim)
		if d := checkLabels(block); d != nil {
			diags = append(diags, d...)
			continue
		}
		switch block.Type {
		case "dialtone":
			diags = append(diags, l.decodeDialtone(&b)...)
		case "provider":
			diags = append(diags, l.decodeProvider(&b)...)
		case KindServer:
			diags = append(diags, l.decodeServer(&b)...)
		case KindDatabase:
			diags = append(diags, l.decodeForEach(block, l.decodeDatabase)...)
		case KindRecovery:
			diags = append(diags, l.decodeForEach(block, l.decodeRecovery)...)
		case KindDrill:
			diags = append(diags, l.decodeDrill(&b)...)
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

// checkLabels refuses block labels holding an invisible or direction-changing
// character (checkInvisible): the names of servers, databases, recoveries.
func checkLabels(block *hcl.Block) hcl.Diagnostics {
	for i, label := range block.Labels {
		rng := block.DefRange
		if i < len(block.LabelRanges) {
			rng = block.LabelRanges[i]
		}
		if d := checkInvisible(label, rng, fmt.Sprintf("The name of this %s block", block.Type)); d != nil {
			return d
		}
	}
	return nil
}
