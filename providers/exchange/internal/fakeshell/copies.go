//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// copyOverride is a copy's status and content index as a test sets them.
type copyOverride struct {
	Status            string `json:"status"`
	ContentIndexState string `json:"content_index_state"`
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
		if o, ok := sh.state.Copies[name]; ok {
			status, ci = o.Status, o.ContentIndexState
		}
		out = append(out, newObject("DatabaseCopyStatusEntry", "Name", name, "DatabaseName", d.Name, "MailboxServer", srv,
			"Status", status, "ContentIndexState", ci))
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
