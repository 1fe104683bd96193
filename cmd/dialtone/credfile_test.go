package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/config"
)

// TestExchangeCredentialFileSecrets: opening the exchange provider with a
// credential_file adds the file's password (and its PowerShell-quoted form) and user
// name to the secrets scrubbed from logs, without starting PowerShell.
func TestExchangeCredentialFileSecrets(t *testing.T) {
	dir := t.TempDir()
	const user, pw = `CONTOSO\dt-admin-U1`, "pw-it's-Z9k4"
	if err := os.WriteFile(filepath.Join(dir, "ex.cred"), []byte(user+"\r\n"+pw+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The command and the credential file are privileged: pinned by the environment.
	env := map[string]string{envExchangeCommand: `["no-such-pwsh-for-dialtone-test"]`, envExchangeCredentialFile: "ex.cred"}
	c := &cli{dir: dir, log: hclog.NewNullLogger(), secrets: &secretSet{}, getenv: func(k string) string { return env[k] }, ctx: context.Background()}
	cfg := &config.Config{Provider: &config.Provider{Type: "exchange", Command: []string{"no-such-pwsh-for-dialtone-test"}, CredentialFile: "ex.cred"}}
	p, err := openExchange(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeProvider(c, p)
	line := "user " + user + " password " + pw + " quoted '" + strings.ReplaceAll(pw, "'", "''") + "'"
	got := c.secrets.ScrubString(line)
	for _, v := range []string{user, pw, "Z9k4", "dt-admin-U1"} {
		if strings.Contains(got, v) {
			t.Errorf("%q survives scrubbing: %s", v, got)
		}
	}
	if strings.Count(got, sensitiveText) != 3 {
		t.Errorf("want 3 redactions: %s", got)
	}
}
