package main

import (
	"github.com/dialtone/dialtone/cmd/dialtone/internal/privileged"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/state"
)

// The privileged settings (the exchange provider's command, connection_uri,
// authentication and credential_file; the pg backend's connection) are decided by
// internal/privileged from the configuration and the pins of the environment.
const (
	envExchangeCommand        = privileged.EnvExchangeCommand
	envExchangeConnectionURI  = privileged.EnvExchangeConnectionURI
	envExchangeAuthentication = privileged.EnvExchangeAuthentication
	envExchangeCredentialFile = privileged.EnvExchangeCredentialFile
)

// privilegedEnv is where the invocation's pins come from.
func privilegedEnv(c *cli) privileged.Env { return privileged.Env{Getenv: c.getenv, Path: c.path} }

func resolveExchange(c *cli, pr *config.Provider) (*privileged.Exchange, error) {
	return privileged.ResolveExchange(privilegedEnv(c), pr)
}

func pgConnection(c *cli, be *config.Backend) (conn, source string, err error) {
	return privileged.PGConnection(privilegedEnv(c), be)
}

func privilegedSettings(c *cli, cfg *config.Config, where string) ([]planner.Setting, error) {
	return privileged.Settings(privilegedEnv(c), cfg, configuredBackend(c, cfg), where)
}

func recordSettings(st *state.State, settings []planner.Setting) []planner.Setting {
	return privileged.Record(st, settings)
}
