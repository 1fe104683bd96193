package privileged

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

func testEnv(env map[string]string) Env {
	return Env{Getenv: func(k string) string { return env[k] }, Path: func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join("/work", p)
	}}
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
		{"env only", config.Backend{}, map[string]string{PGConnEnv: good}, good},
		{"literal, no pin", config.Backend{ConnStr: evil}, nil, ""},
		{"literal, other pin", config.Backend{ConnStr: evil}, map[string]string{PGConnEnv: good}, ""},
		{"literal, same pin", config.Backend{ConnStr: good}, map[string]string{PGConnEnv: good}, good},
		{"variable from the environment", config.Backend{ConnStr: good, ConnStrVariable: "pg", ConnStrSource: "environment variable DIALTONE_VAR_pg"}, nil, good},
		{"variable from -var", config.Backend{ConnStr: good, ConnStrVariable: "pg", ConnStrSource: "-var"}, nil, good},
		{"variable from a .dtvars file", config.Backend{ConnStr: evil, ConnStrVariable: "pg", ConnStrSource: "dialtone.dtvars"}, nil, ""},
		{"variable default", config.Backend{ConnStr: evil, ConnStrVariable: "pg", ConnStrSource: "default"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := PGConnection(testEnv(tc.env), &tc.be)
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
	got := Record(st, []planner.Setting{
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

// The exchange provider's privileged settings come from the configuration only when
// pinned by the environment or on the allow-list; a pin alone supplies them.
func TestResolveExchange(t *testing.T) {
	pr := func(mod func(p *config.Provider)) *config.Provider {
		p := &config.Provider{Type: "exchange"}
		if mod != nil {
			mod(p)
		}
		return p
	}
	t.Run("defaults", func(t *testing.T) {
		ex, err := ResolveExchange(testEnv(nil), pr(nil))
		if err != nil || len(ex.Command) == 0 || ex.Authentication != config.AuthKerberos || ex.ConnectionURI != "" || ex.CredentialFile != "" {
			t.Fatalf("%+v, %v", ex, err)
		}
		if len(ex.Shown) != 3 || ex.Shown[0].Source != "default" {
			t.Fatalf("shown: %+v", ex.Shown)
		}
	})
	t.Run("allow-listed shell by name", func(t *testing.T) {
		ex, err := ResolveExchange(testEnv(nil), pr(func(p *config.Provider) {
			p.Command = append([]string{"powershell.exe"}, config.DefaultExchangeCommand[1:]...)
		}))
		if err != nil || ex.Command[0] != "powershell.exe" || ex.Shown[0].Source != "configuration, built-in allow-list" {
			t.Fatalf("%+v, %v", ex, err)
		}
	})
	t.Run("another program without a pin", func(t *testing.T) {
		_, err := ResolveExchange(testEnv(nil), pr(func(p *config.Provider) { p.Command = []string{"/tmp/evil", "-File", "x.ps1"} }))
		if err == nil || !strings.Contains(err.Error(), "is privileged") || !strings.Contains(err.Error(), EnvExchangeCommand+"=") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("pinned program", func(t *testing.T) {
		env := map[string]string{EnvExchangeCommand: `["/opt/pwsh/pwsh", "-NoProfile"]`}
		ex, err := ResolveExchange(testEnv(env), pr(func(p *config.Provider) { p.Command = []string{"/opt/pwsh/pwsh", "-NoProfile"} }))
		if err != nil || ex.Command[0] != "/opt/pwsh/pwsh" || ex.Shown[0].Source != "environment "+EnvExchangeCommand {
			t.Fatalf("%+v, %v", ex, err)
		}
		if _, err := ResolveExchange(testEnv(env), pr(func(p *config.Provider) { p.Command = []string{"/tmp/evil"} })); err == nil {
			t.Fatal("a program other than the pinned one was accepted")
		}
	})
	t.Run("connection_uri needs a pin", func(t *testing.T) {
		withURI := pr(func(p *config.Provider) { p.ConnectionURI = "http://ex01.contoso.com/PowerShell/" })
		if _, err := ResolveExchange(testEnv(nil), withURI); err == nil {
			t.Fatal("an unpinned connection_uri was accepted")
		}
		ex, err := ResolveExchange(testEnv(map[string]string{EnvExchangeConnectionURI: "http://ex01.contoso.com/PowerShell/"}), withURI)
		if err != nil || ex.ConnectionURI != "http://ex01.contoso.com/PowerShell/" {
			t.Fatalf("%+v, %v", ex, err)
		}
	})
	t.Run("Basic authentication needs a pin", func(t *testing.T) {
		basic := pr(func(p *config.Provider) { p.Authentication = "Basic" })
		if _, err := ResolveExchange(testEnv(nil), basic); err == nil {
			t.Fatal("Basic was accepted without a pin")
		}
	})
	t.Run("credential_file", func(t *testing.T) {
		withFile := pr(func(p *config.Provider) { p.CredentialFile = "ex.cred" })
		if _, err := ResolveExchange(testEnv(nil), withFile); err == nil {
			t.Fatal("an unpinned credential_file was accepted")
		}
		ex, err := ResolveExchange(testEnv(map[string]string{EnvExchangeCredentialFile: "ex.cred"}), withFile)
		if err != nil || ex.CredentialFile != "/work/ex.cred" {
			t.Fatalf("%+v, %v", ex, err)
		}
		if _, err := ResolveExchange(testEnv(map[string]string{EnvExchangeCredentialFile: "other.cred"}), withFile); err == nil {
			t.Fatal("a credential_file other than the pinned one was accepted")
		}
	})
}
