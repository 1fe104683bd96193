// Command dialtone-bench measures dialtone end to end against design.md's performance
// targets. It builds (or takes, with -bin) the real dialtone binary, generates
// organizations with "dialtone lab generate" at half and at full size, and runs each
// operation as a child process: init and refresh, a no-change plan, a site-failure plan
// after "lab fail server", the apply of that site failure's dial_tone stage (re-homing
// every mailbox of the failed databases) and a merge-heavy drill. It prints a table of
// wall time, the child's peak resident memory (rusage Maxrss, from the OS), the target
// with pass or miss, and the ratio of the full size to the half size (doubling the
// organization should at most double every figure).
//
//	go run ./cmd/dialtone-bench                 # full: 200 servers, 2,000 databases, 500,000 mailboxes
//	go run ./cmd/dialtone-bench -scale=small    # seconds; what CI runs
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// scale is a set of sizes: the organization (servers x databases x mailboxes), the
// servers that fail in the site failure, and the drill's mailboxes and messages.
type scale struct {
	servers, dbsPerServer, mailboxesPerDB int
	failServers                           int
	drillMailboxes, drillMessages         int
}

var scales = map[string]scale{
	"full":  {servers: 200, dbsPerServer: 10, mailboxesPerDB: 250, failServers: 5, drillMailboxes: 2000, drillMessages: 20000},
	"small": {servers: 4, dbsPerServer: 2, mailboxesPerDB: 5, failServers: 1, drillMailboxes: 5, drillMessages: 20},
}

// half is the same organization with half the servers (the doubling check).
func (s scale) half() scale {
	h := s
	h.servers = max(2, s.servers/2)
	h.failServers = max(1, s.failServers/2)
	h.drillMailboxes, h.drillMessages = max(1, s.drillMailboxes/2), max(1, s.drillMessages/2)
	return h
}

func (s scale) mailboxes() int { return s.servers * s.dbsPerServer * s.mailboxesPerDB }

// result is one row of the table.
type result struct {
	op, size string
	wall     time.Duration
	maxRSS   int64 // bytes
	target   string
	pass     string // "pass", "miss" or "" (no target)
	ratio    string // full / half wall time
}

// target is an operation's goal: a wall time and a memory ceiling (0: none).
type target struct {
	wall time.Duration
	mem  int64
	text string
}

var targets = map[string]target{
	"lab generate":                    {wall: 10 * time.Second, text: "< 10 s (\"seconds\")"},
	"plan (no change)":                {wall: time.Second, mem: 500 << 20, text: "< 1 s, < 500 MB"},
	"plan (site fail)":                {wall: time.Second, text: "< 1 s"},
	"apply dial_tone":                 {},
	"init":                            {},
	"refresh":                         {},
	"lab fail server":                 {},
	"drill (merges)":                  {},
	"plan -refresh=false (no change)": {wall: time.Second, mem: 500 << 20, text: "< 1 s, < 500 MB"},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dialtone-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scaleName := fs.String("scale", "full", "full (200 servers, 2,000 databases, 500,000 mailboxes) or small")
	bin := fs.String("bin", "", "the dialtone binary (default: build ./cmd/dialtone of this module)")
	work := fs.String("work", "", "folder for the organizations (default: a temporary folder, removed)")
	noHalf := fs.Bool("no-half", false, "skip the half-size run (no doubling ratios)")
	dialTone := fs.Bool("dialtone", true, "measure the site failure's time to dial tone (latency = \"exchange\") and the exchange double's objects for its plan")
	timeScale := fs.Float64("time-scale", 0.05, "the lab's time_scale for the time to dial tone (modelled times are reported)")
	dtPar := fs.Int("dialtone-parallelism", 50, "apply -parallelism for the time to dial tone (50: every failed database of the full site failure at once)")
	only := fs.Bool("dialtone-only", false, "measure only the time to dial tone and the objects (no table)")
	viaExchange := fs.Bool("dialtone-exchange", true, "with -dialtone: also plan through the exchange provider and its PowerShell double (objects returned), and apply the dial_tone stage through them with the pool of sessions and with one")
	exScale := fs.Float64("exchange-time-scale", 0.05, "the double's time scale for the time to dial tone through the exchange provider (modelled times are reported)")
	exOnly := fs.Bool("exchange-only", false, "measure only the time to dial tone through the exchange provider and its double (no lab run, no table)")
	exMax := fs.Int("exchange-max-sessions", 0, "max_sessions of the exchange provider block (0: left out, the default 12)")
	exProfile := fs.String("exchange-profile", "", "a folder for the double's request trace and CPU profiles (FAKESHELL_TRACE, FAKESHELL_CPUPROFILE) of each apply; the double's own time is then reported")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	sc, ok := scales[*scaleName]
	if !ok {
		fmt.Fprintf(stderr, "dialtone-bench: -scale=%s: full or small\n", *scaleName)
		return 2
	}
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "dialtone-bench-")
		if err != nil {
			fmt.Fprintln(stderr, "dialtone-bench:", err)
			return 1
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if *bin == "" {
		b, err := buildDialtone(dir)
		if err != nil {
			fmt.Fprintln(stderr, "dialtone-bench: building dialtone:", err)
			return 1
		}
		*bin = b
	}
	r := &runner{bin: *bin, log: stderr}
	var dtErr error
	var dtFig *dialToneFigures
	var objFig *objectFigures
	var exFig []exchangeDialTone
	if *dialTone {
		shell := ""
		if *viaExchange {
			var err error
			if shell, err = buildShell(dir); err != nil {
				fmt.Fprintln(stderr, "dialtone-bench: building the PowerShell double:", err)
				return 1
			}
		}
		if !*exOnly {
			dtFig, objFig, dtErr = r.dialToneSuite(filepath.Join(dir, "time-to-dial-tone"), sc, *timeScale, *dtPar, shell)
		}
		if dtErr == nil && shell != "" {
			ex := exchangeOptions{timeScale: *exScale, pool: *dtPar, maxSessions: *exMax, profile: *exProfile}
			exFig, dtErr = r.exchangeDialToneSuite(filepath.Join(dir, "dialtone-exchange"), sc, ex, shell)
		}
		if dtErr != nil {
			fmt.Fprintln(stderr, "dialtone-bench:", dtErr)
			return 1
		}
		if *exOnly {
			printExchangeDialTone(stdout, exFig)
			return 0
		}
		if *only {
			printDialTone(stdout, dtFig, objFig)
			printExchangeDialTone(stdout, exFig)
			return 0
		}
	}
	var halfRes []result
	if !*noHalf {
		var err error
		if halfRes, err = r.suite(filepath.Join(dir, "half"), sc.half()); err != nil {
			fmt.Fprintln(stderr, "dialtone-bench:", err)
			return 1
		}
	}
	fullRes, err := r.suite(filepath.Join(dir, "full"), sc)
	if err != nil {
		fmt.Fprintln(stderr, "dialtone-bench:", err)
		return 1
	}
	for i := range fullRes {
		fullRes[i].ratio = "-"
		if i < len(halfRes) && halfRes[i].op == fullRes[i].op && halfRes[i].wall > 0 {
			fullRes[i].ratio = fmt.Sprintf("%.2f", float64(fullRes[i].wall)/float64(halfRes[i].wall))
		}
	}
	printTable(stdout, append(halfRes, fullRes...))
	if dtFig != nil {
		printDialTone(stdout, dtFig, objFig)
		printExchangeDialTone(stdout, exFig)
	}
	return 0
}

// buildDialtone builds ./cmd/dialtone of the module this program belongs to.
func buildDialtone(dir string) (string, error) {
	out := filepath.Join(dir, "dialtone")
	cmd := exec.Command("go", "build", "-o", out, "github.com/dialtone/dialtone/cmd/dialtone")
	cmd.Stderr = os.Stderr
	return out, cmd.Run()
}

type runner struct {
	bin string
	log io.Writer
	env []string // added to the environment of dialtone
}

// dialtone runs the binary in dir; a non-zero exit is an error unless ok allows it.
func (r *runner) dialtone(dir string, ok func(code int) bool, args ...string) (time.Duration, int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), r.env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var rss int64
	if cmd.ProcessState != nil {
		rss = peakRSS(cmd.ProcessState)
	}
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	if err != nil && (cmd.ProcessState == nil || ok == nil || !ok(code)) {
		tail := out.String()
		if len(tail) > 2000 {
			tail = "..." + tail[len(tail)-2000:]
		}
		return wall, rss, fmt.Errorf("dialtone %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, tail)
	}
	return wall, rss, nil
}

// suite runs every operation on one organization of size sc under dir.
func (r *runner) suite(dir string, sc scale) ([]result, error) {
	var res []result
	size := fmt.Sprintf("%d srv, %d db, %d mbx", sc.servers, sc.servers*sc.dbsPerServer, sc.mailboxes())
	add := func(op, size string, wall time.Duration, rss int64) {
		res = append(res, judge(op, size, wall, rss))
	}
	site := filepath.Join(dir, "site")
	var fail []string
	for i := 1; i <= sc.failServers; i++ {
		fail = append(fail, fmt.Sprintf("EX%03d", i))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(r.log, "dialtone-bench: %s in %s\n", size, dir)
	wall, rss, err := r.dialtone(dir, nil, "lab", "generate",
		fmt.Sprint("-servers=", sc.servers), fmt.Sprint("-databases-per-server=", sc.dbsPerServer),
		fmt.Sprint("-mailboxes-per-database=", sc.mailboxesPerDB), "-fail-server="+strings.Join(fail, ","), "-out="+site)
	if err != nil {
		return nil, err
	}
	add("lab generate", size, wall, rss)

	// The no-change organization: the same servers, databases and lab, no recovery.
	calm := filepath.Join(dir, "calm")
	if err := os.MkdirAll(calm, 0o755); err != nil {
		return nil, err
	}
	hcl, err := os.ReadFile(filepath.Join(site, "main.hcl"))
	if err != nil {
		return nil, err
	}
	text := string(hcl)
	if i := strings.Index(text, "\nrecovery "); i >= 0 {
		text = text[:i+1]
	}
	text = strings.Replace(text, `path = "lab"`, `path = "../site/lab"`, 1)
	if err := os.WriteFile(filepath.Join(calm, "main.hcl"), []byte(text), 0o644); err != nil {
		return nil, err
	}
	for _, step := range []struct {
		op   string
		args []string
		ok   func(int) bool
	}{
		{"init", []string{"init"}, nil},
		{"refresh", []string{"refresh"}, nil},
		{"plan (no change)", []string{"plan", "-detailed-exitcode"}, nil},
		{"plan -refresh=false (no change)", []string{"plan", "-refresh=false", "-detailed-exitcode"}, nil},
	} {
		wall, rss, err := r.dialtone(calm, step.ok, step.args...)
		if err != nil {
			return nil, err
		}
		add(step.op, size, wall, rss)
	}

	// The site failure: the first servers go down; one recovery per database on them.
	failSize := fmt.Sprintf("%d db, %d mbx", sc.failServers*sc.dbsPerServer, sc.failServers*sc.dbsPerServer*sc.mailboxesPerDB)
	changes := func(code int) bool { return code == 2 }
	for _, args := range [][]string{{"init"}, {"refresh"}} {
		if _, _, err := r.dialtone(site, nil, args...); err != nil {
			return nil, err
		}
	}
	var failWall time.Duration
	var failRSS int64
	for _, srv := range fail {
		wall, rss, err := r.dialtone(site, nil, "lab", "fail", "server", srv)
		if err != nil {
			return nil, err
		}
		failWall, failRSS = failWall+wall, max(failRSS, rss)
	}
	add("lab fail server", fmt.Sprintf("%d servers", len(fail)), failWall, failRSS)
	if wall, rss, err = r.dialtone(site, changes, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	add("plan (site fail)", failSize, wall, rss)
	if wall, rss, err = r.dialtone(site, nil, "apply", "-auto-approve"); err != nil {
		return nil, err
	}
	add("apply dial_tone", failSize+" re-homed", wall, rss)

	// Merges: a same-server drill whose merge stage copies every message back.
	drill := filepath.Join(dir, "drill")
	if err := os.MkdirAll(drill, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(drill, "main.hcl"), []byte(drillHCL(sc.drillMailboxes, sc.drillMessages)), 0o644); err != nil {
		return nil, err
	}
	if wall, rss, err = r.dialtone(drill, nil, "drill"); err != nil {
		return nil, err
	}
	add("drill (merges)", fmt.Sprintf("%d mbx, %d msgs", sc.drillMailboxes, sc.drillMessages), wall, rss)
	return res, nil
}

func judge(op, size string, wall time.Duration, rss int64) result {
	t := targets[op]
	res := result{op: op, size: size, wall: wall, maxRSS: rss, target: t.text}
	if t.wall > 0 || t.mem > 0 {
		res.pass = "pass"
		if (t.wall > 0 && wall > t.wall) || (t.mem > 0 && rss > t.mem) {
			res.pass = "miss"
		}
	}
	return res
}

func printTable(w io.Writer, rs []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "operation\tsize\twall\tpeak RSS\ttarget\tresult\tx2 ratio")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d MB\t%s\t%s\t%s\n", r.op, r.size, r.wall.Round(time.Millisecond), r.maxRSS>>20,
			orDash(r.target), orDash(r.pass), orDash(r.ratio))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// drillHCL is a same-server organization whose drill fills DB01 with mailboxes
// mailboxes and messages messages, most before the backup, so that the merge stage
// has them to copy back.
func drillHCL(mailboxes, messages int) string {
	return fmt.Sprintf(`dialtone {
  backend "local" {
    path = "dialtone.state.json"
  }
}

provider "lab" {
  path = "lab"
}

server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

recovery "db01-outage" {
  database = database.DB01
  option   = "same_server"
  stage    = "complete"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "D:\\DialTone\\DTDB01\\DTDB01.edb"
    log_folder_path = "D:\\DialTone\\DTDB01\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "E:\\Recovery\\RDB01\\DB01.edb"
    log_folder_path = "E:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup      = "nightly"
    replay_logs = true
  }
}

drill "db01-lost" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = %d
  messages = {
    before_backup    = %d
    after_backup     = %d
    during_dial_tone = %d
  }
}
`, mailboxes, max(1, messages*8/10), max(1, messages/10), max(1, messages/10))
}
