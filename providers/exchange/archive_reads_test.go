package exchange_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// The system re-homes of a site failure read the archives on each failed database with
// Get-Mailbox -Filter on ArchiveDatabase: the objects returned depend on the failure
// (its databases' system mailboxes and archives), not on the organization around it.
// Before, each re-home read every mailbox of the organization, twice where archives
// moved: the same failure cost about three times the objects in an organization three
// times the size.
func TestSiteFailureRehomeReadsDoNotScaleWithTheOrganization(t *testing.T) {
	const dbs, perDB = 3, 30
	read := map[int]int{}
	for _, servers := range []int{2, 6} {
		count := filepath.Join(t.TempDir(), "objects")
		r := newRig(t, siteTopology(servers, dbs), perDB, rigOpts{env: []string{"FAKESHELL_OBJECTS=" + count}})
		ctx := context.Background()
		obs, err := r.lab.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Two archives on each failed database, of mailboxes homed on the healthy server.
		var healthy []string
		for addr, m := range obs.Mailboxes {
			if m.Kind == "" && m.Database == "DB0101" {
				healthy = append(healthy, addr)
			}
		}
		sort.Strings(healthy)
		want := map[string]string{}
		var failed []string
		for d := 1; d <= dbs; d++ {
			failed = append(failed, fmt.Sprintf("DB02%02d", d))
			for _, addr := range healthy[2*(d-1) : 2*d] {
				if err := r.lab.EnableArchive(addr, fmt.Sprintf("DB02%02d", d)); err != nil {
					t.Fatal(err)
				}
				want[addr] = fmt.Sprintf("DB01%02d", d)
			}
		}
		if err := r.lab.FailServer("EX02"); err != nil {
			t.Fatal(err)
		}
		// The refresh before the apply (it reads the servers, as every plan does).
		if _, err := r.prov.ReadScoped(ctx, failed); err != nil {
			t.Fatal(err)
		}
		before := objects(t, count)
		for d := 1; d <= dbs; d++ {
			op := providers.Operation{Kind: providers.OpRehomeSystemMailboxes, Database: fmt.Sprintf("DB02%02d", d), Target: fmt.Sprintf("DB01%02d", d)}
			res, err := r.prov.Apply(ctx, op, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d servers: %s", servers, res.Detail)
		}
		read[servers] = objects(t, count) - before
		after, err := r.lab.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for addr, db := range want {
			if got := after.Mailboxes[addr].ArchiveDatabase; got != db {
				t.Errorf("%d servers: the archive of %s is on %s, want %s", servers, addr, got, db)
			}
		}
		for _, c := range r.callsOf(t, "Get-Mailbox") {
			if _, db := c.Args["database"]; !db {
				if _, f := c.Args["filter"]; !f {
					t.Errorf("%d servers: Get-Mailbox of the whole organization: %v", servers, c.Args)
				}
			}
		}
	}
	t.Logf("objects returned by the re-homes of 3 failed databases: %d in an organization of %d mailboxes, %d in one of %d",
		read[2], 2*dbs*perDB, read[6], 6*dbs*perDB)
	if read[6] != read[2] {
		t.Errorf("the same failure's re-homes returned %d objects in the larger organization, %d in the smaller: they grow with the organization", read[6], read[2])
	}
	if read[2] >= 2*dbs*perDB {
		t.Errorf("the re-homes of 3 databases returned %d objects, as many as the organization's %d mailboxes", read[2], 2*dbs*perDB)
	}
}
