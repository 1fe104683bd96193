package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites the golden files inside testdata/script/*.txtar from the actual
// output: go test ./cmd/dialtone -run TestScript -update
var update = flag.Bool("update", false, "update the golden files in testdata/script")

// childEnv, when set, makes the test binary behave as dialtone itself: Go tests that
// need a real child process (the lock test) run os.Args[0] with it.
const childEnv = "DIALTONE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"dialtone": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript drives the dialtone binary through the scripts in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("DIALTONE_LOG", "")
			e.Setenv("DIALTONE_ESTIMATES", "off") // estimates come from measured times: no goldens
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":     cmdExitcode,
			"delivered":    cmdDelivered,
			"example":      cmdExample,
			"setstage":     cmdSetStage,
			"forgeplan":    cmdForgePlan,
			"forgejournal": cmdForgeJournal,
			"unseal":       cmdUnseal,
			"sparse":       cmdSparse,
			"moveblocks":   cmdMoveBlocks,
			"waitfile":     cmdWaitFile,
		},
	})
}

// cmdExitcode is "exitcode N PROG ARGS...": run PROG and require exit status N
// (testscript's "!" only knows zero and non-zero). stdout and stderr are kept for
// the commands that follow.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdDelivered is "delivered FILE...": each FILE is the output of "lab deliver
// -json"; every message ID accepted there must be in its recipient's mailbox
// ("dialtone lab mailbox ADDR -json") exactly once. It checks by message ID.
func cmdDelivered(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: delivered DELIVER_JSON...")
	}
	byAddr := map[string][]string{}
	var order []string
	for _, f := range args {
		var d struct {
			Accepted []struct {
				MessageID string `json:"message_id"`
				To        string `json:"to"`
			} `json:"accepted"`
		}
		if err := json.Unmarshal([]byte(ts.ReadFile(f)), &d); err != nil {
			ts.Fatalf("%s: %v", f, err)
		}
		if len(d.Accepted) == 0 {
			ts.Fatalf("%s: no accepted messages", f)
		}
		for _, a := range d.Accepted {
			if _, ok := byAddr[a.To]; !ok {
				order = append(order, a.To)
			}
			byAddr[a.To] = append(byAddr[a.To], a.MessageID)
		}
	}
	var problems []string
	checked := 0
	for _, addr := range order {
		if err := ts.Exec("dialtone", "lab", "mailbox", addr, "-json"); err != nil {
			ts.Fatalf("lab mailbox %s: %v", addr, err)
		}
		var mb struct {
			Items []struct {
				MessageID string `json:"message_id"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &mb); err != nil {
			ts.Fatalf("lab mailbox %s -json: %v", addr, err)
		}
		count := map[string]int{}
		for _, it := range mb.Items {
			count[it.MessageID]++
		}
		for _, id := range byAddr[addr] {
			checked++
			if n := count[id]; n != 1 {
				problems = append(problems, fmt.Sprintf("%s: message %s found %d times", addr, id, n))
			}
		}
	}
	if len(problems) > 0 {
		ts.Fatalf("not delivered exactly once:\n%s", strings.Join(problems, "\n"))
	}
	ts.Logf("%d messages in %d mailboxes each found exactly once", checked, len(order))
}

// cmdExample is "example NAME": copy the repository's examples/NAME (its *.hcl and
// README.md, nothing a run left behind) into $WORK/NAME, so that scripts run the real
// examples end to end.
func cmdExample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: example NAME (a folder under examples/)")
	}
	src := filepath.Join("..", "..", "examples", filepath.FromSlash(args[0]))
	entries, err := os.ReadDir(src)
	if err != nil {
		ts.Fatalf("example %s: %v", args[0], err)
	}
	dst := ts.MkAbs(args[0])
	if err := os.MkdirAll(dst, 0o755); err != nil {
		ts.Fatalf("example: %v", err)
	}
	for _, e := range entries {
		if e.IsDir() || (!strings.HasSuffix(e.Name(), ".hcl") && e.Name() != "README.md") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			ts.Fatalf("example: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			ts.Fatalf("example: %v", err)
		}
	}
}

// cmdWaitFile is "waitfile FILE": wait (up to 30 s) until FILE exists, e.g. the state
// lock of a command started in the background.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within 30s", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdSetStage is "setstage FILE STAGE": set every recovery's stage in FILE, as an admin
// raises it in a pull request.
func cmdSetStage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setstage FILE STAGE")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	if err != nil {
		ts.Fatalf("setstage: %v", err)
	}
	re := regexp.MustCompile(`(?m)^(\s*stage\s*=\s*)"[a-z_]+"`)
	if !re.Match(data) {
		ts.Fatalf("setstage: %s has no stage attribute", args[0])
	}
	out := re.ReplaceAll(data, []byte(`${1}"`+args[1]+`"`))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		ts.Fatalf("setstage: %v", err)
	}
}
