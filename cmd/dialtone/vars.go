package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dialtone/dialtone/config"
)

// varFlags are -var NAME=VALUE and -var-file=FILE, kept in the order given (later
// ones win, as in Terraform).
type varFlags struct {
	args []config.VarArg
}

// addVarFlags registers -var and -var-file on a command's flag set.
func addVarFlags(fs *flag.FlagSet) *varFlags {
	v := &varFlags{}
	fs.Func("var", "set a variable: -var 'NAME=VALUE' (repeatable; lists and maps in HCL syntax)", func(s string) error {
		name, value, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("-var needs NAME=VALUE, like -var 'site=HQ'")
		}
		v.args = append(v.args, config.VarArg{Name: name, Value: value})
		return nil
	})
	fs.Func("var-file", "read variable values from FILE (NAME = VALUE lines, *.dtvars; repeatable)", func(s string) error {
		if s == "" {
			return fmt.Errorf("-var-file needs a file name")
		}
		v.args = append(v.args, config.VarArg{File: s})
		return nil
	})
	return v
}

// loadOptions are the variable sources of one invocation: the environment
// (DIALTONE_VAR_name) and the flags, if any.
func (v *varFlags) loadOptions(c *cli) config.LoadOptions {
	opts := config.LoadOptions{Env: os.Environ(), Limits: c.limits.Config}
	if v != nil {
		opts.Args = v.args
	}
	return opts
}

// loadConfigVars is loadConfig with the values of -var and -var-file.
func loadConfigVars(c *cli, v *varFlags) (*config.Config, bool) {
	return loadConfigWith(c, v.loadOptions(c))
}
