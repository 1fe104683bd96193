package exchange_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// restart_information_store through the double: Restart-Service -Name MSExchangeIS runs
// on EX01 (inside Invoke-Command), the store mounts DB01 again by itself, and the
// provider mounts DB02, which is not mounted at startup. Once the recovery database is
// mounted, the restart is done already.
func TestRestartStoreThroughExchange(t *testing.T) {
	r := newRig(t, exampleTopology, 2, rigOpts{})
	ctx := context.Background()
	if err := r.lab.SetDatabaseSettings("DB02", map[string]string{state.SettingMountAtStartup: "False"}); err != nil {
		t.Fatal(err)
	}
	rdb := providers.Operation{Kind: providers.OpCreateDatabase, Database: "RDB01", Server: "EX01",
		EdbFilePath: `E:\Recovery\RDB01\DB01.edb`, LogFolderPath: `E:\Recovery\RDB01\Logs`, Recovery: true}
	if _, err := r.prov.Apply(ctx, rdb, nil); err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpRestartStore, Database: "RDB01", Server: "EX01", Databases: []string{"DB01", "DB02"}}
	res, err := r.prov.Apply(ctx, op, nil)
	if err != nil || !strings.Contains(res.Detail, "restarted the Information Store on EX01") {
		t.Fatalf("restart: %+v, %v", res, err)
	}
	restarts := r.callsOf(t, "Restart-Service")
	if len(restarts) != 1 || restarts[0].Server != "EX01" || restarts[0].Args["name"] != "MSExchangeIS" {
		t.Fatalf("Restart-Service calls %+v", restarts)
	}
	if m := r.callsOf(t, "Mount-Database"); len(m) != 1 || m[0].Args["identity"] != "DB02" {
		t.Errorf("Mount-Database calls %+v, want DB02 only (the store mounts DB01 itself)", m)
	}
	obs, err := r.lab.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{"DB01", "DB02"} {
		if !obs.Databases[db].Mounted {
			t.Errorf("%s is not mounted after the restart", db)
		}
	}
	if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpMountDatabase, Database: "RDB01", Server: "EX01"}, nil); err != nil {
		t.Fatal(err)
	}
	if res, err := r.prov.Apply(ctx, op, nil); err != nil || !res.AlreadyDone {
		t.Errorf("restart once RDB01 is mounted: %+v, %v", res, err)
	}
	if n := len(r.callsOf(t, "Restart-Service")); n != 1 {
		t.Errorf("%d restarts", n)
	}
}
