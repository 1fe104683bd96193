// Package privileged decides the privileged settings: the exchange provider's command
// (the program dialtone runs, with the Exchange credential and the state's connection
// within reach), connection_uri and authentication (where and how the credential is
// sent), credential_file (which secret is read), and the pg backend's connection
// (where the state is read from and written to). The configuration is reviewed in pull requests, but whoever opens one can
// change it; so, as Terraform keeps provider installation and credentials in the CLI
// configuration and the environment rather than in the module, these come from the
// configuration only when the admin's environment pins the same value, or the value
// is on a short built-in allow-list. A pin also supplies the value when the
// configuration leaves it out. Every plan shows them (planner.Setting).
package privileged

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// The environment's pins of the exchange provider's settings.
const (
	EnvExchangeCommand        = "DIALTONE_EXCHANGE_COMMAND"         // JSON list ["prog", "arg", ...], or one program path (default arguments)
	EnvExchangeConnectionURI  = "DIALTONE_EXCHANGE_CONNECTION_URI"  // the remote session's URI
	EnvExchangeAuthentication = "DIALTONE_EXCHANGE_AUTHENTICATION"  // Kerberos | Negotiate | Basic
	EnvExchangeCredentialFile = "DIALTONE_EXCHANGE_CREDENTIAL_FILE" // the credential file's path
)

// PGConnEnv holds the pg backend's connection string when the configuration has none.
const PGConnEnv = "DIALTONE_PG_CONN_STR"

// allowedShells are the programs a configuration may name without a pin: PowerShell by
// name (found on PATH), with exactly the default arguments; anything else (a path, other
// arguments such as -File or a -Command script) could run any code.
var allowedShells = []string{"pwsh", "pwsh.exe", "powershell", "powershell.exe"}

// Exchange are the exchange provider's privileged settings in effect.
type Exchange struct {
	Command        []string
	ConnectionURI  string
	Authentication string
	CredentialFile string            // resolved against the working directory; "" none
	Shown          []planner.Setting // what plans show of them
}

// Env is where pins come from: the environment, and the working directory paths are
// resolved against.
type Env struct {
	Getenv func(string) string
	Path   func(string) string
}

// privilegedError says which setting was refused and how to allow it.
func privilegedError(pr *config.Provider, name, value, env, why string) error {
	return fmt.Errorf("%s: provider %q: %s = %s is privileged and is not taken from the configuration: %s. "+
		"Whoever can change the configuration (a pull request) could otherwise choose it. "+
		"If it is right, pin it in the environment of the admins and of CI: %s=%s; or leave %s out",
		pr.DeclRange, pr.Type, name, value, why, env, envQuote(value), name)
}

func envQuote(v string) string {
	if strings.ContainsAny(v, " \"'$\\[]") {
		return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
	}
	return v
}

// ResolveExchange decides the exchange provider's privileged settings from pr and the
// environment; an error names the setting refused and the pin that would allow it.
func ResolveExchange(c Env, pr *config.Provider) (*Exchange, error) {
	out := &Exchange{}
	show := func(name, value, source string) {
		out.Shown = append(out.Shown, planner.Setting{Name: "provider.exchange." + name, Value: value, Source: source})
	}

	// command
	cfgCmd := pr.Command
	if len(cfgCmd) == 0 {
		cfgCmd = config.DefaultExchangeCommand
	}
	isDefault := slices.Equal(cfgCmd, config.DefaultExchangeCommand)
	if pin := c.Getenv(EnvExchangeCommand); pin != "" {
		pinned, err := parseCommandPin(pin)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvExchangeCommand, err)
		}
		if !isDefault && !slices.Equal(cfgCmd, pinned) {
			return nil, privilegedError(pr, "command", showCommand(cfgCmd), EnvExchangeCommand,
				"the environment pins "+showCommand(pinned)+" ("+EnvExchangeCommand+")")
		}
		out.Command = pinned
		show("command", showCommand(pinned), "environment "+EnvExchangeCommand)
	} else {
		if !isDefault && !allowListed(cfgCmd) {
			return nil, privilegedError(pr, "command", showCommand(cfgCmd), EnvExchangeCommand,
				"only "+strings.Join(allowedShells, ", ")+" by name with the default arguments are allowed without a pin")
		}
		out.Command = cfgCmd
		source := "default"
		if !isDefault {
			source = "configuration, built-in allow-list"
		}
		show("command", showCommand(cfgCmd), source)
	}

	// connection_uri: no allow-list, any server could be named.
	uri, source, err := pinned(c, pr, "connection_uri", pr.ConnectionURI, EnvExchangeConnectionURI, nil, "")
	if err != nil {
		return nil, err
	}
	out.ConnectionURI = uri
	if uri != "" {
		show("connection_uri", uri, source)
	} else {
		show("connection_uri", "(none: the local Exchange Management Shell)", "default")
	}

	// authentication: Kerberos (the default) sends no reusable secret; Negotiate may
	// fall back to NTLM and Basic sends the password itself.
	auth := pr.Authentication
	if auth == "" {
		auth = config.AuthKerberos
	}
	auth, source, err = pinned(c, pr, "authentication", auth, EnvExchangeAuthentication, []string{config.AuthKerberos}, config.AuthKerberos)
	if err != nil {
		return nil, err
	}
	out.Authentication = auth
	show("authentication", auth, source)

	// credential_file: which file's secret is read and sent.
	file := pr.CredentialFile
	if file != "" {
		file = c.Path(file)
	}
	pin := c.Getenv(EnvExchangeCredentialFile)
	switch {
	case pin != "" && file != "" && filepath.Clean(c.Path(pin)) != filepath.Clean(file):
		return nil, privilegedError(pr, "credential_file", pr.CredentialFile, EnvExchangeCredentialFile,
			"the environment pins "+pin+" ("+EnvExchangeCredentialFile+")")
	case pin != "":
		out.CredentialFile = c.Path(pin)
		show("credential_file", pin, "environment "+EnvExchangeCredentialFile)
	case file != "":
		return nil, privilegedError(pr, "credential_file", pr.CredentialFile, EnvExchangeCredentialFile, "it has no allow-list")
	}
	return out, nil
}

// pinned resolves one string setting: the environment's pin, else the configuration's
// value when it is the default or on allow, else an error. source says which.
func pinned(c Env, pr *config.Provider, name, cfgValue, env string, allow []string, def string) (value, source string, err error) {
	pin := c.Getenv(env)
	switch {
	case pin != "" && cfgValue != "" && cfgValue != def && !strings.EqualFold(cfgValue, pin):
		return "", "", privilegedError(pr, name, cfgValue, env, "the environment pins "+pin+" ("+env+")")
	case pin != "":
		return pin, "environment " + env, nil
	case cfgValue == "" || cfgValue == def:
		return cfgValue, "default", nil
	case slices.ContainsFunc(allow, func(a string) bool { return strings.EqualFold(a, cfgValue) }):
		return cfgValue, "configuration, built-in allow-list", nil
	}
	why := "it has no allow-list"
	if len(allow) > 0 {
		why = "only " + strings.Join(allow, ", ") + " is allowed without a pin"
	}
	return "", "", privilegedError(pr, name, cfgValue, env, why)
}

// allowListed reports whether cmd is a PowerShell of allowedShells, by name, with the
// default arguments.
func allowListed(cmd []string) bool {
	return len(cmd) > 0 && slices.Contains(allowedShells, cmd[0]) &&
		slices.Equal(cmd[1:], config.DefaultExchangeCommand[1:])
}

// parseCommandPin reads DIALTONE_EXCHANGE_COMMAND: a JSON list of strings, or one
// program path (spaces allowed, as in C:\Program Files\PowerShell\7\pwsh.exe) run with
// the default arguments.
func parseCommandPin(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var cmd []string
		if err := json.Unmarshal([]byte(v), &cmd); err != nil || len(cmd) == 0 || slices.Contains(cmd, "") {
			return nil, fmt.Errorf("not a JSON list of non-empty strings (like [\"pwsh\", \"-NoLogo\", \"-NoProfile\", \"-NonInteractive\", \"-Command\", \"-\"])")
		}
		return cmd, nil
	}
	return append([]string{v}, config.DefaultExchangeCommand[1:]...), nil
}

// showCommand renders a command for plans and messages: JSON, which shows each
// argument's bounds.
func showCommand(cmd []string) string {
	b, _ := json.Marshal(cmd)
	return string(b)
}

// PGConnection decides the pg backend's connection string: the configuration's
// conn_str when the environment pins the same value (DIALTONE_PG_CONN_STR) or it is
// exactly a variable set in the environment (DIALTONE_VAR_x) or with -var; else
// DIALTONE_PG_CONN_STR. source says which, for plans; never the value itself.
func PGConnection(c Env, be *config.Backend) (conn, source string, err error) {
	pin := c.Getenv(PGConnEnv)
	switch {
	case be.ConnStr == "":
		return pin, "environment " + PGConnEnv, nil
	case pin != "" && be.ConnStr == pin:
		return pin, "configuration, pinned by " + PGConnEnv, nil
	case be.ConnStrVariable != "" && (be.ConnStrSource == "-var" || strings.HasPrefix(be.ConnStrSource, "environment variable ")):
		return be.ConnStr, "variable " + be.ConnStrVariable + " from " + be.ConnStrSource, nil
	}
	// The value is never shown: it may hold a password.
	return "", "", fmt.Errorf("%s: backend \"pg\": conn_str is privileged (it says where the state is read from and written to) and is not taken from the configuration: "+
		"it is not exactly a variable set in the environment (DIALTONE_VAR_NAME) or with -var, and %s does not pin the same value. "+
		"Whoever can change the configuration (a pull request) could otherwise point dialtone at another server. "+
		"Set %s to the connection string in the environment of the admins and of CI (and leave conn_str out), or write conn_str = var.NAME and set DIALTONE_VAR_NAME",
		be.DeclRange, PGConnEnv, PGConnEnv)
}

// Settings lists the privileged settings in effect for plans: the exchange
// provider's (none for lab) and the pg backend's connection (be, the backend in
// effect), shown as where (the server, database and schema; never the credentials).
// It fails as the provider and backend would.
func Settings(c Env, cfg *config.Config, be *config.Backend, where string) ([]planner.Setting, error) {
	var out []planner.Setting
	if pr := cfg.Provider; pr != nil && pr.Type == "exchange" {
		ex, err := ResolveExchange(c, pr)
		if err != nil {
			return nil, err
		}
		out = append(out, ex.Shown...)
	}
	if be.Type == "pg" {
		_, source, err := PGConnection(c, be)
		if err != nil {
			return nil, err
		}
		out = append(out, planner.Setting{Name: "backend.pg.connection", Value: where, Source: source})
	}
	return out, nil
}

// Record marks each setting whose value differs from the one st recorded (Was)
// and records the values in effect in st, so that the next write keeps them.
func Record(st *state.State, settings []planner.Setting) []planner.Setting {
	if st == nil || len(settings) == 0 {
		return settings
	}
	out := slices.Clone(settings)
	cur := make(map[string]string, len(out))
	for i, s := range out {
		if was, ok := st.Settings[s.Name]; ok && was != s.Value {
			out[i].Was = was
		}
		cur[s.Name] = s.Value
	}
	st.Settings = cur
	return out
}
