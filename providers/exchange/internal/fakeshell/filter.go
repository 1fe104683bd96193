//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// Get-Mailbox -Filter: the one OPATH filter the provider writes, ArchiveDatabase -eq
// '<DN>'. In Exchange Server the ArchiveDatabase filter takes the distinguished name of
// a mailbox database ("Filterable properties for the -Filter parameter"): a name where
// the DN belongs is refused, as Exchange cannot convert it to a directory object.

// databaseDN is a database's distinguished name in the double's organization (Contoso),
// its name escaped as RFC 4514 wants.
func databaseDN(name string) string {
	var b strings.Builder
	for i, r := range name {
		if strings.ContainsRune(`,+"\<>;=`, r) || r == '#' && i == 0 || r == ' ' && (i == 0 || i == len(name)-1) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return "CN=" + b.String() + ",CN=Databases,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com"
}

// archiveFilterRE is the filter, its quoted value with single quotes doubled.
var archiveFilterRE = regexp.MustCompile(`(?i)^\s*ArchiveDatabase\s+-eq\s+'((?:[^']|'')*)'\s*$`)

// archiveFilter reads filter and returns the name of the database its DN names ("" for
// a DN of no database: nothing matches).
func archiveFilter(filter string, obs *state.Observed) (string, error) {
	m := archiveFilterRE.FindStringSubmatch(filter)
	if m == nil {
		return "", fmt.Errorf("fakeshell: Get-Mailbox -Filter %q: only ArchiveDatabase -eq '<distinguished name>' is in the subset", filter)
	}
	dn := strings.ReplaceAll(m[1], "''", "'")
	if !strings.HasPrefix(strings.ToUpper(dn), "CN=") {
		return "", fmt.Errorf("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"The value %q of property ArchiveDatabase is not a distinguished name: in Exchange Server this filter takes the distinguished name of the archive mailbox database.\"", dn)
	}
	for _, d := range obs.Databases {
		if strings.EqualFold(databaseDN(d.Name), dn) {
			return d.Name, nil
		}
	}
	return "", nil
}

// archivesOn is the mailboxes whose archive is on db, through the lab's index (every
// mailbox read and compared when the lab has none); none for "" (a DN of no database).
func (sh *shell) archivesOn(db string) ([]*state.Mailbox, error) {
	if db == "" {
		return nil, nil
	}
	list, err := sh.lab.ArchivesOn(sh.ctx, db)
	if !errors.Is(err, lab.ErrNotIndexed) {
		return list, err
	}
	return sh.mailboxList("", false) // the caller keeps those whose archive is on db
}
