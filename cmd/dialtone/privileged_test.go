package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

func testCLI(env map[string]string) *cli {
	return &cli{dir: ".", log: hclog.NewNullLogger(), secrets: &secretSet{}, getenv: func(k string) string { return env[k] }, ctx: context.Background()}
}

// The pg backend's connection comes from the configuration only when the environment
// pins it or it is exactly a variable set in the environment or with -var: a literal
// (or a .dtvars value, or a default) a pull request wrote would move the state.
func TestPGConnectionPrivileged(t *testing.T) {
	const evil, good = "postgres://attacker.example/x", "postgres://db.contoso.com/dialtone"
	for _, tc := range []struct {
		name string
		be   config.Backend
		env  map[string]string
		want string // "" for an error
	}{
		{"env only", config.Backend{}, map[string]string{pgConnEnv: good}, good},
		{"literal, no pin", config.Backend{ConnStr: evil}, nil, ""},
		{"literal, other pin", config.Backend{ConnStr: evil}, map[string]string{pgConnEnv: good}, ""},
		{"literal, same pin", config.Backend{ConnStr: good}, map[string]string{pgConnEnv: good}, good},
		{"variable from the environment", config.Backend{ConnStr: good, ConnStrVariable: "pg", ConnStrSource: "environment variable DIALTONE_VAR_pg"}, nil, good},
		{"variable from -var", config.Backend{ConnStr: good, ConnStrVariable: "pg", ConnStrSource: "-var"}, nil, good},
		{"variable from a .dtvars file", config.Backend{ConnStr: evil, ConnStrVariable: "pg", ConnStrSource: "dialtone.dtvars"}, nil, ""},
		{"variable default", config.Backend{ConnStr: evil, ConnStrVariable: "pg", ConnStrSource: "default"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := pgConnection(testCLI(tc.env), &tc.be)
			switch {
			case tc.want == "" && err == nil:
				t.Fatalf("accepted %q", got)
			case tc.want == "" && strings.Contains(err.Error(), evil):
				t.Fatalf("the refused value is shown: %v", err)
			case tc.want != "" && (err != nil || got != tc.want):
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// A plan shows a privileged setting that changed since the state recorded it.
func TestRecordSettings(t *testing.T) {
	st := &state.State{Settings: map[string]string{"provider.exchange.connection_uri": "https://ex01/PowerShell/"}}
	got := recordSettings(st, []planner.Setting{
		{Name: "provider.exchange.connection_uri", Value: "https://ex02/PowerShell/"},
		{Name: "provider.exchange.command", Value: `["pwsh"]`},
	})
	if got[0].Was != "https://ex01/PowerShell/" || got[1].Was != "" {
		t.Errorf("Was: %+v", got)
	}
	if st.Settings["provider.exchange.connection_uri"] != "https://ex02/PowerShell/" || st.Settings["provider.exchange.command"] != `["pwsh"]` {
		t.Errorf("recorded: %v", st.Settings)
	}
}
