package main

import "github.com/dialtone/dialtone/cmd/dialtone/internal/logging"

// secretSet is the invocation's known secrets (internal/logging scrubs them from the
// logs; reports and errors are scrubbed with it too).
type secretSet = logging.Secrets

// sensitiveText replaces a secret wherever it would be written.
const sensitiveText = logging.SensitiveText

// addEnvSecrets records the secrets the environment holds before any configuration is
// read: the pg connection strings.
func addEnvSecrets(s *secretSet, getenv func(string) string) {
	s.AddConnString(getenv(pgConnEnv))
	if testHooks.envSecrets != nil {
		testHooks.envSecrets(s, getenv)
	}
}
