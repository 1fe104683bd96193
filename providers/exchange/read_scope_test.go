package exchange_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dialtone/dialtone/providers/lab"
)

// siteTopology is servers EX01..EXnn with dbs databases each.
func siteTopology(servers, dbs int) lab.Topology {
	var topo lab.Topology
	for s := 1; s <= servers; s++ {
		srv := fmt.Sprintf("EX%02d", s)
		topo.Servers = append(topo.Servers, lab.ServerSpec{Name: srv, Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"})
		for d := 1; d <= dbs; d++ {
			db := fmt.Sprintf("DB%02d%02d", s, d)
			topo.Databases = append(topo.Databases, lab.DatabaseSpec{Name: db, Server: srv,
				EdbFilePath: `D:\Databases\` + db + `\` + db + `.edb`, LogFolderPath: `D:\Databases\` + db + `\Logs`})
		}
	}
	return topo
}

// objects sums the double's count of objects returned per request, since the start
// (0 before the first request).
func objects(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// A scoped read returns the servers, the databases and the mailboxes of the databases
// named, about what the failure involves; a full read returns every mailbox.
func TestReadScopedReturnsTheObjectsOfTheFailure(t *testing.T) {
	const servers, dbs, mailboxes = 4, 3, 20
	count := filepath.Join(t.TempDir(), "objects")
	r := newRig(t, siteTopology(servers, dbs), mailboxes, rigOpts{env: []string{"FAKESHELL_OBJECTS=" + count}})
	if err := r.lab.FailServer("EX02"); err != nil {
		t.Fatal(err)
	}
	full, err := r.prov.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fullObjects := objects(t, count)

	failed := []string{"DB0201", "DB0202", "DB0203", "DTDB0201"} // a dial tone database not created yet is skipped
	obs, err := r.prov.ReadScoped(t.Context(), failed)
	if err != nil {
		t.Fatal(err)
	}
	got := objects(t, count) - fullObjects
	involved := servers + servers*dbs + 3*mailboxes
	t.Logf("objects returned: full read %d, scoped read %d (involved %d)", fullObjects, got, involved)
	if got > 2*involved {
		t.Errorf("a scoped read returned %d objects, more than twice the %d involved", got, involved)
	}
	if fullObjects < servers*dbs*mailboxes {
		t.Errorf("a full read returned %d objects, fewer than the %d mailboxes", fullObjects, servers*dbs*mailboxes)
	}
	if fmt.Sprint(obs.MailboxScope) != "[DB0201 DB0202 DB0203]" {
		t.Errorf("scope %v", obs.MailboxScope)
	}
	n := 0
	for _, m := range full.Mailboxes {
		if m.Database == "DB0201" || m.Database == "DB0202" || m.Database == "DB0203" {
			n++
			if got := obs.Mailboxes[m.Address]; got == nil || *got != *m {
				t.Errorf("%s: scoped %+v, full %+v", m.Address, got, m)
			}
		}
	}
	if n != len(obs.Mailboxes) || n < 3*mailboxes {
		t.Errorf("scoped read holds %d mailboxes, the full read %d of those databases", len(obs.Mailboxes), n)
	}
	if len(obs.Servers) != servers || len(obs.Databases) != servers*dbs {
		t.Errorf("scoped read: %d servers, %d databases", len(obs.Servers), len(obs.Databases))
	}
	perDB := 0
	for _, c := range r.callsOf(t, "Get-Mailbox") {
		if db, ok := c.Args["database"]; ok {
			perDB++
			if c.Args["resultsize"] != "Unlimited" || (db != "DB0201" && db != "DB0202" && db != "DB0203") {
				t.Errorf("Get-Mailbox %v", c.Args)
			}
		}
	}
	if perDB != 3*5 { // three databases, five mailbox kinds (Exchange 2019)
		t.Errorf("%d Get-Mailbox -Database calls, want 15", perDB)
	}
}
