package lab

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

func mountedNow(t *testing.T, l *Lab) []string {
	t.Helper()
	obs, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for name, d := range obs.Databases {
		if d.Mounted {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// restart_information_store on EX01 after RDB01 is created: DB01 and DB02 are
// interrupted and mounted again (DB02 too, which is not mounted at startup), the store
// has loaded RDB01 (a second run is done already), and no message is lost or doubled.
func TestRestartStoreRemountsAndLoadsTheRecoveryDatabase(t *testing.T) {
	l := newLab(t, 3)
	if err := l.SetDatabaseSettings("DB02", map[string]string{state.SettingMountAtStartup: "False"}); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", 2)
	mustDeliver(t, l, "db02-user0001@contoso.com", 2)
	rdb := providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01", EdbFilePath: `E:\Recovery\RDB01\DB01.edb`, LogFolderPath: `E:\Recovery\RDB01\Logs`, Recovery: true}
	mustApply(t, l, rdb)
	op := providers.Operation{Kind: providers.OpRestartStore, Database: "RDB01", Server: "EX01", Databases: []string{"DB01", "DB02"}}
	res := applyTwice(t, l, op)
	if res.AlreadyDone || res.Count != 2 || !strings.Contains(res.Detail, "DB01, DB02 mounted again") {
		t.Errorf("restart: %+v", res)
	}
	if got := mountedNow(t, l); !slices.Equal(got, []string{"DB01", "DB02"}) {
		t.Errorf("mounted after the restart: %v", got)
	}
	mustDeliver(t, l, "db02-user0002@contoso.com", 2)
	if rep, err := l.Verify(); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	// Without the recovery database, a restart for it is refused, changing nothing.
	applyErr(t, l, providers.Operation{Kind: providers.OpRestartStore, Database: "RDB09", Server: "EX01"}, "RDB09 does not exist")
}

// The store restart alone, as Exchange does it: DB02 (MountAtStartup $false) stays
// dismounted and its mail queues, never lost; the mount delivers it. A server that is
// down has no store to restart.
func TestRestartStoreAloneLeavesWhatIsNotMountedAtStartup(t *testing.T) {
	l := newLab(t, 2)
	if err := l.SetDatabaseSettings("DB02", map[string]string{state.SettingMountAtStartup: "False"}); err != nil {
		t.Fatal(err)
	}
	mounted, again, err := l.RestartStore("EX01")
	if err != nil || !slices.Equal(mounted, []string{"DB01", "DB02"}) || !slices.Equal(again, []string{"DB01"}) {
		t.Fatalf("RestartStore: mounted %v, mounted again %v, %v", mounted, again, err)
	}
	acc := mustDeliver(t, l, "db02-user0001@contoso.com", 3)
	if !acc[0].Queued {
		t.Fatalf("mail to DB02 while it is dismounted: %+v", acc[0])
	}
	if rep, err := l.Verify(); err != nil || len(rep.Queued) != 3 {
		t.Fatalf("verify while DB02 is down: %+v %v", rep, err)
	}
	mustApply(t, l, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB02"})
	if rep, err := l.Verify(); err != nil || !rep.OK() {
		t.Fatalf("verify after the mount: %+v %v", rep, err)
	}
	if err := l.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.RestartStore("EX01"); err == nil || !strings.Contains(err.Error(), "down") {
		t.Errorf("a restart on a server that is down: %v", err)
	}
}
