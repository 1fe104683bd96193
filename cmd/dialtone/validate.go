package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
)

// cmdValidate checks the configuration only: no provider, no state. With -json it
// prints the result as a document (views.Validate) and exits 1 when invalid.
func cmdValidate(c *cli, args []string) int {
	fs := newFlagSet(c, "validate", "validate [-json] [-var 'NAME=VALUE'] [-var-file=FILE]")
	asJSON := fs.Bool("json", false, "print the result and every diagnostic as JSON (exit 1 when invalid)")
	vars := addVarFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("validate takes no arguments (got %q); use -chdir=DIR to check another folder", fs.Arg(0))
	}
	view := views.NewValidate(c.streams(), *asJSON)
	var files map[string]*hcl.File
	var diags hcl.Diagnostics
	if *asJSON {
		// The document carries every diagnostic: nothing is printed as it loads.
		var cfg *config.Config
		cfg, diags = config.Load(c.dir, vars.loadOptions(c))
		if !diags.HasErrors() && (cfg == nil || len(cfg.Files) == 0) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No configuration files",
				Detail:   fmt.Sprintf("%s holds no *.hcl file. Write one (see examples/same-server/main.hcl) or use -chdir=DIR.", c.dir),
			})
		}
		if cfg != nil {
			files = cfg.Files
		}
	} else if _, ok := loadConfigVars(c, vars); !ok {
		return exitError
	}
	valid, err := view.Result(files, diags)
	if err != nil {
		return c.errorf("%v", err)
	}
	if !valid {
		return exitError
	}
	return exitOK
}
