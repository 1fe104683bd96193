package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dialtone/dialtone/planner"
)

// A plan file and a configuration file are easy to confuse at 3 a.m. (Terraform users
// type "apply main.tf" too). A plan is never read from a configuration file, never
// written over one, and no suggestion names one as -out=: "Run dialtone plan
// -out=recovery.hcl" would have overwritten the configuration.

// isConfigFileName says whether name is a file of the configuration by its extension:
// *.hcl, or a variables file *.dtvars.
func isConfigFileName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".hcl", ".dtvars":
		return true
	}
	return false
}

// planNameFor is the plan file name to suggest in place of file: file itself, unless
// it is a configuration file; then its name with the extension .plan.
func planNameFor(file string) string {
	if !isConfigFileName(file) {
		return file
	}
	return strings.TrimSuffix(file, filepath.Ext(file)) + ".plan"
}

// planAgainAdvice is the advice after a plan file was refused.
func planAgainAdvice(file string) string {
	return fmt.Sprintf("Run \"dialtone plan -out=%s\" again, review it, then use it.", planNameFor(file))
}

// configNotPlanError is the error for a configuration file given where a plan file goes
// (apply FILE, show FILE, graph -plan=FILE); instead says what the command does
// without it.
func configNotPlanError(c *cli, file, instead string) int {
	return c.errorf("%s is a configuration file, not a saved plan: dialtone reads the configuration (every *.hcl file of the working folder) by itself. "+
		"%s; or save a plan to review with \"dialtone plan -out=%s\" and give that file instead. Nothing was changed.",
		file, instead, planNameFor(file))
}

// checkPlanOut refuses a plan -out that would destroy a file that is not a plan: a
// configuration file, or an existing file that does not read as a plan file (the
// state, a README). An existing plan file, even a stale one, is replaced as before.
func checkPlanOut(c *cli, out string) bool {
	if isConfigFileName(out) {
		c.errorf("-out=%s names a configuration file: writing the plan there would overwrite it. Save the plan to another file, like -out=%s. Nothing was written.", out, planNameFor(out))
		return false
	}
	path := c.path(out)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err == nil && fi.IsDir() {
		c.errorf("-out=%s is a folder; give a file name for the plan, like -out=%s. Nothing was written.", out, filepath.Join(out, "recovery.plan"))
		return false
	}
	if err == nil {
		if _, err = planner.ReadPlanFile(path, c.limits.Plan); err == nil {
			return true
		}
	}
	c.errorf("-out=%s: the file exists and is not a plan file dialtone can read (%v); writing the plan there would destroy it. Choose another name, or remove the file first. Nothing was written.", out, err)
	return false
}
