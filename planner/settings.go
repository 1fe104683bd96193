package planner

// Setting is a privileged provider or backend setting in effect for a plan: one that
// names a program dialtone runs or says where credentials and the state go (the
// exchange provider's command, connection_uri, authentication and credential_file; the
// pg backend's connection). They are taken from the configuration only when the
// admin's environment pins them or the value is on a short built-in allow-list, and
// every plan shows them, so that a reviewer sees any change to them. A plan file
// records them: apply refuses a plan made with other values (CompareRederived).
type Setting struct {
	Name   string `json:"name"`   // provider.exchange.command, backend.pg.connection, ...
	Value  string `json:"value"`  // as shown: never a password
	Source string `json:"source"` // where the value came from ("default", "environment DIALTONE_EXCHANGE_COMMAND", ...)
	// Was is the value the state recorded when dialtone last wrote it with this
	// provider and backend, when it differs; "" when unchanged or never recorded.
	Was string `json:"was,omitempty"`
}
