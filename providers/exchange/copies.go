package exchange

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// copyBatch is how many servers one request asks for their database copies. A DAG
// member holds a few dozen copies; 50 servers' copies are one response of a few
// thousand small objects.
const copyBatch = 50

// activatable are the copy statuses Active Manager activates (best copy and server
// selection considers only copies in one of them; learn.microsoft.com/exchange/high-availability/database-availability-groups/active-manager).
// Failed, FailedAndSuspended and ServiceDown copies are not activated; Initializing,
// Resynchronizing, Seeding, SinglePageRestore and Suspended ones may become so (the
// planner says to wait); Mounted, Dismounted, Mounting and Dismounting are the active
// copy's.
var activatable = map[string]bool{
	"healthy": true, "disconnectedandhealthy": true, "disconnectedandresynchronizing": true, "seedingsource": true,
}

// readCopies reads the status of every database copy, one Get-MailboxDatabaseCopyStatus
// -Server statement per server (batched), not one per database: 2,000 replicated
// databases on 200 servers are 4 round trips. The active copy is not a passive copy and
// is left out. A server whose Replication service cannot answer reports nothing
// (-ErrorAction SilentlyContinue): one unreachable DAG member must not stop the refresh
// of a failure; the planner treats a declared copy that nothing reports as unknown.
// The read is the same for a scoped refresh: it scales with servers, not mailboxes.
func (p *Provider) readCopies(ctx context.Context, obs *state.Observed, lags replayLags) error {
	servers := make([]string, 0, len(obs.Servers))
	canon := map[string]string{}
	for name := range obs.Servers {
		servers = append(servers, name)
		canon[strings.ToLower(name)] = name
	}
	sort.Strings(servers)
	dbs := make(map[string]*state.Database, len(obs.Databases))
	for name, d := range obs.Databases {
		dbs[strings.ToLower(name)] = d
	}
	for len(servers) > 0 {
		n := min(len(servers), copyBatch)
		stmts := make([]string, 0, n)
		for _, srv := range servers[:n] {
			s, err := pipeline(p.ex("Get-MailboxDatabaseCopyStatus").str("-Server", "server name", srv).raw("-ErrorAction SilentlyContinue"),
				selectProps([]string{"ActivationSuspended"}, []string{"Name", "Status", "ContentIndexState"}))
			if err != nil {
				return err
			}
			stmts = append(stmts, s)
		}
		servers = servers[n:]
		data, err := p.run(ctx, strings.Join(stmts, "; "))
		if err != nil {
			return err
		}
		recs, err := decodeRecords("Get-MailboxDatabaseCopyStatus", data)
		if err != nil {
			return err
		}
		for _, r := range recs {
			// Name is <database>\<server> (learn.microsoft.com/exchange/high-availability/manage-ha/add-db-copies);
			// a server name holds no backslash.
			name, err := r.str("Name", true)
			if err != nil {
				return err
			}
			i := strings.LastIndexByte(name, '\\')
			if i <= 0 || i == len(name)-1 {
				return r.wrongType("Name", `a copy name such as "DB01\EX02"`, r.m["Name"])
			}
			status, err := r.str("Status", true)
			if err != nil {
				return err
			}
			ci, err := r.str("ContentIndexState", false)
			if err != nil {
				return err
			}
			// ActivationSuspended (a DatabaseCopyStatusEntry property; Microsoft's
			// configure-activation-policies checks it with Format-List ActivationSuspended)
			// is null for a copy whose server's Replication service could not say.
			suspended, err := r.boolean("ActivationSuspended", true)
			if err != nil {
				return err
			}
			d := dbs[strings.ToLower(name[:i])]
			srv := canon[strings.ToLower(name[i+1:])]
			if d == nil || d.Recovery || srv == "" || strings.EqualFold(srv, d.Server) {
				continue // the active copy, or a database or server this read does not know
			}
			if hasCopy(d, srv) {
				continue // a server asked twice (names differing in case)
			}
			d.Copies = append(d.Copies, state.DatabaseCopy{Server: srv, Status: status, ContentIndex: ci,
				Healthy: activatable[strings.ToLower(status)], ReplayLag: lags[strings.ToLower(d.Name)][strings.ToLower(srv)],
				ActivationSuspended: suspended != nil && *suspended})
		}
	}
	for _, d := range obs.Databases {
		sort.Slice(d.Copies, func(a, b int) bool { return d.Copies[a].Server < d.Copies[b].Server })
	}
	return nil
}

func hasCopy(d *state.Database, server string) bool {
	for _, c := range d.Copies {
		if strings.EqualFold(c.Server, server) {
			return true
		}
	}
	return false
}

// replayLags are the copies' replay lag times by lower-cased database and server name,
// only those above 0 (a lagged copy), as Exchange shows a TimeSpan ("7.00:00:00").
type replayLags map[string]map[string]string

// lagPair is one element of ReplayLagTimes as [string] writes it: the
// KeyValuePair<ADObjectId, EnhancedTimeSpan> ToString, "[EX02, 7.00:00:00]" (the copy's
// server, its replay lag); the array's elements are joined by spaces.
var (
	lagPair = regexp.MustCompile(`\[([^\[\],]+),\s*([^\[\]]+)\]`)
	lagSpan = regexp.MustCompile(`^-?(?:\d+\.)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?$`)
	lagZero = regexp.MustCompile(`^[-0.:]*$`)
)

// read takes the ReplayLagTimes of database db (Get-MailboxDatabase; the property of
// Exchange's Database class, one server and replay lag per copy, the active one
// included). Absent or empty reads as no lagged copy; text in any other shape is refused,
// as every field this provider cannot read is.
func (l replayLags) read(r record, db string) error {
	text, err := r.str("ReplayLagTimes", false)
	if err != nil || strings.TrimSpace(text) == "" {
		return err
	}
	pairs := lagPair.FindAllStringSubmatch(text, -1)
	if len(pairs) == 0 || strings.TrimSpace(lagPair.ReplaceAllString(text, "")) != "" {
		return r.wrongType("ReplayLagTimes", `pairs such as "[EX02, 7.00:00:00] [EX03, 00:00:00]"`, r.m["ReplayLagTimes"])
	}
	for _, m := range pairs {
		srv, lag := lastSegment(strings.TrimSpace(m[1])), strings.TrimSpace(m[2])
		if !lagSpan.MatchString(lag) {
			return r.wrongType("ReplayLagTimes", `a time span such as "7.00:00:00"`, r.m["ReplayLagTimes"])
		}
		if lagZero.MatchString(lag) {
			continue // 0: not lagged
		}
		key := strings.ToLower(db)
		if l[key] == nil {
			l[key] = map[string]string{}
		}
		l[key][strings.ToLower(srv)] = lag
	}
	return nil
}
