//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// copyOverride is a copy's status, content index, activation block and replay lag as a
// test sets them ("" leaves what the lab models).
type copyOverride struct {
	Status              string `json:"status"`
	ContentIndexState   string `json:"content_index_state"`
	ActivationSuspended bool   `json:"activation_suspended"`
	// ReplayLagTime is the copy's replay lag as Exchange shows a TimeSpan ("7.00:00:00"),
	// reported in its database's ReplayLagTimes (Get-MailboxDatabase).
	ReplayLagTime string `json:"replay_lag_time"`
}

// replayLagTimes is Get-MailboxDatabase's ReplayLagTimes of d: one element per copy,
// the active one first, each the KeyValuePair's text "[SERVER, LAG]" (a list: [string]
// joins it with spaces, as PowerShell does).
func (sh *shell) replayLagTimes(d *state.Database) []any {
	servers := []string{d.Server}
	for _, c := range d.Copies {
		servers = append(servers, c.Server)
	}
	out := make([]any, 0, len(servers))
	for _, srv := range servers {
		lag := "00:00:00"
		if o, ok := sh.state.Copies[d.Name+`\`+srv]; ok && o.ReplayLagTime != "" {
			lag = o.ReplayLagTime
		}
		out = append(out, "["+srv+", "+lag+"]")
	}
	return out
}

// copyStatus answers Get-MailboxDatabaseCopyStatus as its reference describes: -Server X
// gives every copy on X (active and passive), -Identity DB (or DB\SERVER) the copies of
// DB, neither every copy of the organization. Each copy is named <database>\<server>.
// A server that is down throws (its Replication service cannot be reached), as a
// remote call to a dead server does; -ErrorAction SilentlyContinue makes that nothing.
func (sh *shell) copyStatus(a *args, obs *state.Observed) ([]any, error) {
	server, hasServer, err := a.optStr("Server")
	if err != nil {
		return nil, err
	}
	id, hasID, err := a.optStr("Identity")
	if err != nil {
		return nil, err
	}
	if !hasID && len(a.pos) == 1 {
		s, ok := a.pos[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: the identity must be a string", a.cmd)
		}
		id, hasID = s, true
	}
	if hasServer && hasID {
		return nil, fmt.Errorf("%s: -Identity and -Server are in different parameter sets", a.cmd)
	}
	fail := func(err error) ([]any, error) {
		if a.silently() {
			return nil, nil
		}
		return nil, err
	}
	if hasServer {
		srv := findServer(obs, server)
		if srv == nil {
			return fail(fmt.Errorf("The operation couldn't be performed because object '%s' couldn't be found on 'dc01.contoso.com'.", server))
		}
		if !srv.Up {
			return fail(fmt.Errorf("A server-side database availability group administrative operation failed. The Microsoft Exchange Replication service may not be running on server %s.", srv.Name))
		}
	}
	idDB, idServer, _ := strings.Cut(id, `\`)
	var out []any
	add := func(d *state.Database, srv, status, ci string) {
		if hasServer && !strings.EqualFold(srv, server) || hasID && (!strings.EqualFold(d.Name, idDB) || idServer != "" && !strings.EqualFold(srv, idServer)) {
			return
		}
		name := d.Name + `\` + srv
		suspended := false
		if o, ok := sh.state.Copies[name]; ok {
			if o.Status != "" {
				status, ci = o.Status, o.ContentIndexState
			}
			suspended = o.ActivationSuspended
		}
		out = append(out, newObject("DatabaseCopyStatusEntry", "Name", name, "DatabaseName", d.Name, "MailboxServer", srv,
			"Status", status, "ContentIndexState", ci, "ActivationSuspended", suspended))
	}
	for _, n := range sortedKeys(obs.Databases) {
		d := obs.Databases[n]
		if d.Recovery {
			continue
		}
		if s := obs.Servers[d.Server]; s != nil && s.Up {
			status := "Dismounted"
			if d.Mounted {
				status = "Mounted"
			}
			add(d, d.Server, status, "Healthy")
		}
		for _, c := range d.Copies {
			if s := obs.Servers[c.Server]; s == nil || !s.Up {
				continue // nothing answers for a server that is down
			}
			ci := map[string]string{"Healthy": "Healthy", "Failed": "Failed"}[c.Status]
			if ci == "" {
				ci = "Unknown"
			}
			add(d, c.Server, c.Status, ci)
		}
	}
	if hasID && len(out) == 0 {
		return fail(fmt.Errorf("The operation couldn't be performed because object '%s' couldn't be found on 'dc01.contoso.com'.", id))
	}
	return out, nil
}

func findServer(obs *state.Observed, name string) *state.Server {
	for _, s := range obs.Servers {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}
