// Command fakeshell stands in for the PowerShell process of the Exchange provider in
// tests: it reads the provider's framed request lines on stdin, parses each body with a
// tokenizer for the subset of PowerShell the provider emits (parse.go), refuses anything
// else, runs the cmdlets against a providers/lab organization and answers JSON the way
// the wrapper would.
//
// Environment: FAKESHELL_LAB (the lab folder, required), FAKESHELL_STATE (a JSON file
// for restore requests and flags the lab does not keep), FAKESHELL_DC (when set, every
// cmdlet that takes -DomainController must carry this one), FAKESHELL_LOG (a file that
// receives one JSON line per cmdlet run, with its bound arguments), FAKESHELL_USER and
// FAKESHELL_PASSWORD (the credential New-PSSession accepts), FAKESHELL_POLLS (how many
// times a new restore request reports InProgress before Completed; default 1),
// FAKESHELL_NOAUTODISCOVER_ATTRIBUTE (the custom attribute that says "NoAutodiscover" for
// the lab's mailboxes without Autodiscover; default CustomAttribute15),
// FAKESHELL_OBJECTS (a file that receives one line per request: the number of objects
// returned) and FAKESHELL_OBJECT_COST (a duration slept per object returned, as remote
// PowerShell serializes each: "1ms"). Several processes may serve one lab and one
// FAKESHELL_STATE at once, and FAKESHELL_LATENCY, FAKESHELL_TIME_SCALE,
// FAKESHELL_LATENCY_OVERRIDES and FAKESHELL_TRACE model Exchange's time: see session.go.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

const (
	wrapHead = `try { $dtR = @(`
	wrapMid  = `); '@@dialtone:%s:%d ' + '{"ok":true,"data":' + (ConvertTo-Json -InputObject $dtR -Depth 6 -Compress) + '}' } catch { '@@dialtone:%s:%d ' + '{"ok":false,"error":' + (ConvertTo-Json -InputObject ([string]$_.Exception.Message) -Compress) + '}' }`
)

var markerRe = regexp.MustCompile(`^\); '@@dialtone:([0-9a-f]+):([0-9]+) '`)

func main() {
	if dir := os.Getenv("FAKESHELL_CPUPROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	sh, err := newShell()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeshell:", err)
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 256<<20)
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "PowerShell 7.4.0 (fakeshell)") // noise the provider must skip
	out.Flush()
	for in.Scan() {
		line := in.Text()
		if strings.TrimSpace(line) == "exit" {
			return
		}
		body, nonce, seq, err := unwrap(line)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakeshell: unframed input refused:", err)
			os.Exit(3)
		}
		data, err := sh.runBody(body)
		var resp []byte
		if err != nil {
			resp, _ = json.Marshal(map[string]any{"ok": false, "error": err.Error()})
		} else {
			if data == nil {
				data = []any{}
			}
			resp, err = json.Marshal(map[string]any{"ok": true, "data": data})
			if err != nil {
				resp, _ = json.Marshal(map[string]any{"ok": false, "error": "fakeshell: " + err.Error()})
			}
		}
		fmt.Fprintf(out, "WARNING: a line of noise before the answer\n@@dialtone:%s:%s %s\n", nonce, seq, resp)
		out.Flush()
	}
}

// unwrap checks the framing and returns the body between the fixed head and tail.
func unwrap(line string) (body, nonce, seq string, err error) {
	if !strings.HasPrefix(line, wrapHead) {
		return "", "", "", fmt.Errorf("the line does not start with the request wrapper: %.60q", line)
	}
	i := strings.LastIndex(line, "); '@@dialtone:")
	if i < len(wrapHead) {
		return "", "", "", fmt.Errorf("no request wrapper tail")
	}
	m := markerRe.FindStringSubmatch(line[i:])
	if m == nil {
		return "", "", "", fmt.Errorf("malformed marker")
	}
	var n int
	fmt.Sscan(m[2], &n)
	if line[i:] != fmt.Sprintf(wrapMid, m[1], n, m[1], n) {
		return "", "", "", fmt.Errorf("the request wrapper tail differs from the protocol's")
	}
	return line[len(wrapHead):i], m[1], m[2], nil
}

type shell struct {
	lab      *lab.Lab
	labDir   string
	state    *fakeState
	vars     map[string]any
	exchange bool // the Exchange session is imported
	dc       string
	log      *os.File
	polls    int
	ctx      context.Context
	// cache is the lab as read for the current request body (observe); topo its
	// servers and databases only (topology), all its mailboxes (mailboxList).
	cache     *state.Observed
	topo      *state.Observed
	topoSized string // the databases topo has the sizes of: "*", one name, or ""
	all       []*state.Mailbox
	// objects, when set, gets one line per request: the number of objects returned
	// (FAKESHELL_OBJECTS); cost is slept per object returned (FAKESHELL_OBJECT_COST),
	// as remote PowerShell materializes and serializes each object.
	objects *os.File
	cost    time.Duration
	// version is the organization's Exchange version (its oldest server's): the double
	// refuses what Microsoft's reference does not document for it.
	version ems.Version
	// noAutodiscover is the custom attribute holding "NoAutodiscover" for the lab's
	// mailboxes whose clients do not use Autodiscover.
	noAutodiscover string

	// latency, when set, is the lab's model of Exchange's time (FAKESHELL_LATENCY);
	// debt is the modelled time of the current request, waited after its lock.
	latency *lab.Latency
	debt    time.Duration
	trace   *os.File // FAKESHELL_TRACE
	// statePath is FAKESHELL_STATE, read again by every request that uses it ("": the
	// state is this process's only); unlock, while set, lets go of its lock.
	statePath string
	unlock    func()
}

func newShell() (*shell, error) {
	dir := os.Getenv("FAKESHELL_LAB")
	if dir == "" {
		return nil, fmt.Errorf("FAKESHELL_LAB is not set")
	}
	l, err := lab.Open(dir, lab.Options{})
	if err != nil {
		return nil, err
	}
	st, err := loadState(os.Getenv("FAKESHELL_STATE"))
	if err != nil {
		return nil, err
	}
	sh := &shell{lab: l, labDir: dir, state: st, statePath: os.Getenv("FAKESHELL_STATE"), vars: map[string]any{}, dc: os.Getenv("FAKESHELL_DC"), polls: 1, ctx: context.Background(),
		noAutodiscover: "CustomAttribute15"}
	if a := os.Getenv("FAKESHELL_NOAUTODISCOVER_ATTRIBUTE"); a != "" {
		sh.noAutodiscover = a
	}
	obs, err := l.Read(sh.ctx)
	if err != nil {
		return nil, err
	}
	sh.version = ems.VSE
	for i := len(ems.Versions) - 1; i >= 0; i-- {
		for _, s := range obs.Servers {
			if v, ok := ems.VersionOf(s.Version); ok && v == ems.Versions[i] {
				sh.version = v
			}
		}
	}
	if err := sh.sessionEnv(); err != nil {
		return nil, err
	}
	if p := os.Getenv("FAKESHELL_POLLS"); p != "" {
		fmt.Sscan(p, &sh.polls)
	}
	if p := os.Getenv("FAKESHELL_OBJECTS"); p != "" {
		if sh.objects, err = os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err != nil {
			return nil, err
		}
	}
	if c := os.Getenv("FAKESHELL_OBJECT_COST"); c != "" {
		if sh.cost, err = time.ParseDuration(c); err != nil {
			return nil, fmt.Errorf("FAKESHELL_OBJECT_COST: %v", err)
		}
	}
	if p := os.Getenv("FAKESHELL_LOG"); p != "" {
		if sh.log, err = os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

// charge counts and charges the objects one response returns.
func (sh *shell) charge(n int) {
	if sh.objects != nil {
		fmt.Fprintln(sh.objects, n)
	}
	if sh.cost > 0 && n > 0 {
		time.Sleep(time.Duration(n) * sh.cost)
	}
}
