package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Exchange's rule: Move-DatabasePath refuses a replicated database (one with passive
// copies); its copies are removed first and added back after the move. dialtone never
// runs Move-DatabasePath, and keeps the rule for what would amount to it: moving the
// files of a database that has copies (the swap replaces a dial tone database's files),
// or acting on paths that differ from those Exchange has for a replicated database.
const replicatedRule = "Move-DatabasePath can't be run against a replicated database: Microsoft's procedure removes all its copies first, " +
	"moves the database, then adds the copies back (Add-MailboxDatabaseCopy) and seeds them"

// copyServers names the servers holding copies of database name, as the state reports
// them or, for a database the state does not report copies of, as the configuration
// declares them.
func copyServers(cfg *config.Config, st *state.State, name string) []string {
	var out []string
	if d := st.Databases[name]; d != nil && len(d.Copies) > 0 {
		for _, c := range d.Copies {
			out = append(out, c.Server)
		}
		return out
	}
	if d := cfg.Databases[name]; d != nil {
		for _, c := range d.Copies {
			out = append(out, c.Name)
		}
	}
	return out
}

// replicatedPathChecks refuse a recovery whose configuration gives a database with
// copies other paths than Exchange has: acting on them would move a replicated
// database's path. Checked for the failed and the dial tone database.
func replicatedPathChecks(rc *recCtx, cfg *config.Config, st *state.State) []Precondition {
	var out []Precondition
	for _, d := range []dbSpec{rc.failed, rc.dt} {
		obs := st.Databases[d.Name]
		copies := copyServers(cfg, st, d.Name)
		if obs == nil || len(copies) == 0 || d.Edb == "" {
			continue
		}
		if strings.EqualFold(obs.EdbFilePath, d.Edb) && strings.EqualFold(obs.LogFolderPath, d.Logs) {
			continue
		}
		out = append(out, Precondition{
			Description: fmt.Sprintf("%s keeps its paths (it has copies on %s; Exchange has %s and %s, the configuration %s and %s)",
				d.Name, strings.Join(copies, ", "), obs.EdbFilePath, obs.LogFolderPath, d.Edb, d.Logs),
			Result: ResultFailed,
			Fix: fmt.Sprintf("%s. Declare the paths Exchange reports for %s (dialtone import writes them), or remove its copies first, move it, refresh and plan again.",
				replicatedRule, d.Name),
		})
	}
	return out
}

// replicatedMoveCheck refuses a file move from or into the folders of a database that
// has copies: its passive copies would no longer match the files under them.
func (c *checker) replicatedMoveCheck(op providers.Operation) (Precondition, bool) {
	names := make([]string, 0, len(c.st.Databases))
	for name := range c.st.Databases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := c.st.Databases[name]
		if d == nil || d.EdbFilePath == "" || !strings.EqualFold(d.EdbFilePath, op.EdbFilePath) && !strings.EqualFold(d.EdbFilePath, op.DestEdbFilePath) {
			continue
		}
		copies := copyServers(c.cfg, c.st, name)
		if len(copies) == 0 {
			continue
		}
		return Precondition{
			Description: fmt.Sprintf("%s has no passive copies (it has copies on %s): its files can be moved", name, strings.Join(copies, ", ")),
			Result:      ResultFailed,
			Fix:         fmt.Sprintf("%s. Remove %s's copies first, run \"dialtone refresh\", apply, and add them back once users are on their final database.", replicatedRule, name),
		}, true
	}
	return Precondition{}, false
}
