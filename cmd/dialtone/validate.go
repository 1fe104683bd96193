package main

import (
	"fmt"
)

// cmdValidate checks the configuration only: no provider, no state. With -json it
// prints the result as a document (see validateJSON) and exits 1 when invalid.
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
	if *asJSON {
		return validateJSON(c, vars)
	}
	if _, ok := loadConfigVars(c, vars); !ok {
		return exitError
	}
	fmt.Fprintln(c.stdout, c.paint(green, "Success! The configuration is valid."))
	return exitOK
}
