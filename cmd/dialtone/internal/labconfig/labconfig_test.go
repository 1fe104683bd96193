package labconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

func generated() lab.Topology {
	var t lab.Topology
	for _, s := range []string{"EX001", "EX002", "EX003"} {
		t.Servers = append(t.Servers, lab.ServerSpec{Name: s, Edition: "enterprise", Version: "15.2.1544.4"})
	}
	for i, db := range []string{"DB0001", "DB0002", "DB0003", "DB0004"} {
		srv := t.Servers[i/2].Name
		t.Databases = append(t.Databases, lab.DatabaseSpec{Name: db, Server: srv,
			EdbFilePath: `D:\Databases\` + db + `\` + db + `.edb`, LogFolderPath: `D:\Databases\` + db + `\Logs`})
	}
	return t
}

// The configuration "lab generate" writes loads without a diagnostic, declares the
// topology it was written from (Topology reads it back the same), and recovers every
// database of the failed server onto the survivors in turn.
func TestHCLLoadsAndDeclaresTheTopology(t *testing.T) {
	topo := generated()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), HCL(topo, []string{"EX001"}, config.StageDialTone), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() || cfg == nil {
		t.Fatalf("the generated configuration does not load: %v", diags)
	}
	if got := Topology(cfg); !reflect.DeepEqual(got, topo) {
		t.Errorf("Topology of the generated configuration:\n%+v\nwant\n%+v", got, topo)
	}
	if len(cfg.Recoveries) != 2 {
		t.Fatalf("recoveries %v, want one per database of EX001", cfg.Recoveries)
	}
	a, b := cfg.Recoveries["db0001-outage"], cfg.Recoveries["db0002-outage"]
	if a == nil || b == nil || a.Option != "alternate_server" || a.Stage != config.StageDialTone {
		t.Fatalf("recoveries: %+v %+v", a, b)
	}
	if a.DialTone.Server.Name != "EX002" || b.DialTone.Server.Name != "EX003" || a.RecoveryDatabase.Server.Name != "EX002" {
		t.Errorf("dial tone hosts %s, %s: want the survivors in turn", a.DialTone.Server.Name, b.DialTone.Server.Name)
	}
}

func TestHCLWithoutFailureHasNoRecovery(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), HCL(generated(), nil, config.StageDialTone), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() || len(cfg.Recoveries) != 0 || len(cfg.Databases) != 4 {
		t.Fatalf("%v, %d recoveries, %d databases", diags, len(cfg.Recoveries), len(cfg.Databases))
	}
}
