package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// What users feel in a site failure (issue 18): the time until the last user has dial
// tone, with the lab taking Exchange's time (latency = "exchange"), and what a plan
// costs through the Exchange provider: the objects the PowerShell double returns.

// dialToneFigures are the time to dial tone of one site failure's apply.
type dialToneFigures struct {
	recoveries  int
	last        time.Duration // from the first step's start to the last recovery's dial tone
	longestPath time.Duration // the longest single recovery's own dial tone path
	sumPaths    time.Duration // every recovery's path one after the other (a walk one step at a time)
	parallelism int
	timeScale   float64
	wall        time.Duration
}

// objectFigures are the objects the exchange double returned.
type objectFigures struct {
	involved       int // servers, databases and the failed databases' mailboxes
	scoped, full   int // objects returned for plan, and for plan -refresh=full
	scopedWall     time.Duration
	fullWall       time.Duration
	mailboxesTotal int
}

// dialToneSuite generates the site failure again under dir, measures the exchange
// double's objects for its plan, then applies its dial_tone stage with latency =
// "exchange" scaled by timeScale, parallelism steps at a time.
func (r *runner) dialToneSuite(dir string, sc scale, timeScale float64, parallelism int, shell string) (*dialToneFigures, *objectFigures, error) {
	site := filepath.Join(dir, "site-latency")
	var fail []string
	for i := 1; i <= sc.failServers; i++ {
		fail = append(fail, fmt.Sprintf("EX%03d", i))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	if _, _, err := r.dialtone(dir, nil, "lab", "generate",
		fmt.Sprint("-servers=", sc.servers), fmt.Sprint("-databases-per-server=", sc.dbsPerServer),
		fmt.Sprint("-mailboxes-per-database=", sc.mailboxesPerDB), "-fail-server="+strings.Join(fail, ","), "-out="+site); err != nil {
		return nil, nil, err
	}
	hcl, err := os.ReadFile(filepath.Join(site, "main.hcl"))
	if err != nil {
		return nil, nil, err
	}
	for _, srv := range fail {
		if _, _, err := r.dialtone(site, nil, "lab", "fail", "server", srv); err != nil {
			return nil, nil, err
		}
	}

	// The plan through the Exchange provider and the double, on the failed lab.
	var obj *objectFigures
	if shell != "" {
		if obj, err = r.exchangeObjects(filepath.Join(dir, "site-exchange"), string(hcl), filepath.Join(site, "lab"), shell, sc); err != nil {
			return nil, nil, err
		}
	}

	text := strings.Replace(string(hcl), `path = "lab"`, fmt.Sprintf("path       = \"lab\"\n  latency    = \"exchange\"\n  time_scale = %g", timeScale), 1)
	if err := os.WriteFile(filepath.Join(site, "main.hcl"), []byte(text), 0o644); err != nil {
		return nil, nil, err
	}
	for _, args := range [][]string{{"init"}, {"refresh"}} {
		if _, _, err := r.dialtone(site, nil, args...); err != nil {
			return nil, nil, err
		}
	}
	planJSON, err := r.output(site, "plan", "-json")
	if err != nil {
		return nil, nil, err
	}
	wall, _, err := r.dialtone(site, nil, "apply", "-auto-approve", fmt.Sprint("-parallelism=", parallelism))
	if err != nil {
		return nil, nil, err
	}
	f, err := dialToneTimes(planJSON, filepath.Join(site, "dialtone.state.json"))
	if err != nil {
		return nil, nil, err
	}
	f.parallelism, f.timeScale, f.wall = parallelism, timeScale, wall
	return f, obj, nil
}

// output runs dialtone in dir and returns its standard output.
func (r *runner) output(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), r.env...)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dialtone %s (in %s): %v", strings.Join(args, " "), dir, err)
	}
	return out, nil
}

// dialToneTimes reads, from the plan (which step ends each recovery's outage) and the
// state written by apply (each step's start and end on the lab's modelled clock), when
// each recovery's users got dial tone.
func dialToneTimes(planJSON []byte, statePath string) (*dialToneFigures, error) {
	var plan struct {
		Steps []struct {
			ID       string `json:"id"`
			Recovery string `json:"recovery"`
		} `json:"steps"`
		Outages []struct {
			Recovery string `json:"recovery"`
			ToStep   string `json:"to_step"`
			Reason   string `json:"reason"`
		} `json:"outages"`
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	data, err := os.ReadFile(statePath)
	if err != nil {
		return nil, err
	}
	var st struct {
		Recoveries map[string]struct {
			Steps map[string]struct {
				Started  time.Time `json:"started"`
				Finished time.Time `json:"finished"`
			} `json:"steps"`
		} `json:"recoveries"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	ends := map[string]string{}
	for _, o := range plan.Outages {
		if strings.HasPrefix(o.Reason, "failure until dial tone") {
			ends[o.Recovery] = o.ToStep
		}
	}
	f := &dialToneFigures{}
	var first, last time.Time
	path := map[string]time.Duration{}
	reached := map[string]bool{}
	for _, s := range plan.Steps {
		end := ends[s.Recovery]
		if end == "" || reached[s.Recovery] {
			continue
		}
		rec := st.Recoveries[s.Recovery].Steps[s.ID]
		if rec.Started.IsZero() {
			return nil, fmt.Errorf("step %s did not run", s.ID)
		}
		if first.IsZero() || rec.Started.Before(first) {
			first = rec.Started
		}
		path[s.Recovery] += rec.Finished.Sub(rec.Started)
		if s.ID == end {
			reached[s.Recovery] = true
			if rec.Finished.After(last) {
				last = rec.Finished
			}
		}
	}
	for _, d := range path {
		f.sumPaths += d
		f.longestPath = max(f.longestPath, d)
	}
	f.recoveries, f.last = len(reached), last.Sub(first)
	if f.recoveries == 0 {
		return nil, fmt.Errorf("no recovery reached dial tone")
	}
	return f, nil
}

// exchangeObjects plans the site failure through the Exchange provider against the
// PowerShell double on lab, and counts the objects the double returns: for a plan
// (servers, databases, the mailboxes of the databases involved) and for plan
// -refresh=full (every mailbox).
func (r *runner) exchangeObjects(dir, hcl, lab, shell string, sc scale) (*objectFigures, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	i := strings.Index(hcl, "provider \"lab\" {")
	j := strings.Index(hcl[i:], "}")
	if i < 0 || j < 0 {
		return nil, fmt.Errorf("the generated configuration has no provider \"lab\" block")
	}
	hcl = hcl[:i] + fmt.Sprintf("provider \"exchange\" {\n  command = [%q]\n}", shell) + hcl[i+j+1:]
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o644); err != nil {
		return nil, err
	}
	count := filepath.Join(dir, "objects")
	old := r.env
	r.env = append(append([]string(nil), old...), "FAKESHELL_LAB="+lab, "FAKESHELL_STATE="+filepath.Join(dir, "fakeshell.json"),
		"FAKESHELL_OBJECTS="+count,
		// The admin's pin of a privileged command, and the double's settings let through
		// to it (only PowerShell's own variables reach the process otherwise).
		fmt.Sprintf("DIALTONE_EXCHANGE_COMMAND=[%q]", shell), "DIALTONE_EXCHANGE_PASS_ENV=FAKESHELL_LAB,FAKESHELL_STATE,FAKESHELL_OBJECTS")
	defer func() { r.env = old }()
	changes := func(code int) bool { return code == 2 }
	if _, _, err := r.dialtone(dir, nil, "init"); err != nil {
		return nil, err
	}
	// A state that knows no mailbox is read in full once, as after init.
	if _, _, err := r.dialtone(dir, nil, "refresh", "-full"); err != nil {
		return nil, err
	}
	f := &objectFigures{involved: sc.servers + sc.servers*sc.dbsPerServer + sc.failServers*sc.dbsPerServer*sc.mailboxesPerDB,
		mailboxesTotal: sc.mailboxes()}
	base, err := sumLines(count)
	if err != nil {
		return nil, err
	}
	if f.scopedWall, _, err = r.dialtone(dir, changes, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	n, err := sumLines(count)
	if err != nil {
		return nil, err
	}
	f.scoped, base = n-base, n
	if f.fullWall, _, err = r.dialtone(dir, changes, "plan", "-refresh=full", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	if n, err = sumLines(count); err != nil {
		return nil, err
	}
	f.full = n - base
	return f, nil
}

// sumLines adds up the numbers of a file, one per line (0 for no file).
func sumLines(path string) (int, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil {
			return 0, fmt.Errorf("%s: %v", path, err)
		}
		n += k
	}
	return n, sc.Err()
}

// buildShell builds the Exchange provider's PowerShell double of this module.
func buildShell(dir string) (string, error) {
	out := filepath.Join(dir, "fakeshell")
	cmd := exec.Command("go", "build", "-o", out, "github.com/dialtone/dialtone/providers/exchange/internal/fakeshell")
	cmd.Stderr = os.Stderr
	return out, cmd.Run()
}

// printDialTone prints the figures and whether they meet issue 18's targets.
func printDialTone(w io.Writer, f *dialToneFigures, o *objectFigures) {
	fmt.Fprintf(w, "\nTime to dial tone, site failure of %d databases, latency = \"exchange\" (modelled; time_scale %g, -parallelism=%d, wall %s):\n",
		f.recoveries, f.timeScale, f.parallelism, f.wall.Round(time.Millisecond))
	ratio := float64(f.last) / float64(f.longestPath)
	verdict := "pass"
	if ratio > 3 {
		verdict = "miss"
	}
	fmt.Fprintf(w, "  last user's dial tone %s after the first step; the longest single recovery's own path %s: %.2fx (target <= 3x: %s)\n",
		f.last.Round(time.Second), f.longestPath.Round(time.Second), ratio, verdict)
	fmt.Fprintf(w, "  one step at a time (the walk before the graph), the recoveries' paths add up to %s (%.1fx)\n",
		f.sumPaths.Round(time.Second), float64(f.sumPaths)/float64(f.longestPath))
	if o == nil {
		return
	}
	verdict = "pass"
	if o.scoped > 2*o.involved {
		verdict = "miss"
	}
	fmt.Fprintf(w, "Plan through the exchange double: %d objects returned (%s), %.2fx the %d involved (servers, databases, the failed databases' mailboxes; target <= 2x: %s);\n",
		o.scoped, o.scopedWall.Round(time.Millisecond), float64(o.scoped)/float64(o.involved), o.involved, verdict)
	fmt.Fprintf(w, "  plan -refresh=full: %d objects (%s) for an organization of %d mailboxes\n", o.full, o.fullWall.Round(time.Millisecond), o.mailboxesTotal)
}
