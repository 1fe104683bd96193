package lab

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
)

// A check that fails is logged at warn with its kind, database and error; one that
// holds at debug. (logs_packages.txtar checks the wiring through the binary; a failed
// check at apply needs the world to move between plan and step, which a script cannot
// time, so the lab's own log lines are checked here.)
func TestCheckLogged(t *testing.T) {
	l, err := Init(filepath.Join(t.TempDir(), "lab"), sameServerTopology(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	l.SetLogger(hclog.New(&hclog.LoggerOptions{Name: "dialtone.provider.lab", Level: hclog.Trace, Output: &buf}))
	ctx := context.Background()
	if err := l.Check(ctx, providers.Check{Kind: providers.CheckBackupExists, Database: "DB01", Backup: "nightly"}); err == nil {
		t.Fatal("a backup set that was never taken exists")
	}
	if err := l.Check(ctx, providers.Check{Kind: providers.CheckServerUp, Server: "EX01"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`\[WARN\]  dialtone\.provider\.lab: check failed: op=backup_exists database=DB01 duration=\S+ error=".*nightly.*"`,
		`\[DEBUG\] dialtone\.provider\.lab: check: op=server_up database="" duration=`,
	} {
		if !regexp.MustCompile(want).Match(buf.Bytes()) {
			t.Errorf("no line %s in:\n%s", want, buf.String())
		}
	}
}
