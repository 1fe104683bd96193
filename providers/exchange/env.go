package exchange

import (
	"strings"
)

// EnvPassEnv names more variables of dialtone's environment to hand to the PowerShell
// process, comma-separated (a proxy setting of a name not below, a module path): the
// admin's choice, never the configuration's.
const EnvPassEnv = "DIALTONE_EXCHANGE_PASS_ENV"

// childVars are the variables PowerShell, .NET, remoting and Kerberos need on Windows,
// Linux and macOS. Nothing else of dialtone's environment reaches the process: not the
// pg connection string, not sensitive variables (DIALTONE_VAR_x), not other tools'
// tokens; the credential goes in as DIALTONE_EXCHANGE_USERNAME/_PASSWORD only.
var childVars = []string{
	// every system
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM",
	"PSModulePath", "POWERSHELL_TELEMETRY_OPTOUT", "POWERSHELL_UPDATECHECK",
	"DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT",
	"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
	// Kerberos (pwsh on Linux and macOS)
	"KRB5CCNAME", "KRB5_CONFIG", "KRB5_KTNAME", "KRB5_CLIENT_KTNAME",
	// Windows
	"SystemRoot", "SystemDrive", "windir", "ComSpec", "PATHEXT", "OS",
	"USERPROFILE", "USERNAME", "USERDOMAIN", "USERDNSDOMAIN", "USERDOMAIN_ROAMINGPROFILE", "COMPUTERNAME",
	"LOGONSERVER", "HOMEDRIVE", "HOMEPATH", "APPDATA", "LOCALAPPDATA", "ProgramData", "ALLUSERSPROFILE", "PUBLIC",
	"ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "CommonProgramFiles", "CommonProgramFiles(x86)", "CommonProgramW6432",
	"PROCESSOR_ARCHITECTURE", "PROCESSOR_IDENTIFIER", "NUMBER_OF_PROCESSORS",
}

// childEnv keeps of environ (KEY=VALUE entries) the variables of childVars, LC_*, and
// those named in pass (comma-separated). Names compare without case, as Windows does.
func childEnv(environ []string, pass string) []string {
	keep := make(map[string]bool, len(childVars))
	for _, n := range childVars {
		keep[strings.ToUpper(n)] = true
	}
	for _, n := range strings.Split(pass, ",") {
		if n = strings.TrimSpace(n); n != "" {
			keep[strings.ToUpper(n)] = true
		}
	}
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		up := strings.ToUpper(name)
		if keep[up] || strings.HasPrefix(up, "LC_") {
			out = append(out, kv)
		}
	}
	return out
}
