package envopts

import (
	"errors"
	"maps"
	"os"
	"os/user"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// env is a fake environment; read records every name asked for.
type env struct {
	vars map[string]string
	read []string
}

func (e *env) getenv(name string) string {
	e.read = append(e.read, name)
	return e.vars[name]
}

func TestReadLimitsUnsetIsDefault(t *testing.T) {
	t.Parallel()
	e := &env{vars: map[string]string{"DIALTONE_MAX_STATE_BYTES": "  "}}
	l, err := ReadLimits(e.getenv)
	if err != nil || l != (Limits{}) {
		t.Fatalf("unset or blank: %+v, %v; want the zero Limits (every default)", l, err)
	}
}

// Each variable lands in its own field: every one gets a distinct value.
func TestReadLimitsEachVariable(t *testing.T) {
	t.Parallel()
	want := map[string]int64{
		config.EnvMaxConfigFileBytes:   1,
		config.EnvMaxConfigBytes:       2,
		config.EnvMaxConfigBlocks:      3,
		config.EnvMaxConfigStringBytes: 4,
		config.EnvMaxConfigListLength:  5,
		state.EnvMaxStateBytes:         6 << 10,
		state.EnvMaxJournalBytes:       7 << 20,
		planner.EnvMaxPlanBytes:        8 << 30,
		lab.EnvMaxOrgBytes:             9,
		lab.EnvMaxLogBytes:             10,
		lab.EnvMaxBackupMetaBytes:      11,
	}
	e := &env{vars: map[string]string{}}
	for name, n := range want {
		e.vars[name] = strconv.FormatInt(n, 10)
	}
	e.vars[state.EnvMaxStateBytes] = "6KiB"
	e.vars[state.EnvMaxJournalBytes] = " 7 MiB "
	e.vars[planner.EnvMaxPlanBytes] = "8GiB"
	l, err := ReadLimits(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{
		config.EnvMaxConfigFileBytes:   l.Config.FileBytes,
		config.EnvMaxConfigBytes:       l.Config.ConfigBytes,
		config.EnvMaxConfigBlocks:      l.Config.Blocks,
		config.EnvMaxConfigStringBytes: l.Config.StringBytes,
		config.EnvMaxConfigListLength:  l.Config.ListLength,
		state.EnvMaxStateBytes:         l.State.StateBytes,
		state.EnvMaxJournalBytes:       l.State.JournalBytes,
		planner.EnvMaxPlanBytes:        l.Plan.MaxBytes,
		lab.EnvMaxOrgBytes:             l.Lab.OrgBytes,
		lab.EnvMaxLogBytes:             l.Lab.LogBytes,
		lab.EnvMaxBackupMetaBytes:      l.Lab.BackupBytes,
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s=%s: got %d, want %d", name, e.vars[name], got[name], n)
		}
	}
	slices.Sort(e.read)
	if names := slices.Sorted(maps.Keys(want)); !slices.Equal(e.read, names) {
		t.Errorf("read %v, want %v", e.read, names)
	}
}

func TestReadLimitsBadValues(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"-1", "0", "lots", "1.5GiB", "1KB"} {
		e := &env{vars: map[string]string{state.EnvMaxStateBytes: bad, lab.EnvMaxLogBytes: bad}}
		_, err := ReadLimits(e.getenv)
		if err == nil {
			t.Fatalf("%q accepted", bad)
		}
		for _, want := range []string{state.EnvMaxStateBytes + "=" + strconv.Quote(bad), lab.EnvMaxLogBytes, "is not a limit", "the default, 1073741824"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: %q does not say %q", bad, err, want)
			}
		}
	}
}

// The variables read are the ones docs/security.md lists for users.
func TestReadLimitsMatchesTheDocs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := regexp.MustCompile("`(DIALTONE_MAX_[A-Z_]+)`").FindAllStringSubmatch(string(b), -1)
	var docs []string
	for _, m := range documented {
		docs = append(docs, m[1])
	}
	slices.Sort(docs)
	docs = slices.Compact(docs)
	e := &env{}
	if _, err := ReadLimits(e.getenv); err != nil {
		t.Fatal(err)
	}
	slices.Sort(e.read)
	if !slices.Equal(docs, e.read) {
		t.Errorf("docs/security.md lists %v; ReadLimits reads %v", docs, e.read)
	}
}

func TestUserFallsBackToTheEnvironment(t *testing.T) {
	t.Parallel()
	known := func() (*user.User, error) { return &user.User{Username: "CONTOSO\\admin"}, nil }
	unknown := func() (*user.User, error) { return nil, errors.New("no such user") }
	both := (&env{vars: map[string]string{"USER": "unix", "USERNAME": "win"}}).getenv
	for _, c := range []struct {
		current func() (*user.User, error)
		getenv  func(string) string
		want    string
	}{
		{known, both, "CONTOSO\\admin"},
		{unknown, both, "unix"},
		{unknown, (&env{vars: map[string]string{"USERNAME": "win"}}).getenv, "win"},
		{unknown, (&env{}).getenv, ""},
	} {
		if got := userOf(c.current, c.getenv); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
