package exchange_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers/exchange"
	"github.com/dialtone/dialtone/providers/lab"
)

var (
	buildOnce sync.Once
	shellBin  string
	buildErr  error
)

// fakeshell builds the test double once per test binary.
func fakeshell(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fakeshell")
		if err != nil {
			buildErr = err
			return
		}
		shellBin = filepath.Join(dir, "fakeshell")
		out, err := exec.Command("go", "build", "-o", shellBin, "./internal/fakeshell").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the fake PowerShell: %v", buildErr)
	}
	return shellBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shellBin != "" {
		os.RemoveAll(filepath.Dir(shellBin))
	}
	os.Exit(code)
}

// rig is a lab, the double pointed at it and the provider talking to the double.
type rig struct {
	lab  *lab.Lab
	dir  string
	prov *exchange.Provider
	log  string // the double's command log
}

// exampleTopology is examples/same-server: EX01 with DB01 and DB02.
var exampleTopology = lab.Topology{
	Servers: []lab.ServerSpec{{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}},
	Databases: []lab.DatabaseSpec{
		{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`},
		{Name: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`},
	},
}

type rigOpts struct {
	settings func(*exchange.Settings)
	env      []string
}

func newRig(t *testing.T, topo lab.Topology, perDB int, o rigOpts) *rig {
	t.Helper()
	bin := fakeshell(t)
	dir := t.TempDir()
	l, err := lab.Init(filepath.Join(dir, "lab"), topo, perDB)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{lab: l, dir: dir, log: filepath.Join(dir, "commands.jsonl")}
	cfg := exchange.Settings{
		Command:          []string{bin},
		ConnectionURI:    "http://ex01.contoso.com/PowerShell/",
		DomainController: "dc01.contoso.com",
		PollInterval:     time.Millisecond,
		Env: append([]string{
			"FAKESHELL_LAB=" + filepath.Join(dir, "lab"),
			"FAKESHELL_STATE=" + filepath.Join(dir, "fakeshell.json"),
			"FAKESHELL_DC=dc01.contoso.com",
			"FAKESHELL_LOG=" + r.log,
		}, o.env...),
	}
	if o.settings != nil {
		o.settings(&cfg)
	}
	p, err := exchange.New(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r.prov = p
	return r
}

// call is one cmdlet as the double bound it.
type call struct {
	Cmd    string         `json:"cmd"`
	Server string         `json:"server"`
	Args   map[string]any `json:"args"`
	Pos    []any          `json:"pos"`
}

func (r *rig) calls(t *testing.T) []call {
	t.Helper()
	f, err := os.Open(r.log)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	defer f.Close()
	var out []call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var c call
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func (r *rig) callsOf(t *testing.T, cmd string) []call {
	var out []call
	for _, c := range r.calls(t) {
		if strings.EqualFold(c.Cmd, cmd) {
			out = append(out, c)
		}
	}
	return out
}
