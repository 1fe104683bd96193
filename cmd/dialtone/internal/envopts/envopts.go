// Package envopts reads, once for the command line, what dialtone takes from its
// environment for the packages below cmd: the DIALTONE_MAX_* limits and the name a lock
// records as its holder. Those packages take them as options and never read the
// environment themselves (a provider may read its own credential variables):
// TestOnlyCmdReadsTheEnvironment in cmd/dialtone holds that.
package envopts

import (
	"errors"
	"fmt"
	"os/user"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/config/limits"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// Limits are the DIALTONE_MAX_* limits, as the options of the packages that apply them.
// The zero Limits is every default.
type Limits struct {
	Config config.SizeLimits
	State  state.Limits
	Plan   planner.ReadPlanOptions
	Lab    lab.Limits
}

// ReadLimits reads every DIALTONE_MAX_* variable through getenv; an unset (or blank)
// one leaves its default. A value that is not a limit is an error naming the variable,
// its value and the default (all such errors together).
func ReadLimits(getenv func(string) string) (Limits, error) {
	var errs []error
	get := func(env string, def int64) int64 {
		raw := getenv(env)
		if strings.TrimSpace(raw) == "" {
			return 0
		}
		n, ok := limits.Parse(raw)
		if !ok {
			errs = append(errs, fmt.Errorf("the environment variable %s=%q is not a limit: give a positive whole number (sizes in bytes may end in KiB, MiB or GiB); unset it for the default, %d", env, raw, def))
		}
		return n
	}
	var l Limits
	l.Config = config.SizeLimits{
		FileBytes:   get(config.EnvMaxConfigFileBytes, config.DefaultMaxConfigFileBytes),
		ConfigBytes: get(config.EnvMaxConfigBytes, config.DefaultMaxConfigBytes),
		Blocks:      get(config.EnvMaxConfigBlocks, config.DefaultMaxConfigBlocks),
		StringBytes: get(config.EnvMaxConfigStringBytes, config.DefaultMaxConfigStringBytes),
		ListLength:  get(config.EnvMaxConfigListLength, config.DefaultMaxConfigListLength),
	}
	l.State = state.Limits{
		StateBytes:   get(state.EnvMaxStateBytes, state.DefaultMaxStateBytes),
		JournalBytes: get(state.EnvMaxJournalBytes, state.DefaultMaxJournalBytes),
	}
	l.Plan.MaxBytes = get(planner.EnvMaxPlanBytes, planner.DefaultMaxPlanBytes)
	l.Lab = lab.Limits{
		OrgBytes:    get(lab.EnvMaxOrgBytes, lab.DefaultMaxOrgBytes),
		LogBytes:    get(lab.EnvMaxLogBytes, lab.DefaultMaxLogBytes),
		BackupBytes: get(lab.EnvMaxBackupMetaBytes, lab.DefaultMaxBackupMetaBytes),
	}
	return l, errors.Join(errs...)
}

// User is the name a lock records as its holder: the current OS user, else USER, else
// USERNAME (Windows), read through getenv.
func User(getenv func(string) string) string { return userOf(user.Current, getenv) }

func userOf(current func() (*user.User, error), getenv func(string) string) string {
	if u, err := current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := getenv("USER"); name != "" {
		return name
	}
	return getenv("USERNAME")
}
