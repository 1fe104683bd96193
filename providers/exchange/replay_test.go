package exchange_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// eseutil /r takes the log prefix the operation gives (the state's, for the database
// that wrote the logs), not one guessed from the folder: DB02's prefix is E01, and its
// log folder also holds an E00 log an administrator left there. Before, the provider
// read the folder's prefixes and refused two streams; a wrong prefix is refused by
// eseutil (the double) and replays nothing.
func TestReplayUsesTheStatesLogPrefix(t *testing.T) {
	r := newRig(t, exampleTopology, 1, rigOpts{})
	ctx := context.Background()
	obs, err := r.lab.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prefix := ""
	for _, d := range obs.Databases {
		if d.Name == "DB02" {
			prefix = d.LogFilePrefix
		}
	}
	if prefix == "" || prefix == "E00" {
		t.Fatalf("DB02's log prefix is %q; the test needs one other than E00", prefix)
	}
	// The server stops with DB02 mounted: its files are left dirty.
	if err := r.lab.FailServer("EX01"); err != nil {
		t.Fatal(err)
	}
	if err := r.lab.RepairServer("EX01"); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(r.dir, "lab", "servers", "EX01", "D", "Databases", "DB02", "Logs")
	if err := os.WriteFile(filepath.Join(logs, "E0000000001.log"), []byte("a copy of another stream's log"), 0o644); err != nil {
		t.Fatal(err)
	}
	op := providers.Operation{Kind: providers.OpReplayLogs, Database: "DB02", Server: "EX01",
		EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`}

	op.LogPrefix = "E00"
	if _, err := r.prov.Apply(ctx, op, nil); err == nil || !strings.Contains(err.Error(), "base name "+prefix) {
		t.Errorf("eseutil /r E00 on DB02's files: %v; want it refused (DB02's logs are %s)", err, prefix)
	}
	op.LogPrefix = "E02"
	if _, err := r.prov.Apply(ctx, op, nil); err == nil || !strings.Contains(err.Error(), "holds no E02 logs") {
		t.Errorf("a prefix the folder does not hold: %v", err)
	}
	op.LogPrefix = prefix
	res, err := r.prov.Apply(ctx, op, nil)
	if err != nil || !strings.Contains(res.Detail, "Clean Shutdown") {
		t.Fatalf("eseutil /r %s: %+v, %v", prefix, res, err)
	}
	var ran []string
	for _, c := range r.callsOf(t, "eseutil") {
		if len(c.Pos) > 1 && c.Pos[0] == "/r" {
			ran = append(ran, c.Pos[1].(string))
		}
	}
	if strings.Join(ran, ",") != "E00,"+prefix {
		t.Errorf("eseutil /r ran with prefixes %v, want E00 (refused) then %s", ran, prefix)
	}
	if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpMountDatabase, Database: "DB02", Server: "EX01"}, nil); err != nil {
		t.Errorf("mounting DB02 after the replay: %v", err)
	}
}
