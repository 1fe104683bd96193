package main

import (
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
)

// addrKinds are the kinds of address state list prints and state show accepts.
const addrKinds = "server, database, mailbox, recovery, restore_request"

// cmdState is "state list" and "state show ADDR".
func cmdState(c *cli, args []string) int {
	if len(args) == 0 {
		return c.errorf("state needs a subcommand: \"state list\" or \"state show ADDR\"")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "pull":
		return cmdStatePull(c, rest)
	case "push":
		return cmdStatePush(c, rest)
	}
	fs := newFlagSet(c, "state "+sub, "state list | state show ADDR")
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	switch sub {
	case "list":
		if fs.NArg() > 0 {
			return c.errorf("state list takes no arguments")
		}
	case "show":
		if fs.NArg() != 1 {
			return c.errorf("state show needs one address, such as recovery.db01-outage or database.DB01")
		}
	default:
		return c.errorf("unknown state subcommand %q: use \"state list\", \"state show ADDR\", \"state pull\" or \"state push FILE\"", sub)
	}

	st, path, ok := recordedState(c)
	if !ok {
		return exitError
	}

	if sub == "list" {
		views.StateAddresses(c.streams(), st)
		return exitOK
	}

	addr := fs.Arg(0)
	kind, name, ok := strings.Cut(addr, ".")
	if !ok || name == "" {
		return c.errorf("%q is not an address: write KIND.NAME, where KIND is one of %s", addr, addrKinds)
	}
	var obj any
	found := false
	switch kind {
	case "server":
		obj, found = st.Servers[name]
	case "database":
		obj, found = st.Databases[name]
	case "mailbox":
		obj, found = st.Mailboxes[name]
	case "restore_request":
		obj, found = st.RestoreRequests[name]
	case "recovery":
		r, ok := st.Recoveries[name]
		if !ok {
			break
		}
		views.StateRecovery(c.streams(), r)
		return exitOK
	default:
		return c.errorf("unknown kind %q in %q: the state holds %s", kind, addr, addrKinds)
	}
	if !found {
		return c.errorf("no %s in the state %s; \"dialtone state list\" prints every address", addr, path)
	}
	if err := views.StateObject(c.streams(), addr, obj); err != nil {
		return c.errorf("%v", err)
	}
	return exitOK
}
