package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers/exchange"
)

// The time to dial tone through the Exchange provider (issue 18): the site failure's
// dial_tone stage applied through the provider and its PowerShell double, the double
// taking Exchange's modelled time per cmdlet (FAKESHELL_LATENCY=exchange: the lab's
// latency table, scaled), once with the pool of sessions and once with one session.
// On Exchange a cmdlet holds its session for as long as it runs, so the pool decides
// how many recoveries overlap.
//
// The organization is the site failure's own: the failed servers, as many that stay
// up (where the dial tone databases go), the same databases and mailboxes per database.
// The organization's other mailboxes change nothing here (the apply reads the failed
// databases' mailboxes only), while the double's reads of a 500,000-mailbox lab would
// add its own cost to every request.

// exchangeDialTone is one apply through the double.
type exchangeDialTone struct {
	sessions, parallelism int
	f                     *dialToneFigures // modelled: measured times divided by the time scale
	own                   *ownTime         // with a profile folder: what the double itself took
}

// exchangeOptions are the bench's settings of the runs through the double.
type exchangeOptions struct {
	timeScale   float64
	pool        int    // -parallelism of the pool's run
	maxSessions int    // max_sessions (0: left out)
	profile     string // a folder for the double's trace and CPU profiles ("": none)
}

// ownTime is the double's own work over an apply: requests, and the sum and the
// largest of their own times (FAKESHELL_TRACE's own: locks, the lab's reads and
// writes, without the modelled waits), real time.
type ownTime struct {
	requests   int
	sum, most  time.Duration
	perCmdlet  map[string]time.Duration
	countByCmd map[string]int
}

// readOwnTime sums the own times of a trace.
func readOwnTime(path string) (*ownTime, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	o := &ownTime{perCmdlet: map[string]time.Duration{}, countByCmd: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Own  int64  `json:"own"`
			Body string `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		d := time.Duration(r.Own)
		o.requests++
		o.sum += d
		o.most = max(o.most, d)
		name := firstCmdlet(r.Body)
		o.perCmdlet[name] += d
		o.countByCmd[name]++
	}
	return o, nil
}

// firstCmdlet is the first Verb-Noun word of a request body that is not the session's
// own set-up, for grouping the double's time by what it answered.
func firstCmdlet(body string) string {
	for _, w := range strings.Fields(body) {
		w = strings.TrimLeft(w, "($@{")
		if strings.Contains(w, "-") && !strings.HasPrefix(w, "-") && w[0] >= 'A' && w[0] <= 'Z' {
			if w == "Invoke-Command" {
				continue
			}
			return w
		}
	}
	return "?"
}

// exchangeDialToneSuite generates the site failure under dir and applies its dial_tone
// stage through the double with -parallelism=pool (sessions: at most the provider's
// cap) and with -parallelism=1 (one session).
func (r *runner) exchangeDialToneSuite(dir string, sc scale, o exchangeOptions, shell string) ([]exchangeDialTone, error) {
	site := filepath.Join(dir, "site")
	var fail []string
	for i := 1; i <= sc.failServers; i++ {
		fail = append(fail, fmt.Sprintf("EX%03d", i))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, _, err := r.dialtone(dir, nil, "lab", "generate",
		fmt.Sprint("-servers=", 2*sc.failServers), fmt.Sprint("-databases-per-server=", sc.dbsPerServer),
		fmt.Sprint("-mailboxes-per-database=", sc.mailboxesPerDB), "-fail-server="+strings.Join(fail, ","), "-out="+site); err != nil {
		return nil, err
	}
	for _, srv := range fail {
		if _, _, err := r.dialtone(site, nil, "lab", "fail", "server", srv); err != nil {
			return nil, err
		}
	}
	hcl, err := os.ReadFile(filepath.Join(site, "main.hcl"))
	if err != nil {
		return nil, err
	}
	i := strings.Index(string(hcl), "provider \"lab\" {")
	j := strings.Index(string(hcl)[max(i, 0):], "}")
	if i < 0 || j < 0 {
		return nil, fmt.Errorf("the generated configuration has no provider \"lab\" block")
	}
	block := fmt.Sprintf("provider \"exchange\" {\n  command = [%q]\n", shell)
	if o.maxSessions > 0 {
		block += fmt.Sprintf("  max_sessions = %d\n", o.maxSessions)
	}
	text := string(hcl[:i]) + block + "}" + string(hcl[i+j+1:])
	var out []exchangeDialTone
	for _, par := range []int{o.pool, 1} {
		run := filepath.Join(dir, fmt.Sprint("apply-parallelism-", par))
		if err := copyTree(filepath.Join(site, "lab"), filepath.Join(run, "lab")); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(run, "main.hcl"), []byte(text), 0o644); err != nil {
			return nil, err
		}
		var env []string
		trace := ""
		if o.profile != "" {
			prof := filepath.Join(o.profile, fmt.Sprint("parallelism-", par))
			if err := os.MkdirAll(prof, 0o755); err != nil {
				return nil, err
			}
			trace = filepath.Join(prof, "trace.jsonl")
			env = []string{"FAKESHELL_TRACE=" + trace, "FAKESHELL_CPUPROFILE=" + prof}
		}
		f, err := r.exchangeApply(run, shell, o.timeScale, par, env)
		if err != nil {
			return nil, err
		}
		run1 := exchangeDialTone{sessions: exchange.Sessions(par, o.maxSessions), parallelism: par, f: f}
		if trace != "" {
			if run1.own, err = readOwnTime(trace); err != nil {
				return nil, err
			}
		}
		out = append(out, run1)
	}
	return out, nil
}

// exchangeApply plans and applies the configuration of dir through the double.
func (r *runner) exchangeApply(dir, shell string, timeScale float64, par int, extra []string) (*dialToneFigures, error) {
	old := r.env
	pass := "FAKESHELL_LAB,FAKESHELL_STATE,FAKESHELL_LATENCY,FAKESHELL_TIME_SCALE"
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		pass += "," + name
	}
	r.env = append(append(append([]string(nil), old...), "FAKESHELL_LAB="+filepath.Join(dir, "lab"), "FAKESHELL_STATE="+filepath.Join(dir, "fakeshell.json"),
		"FAKESHELL_LATENCY=exchange", fmt.Sprint("FAKESHELL_TIME_SCALE=", timeScale),
		fmt.Sprintf("DIALTONE_EXCHANGE_COMMAND=[%q]", shell),
		"DIALTONE_EXCHANGE_PASS_ENV="+pass), extra...)
	defer func() { r.env = old }()
	for _, args := range [][]string{{"init"}, {"refresh", "-full"}} {
		if _, _, err := r.dialtone(dir, nil, args...); err != nil {
			return nil, err
		}
	}
	planJSON, err := r.output(dir, "plan", "-json")
	if err != nil {
		return nil, err
	}
	wall, _, err := r.dialtone(dir, nil, "apply", "-auto-approve", fmt.Sprint("-parallelism=", par))
	if err != nil {
		return nil, err
	}
	f, err := dialToneTimes(planJSON, filepath.Join(dir, "dialtone.state.json"))
	if err != nil {
		return nil, err
	}
	// The provider records wall-clock times: the double's waits are the modelled ones
	// scaled, so the modelled times are these over the scale.
	for _, d := range []*time.Duration{&f.last, &f.longestPath, &f.sumPaths} {
		*d = time.Duration(float64(*d) / timeScale)
	}
	f.parallelism, f.timeScale, f.wall = par, timeScale, wall
	return f, nil
}

// copyTree copies the folder src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o600)
	})
}

// printExchangeDialTone prints the pool's and the one session's figures, and whether
// they meet issue 18's target. The single recovery's path is the one-session run's
// (its steps ran one at a time, nothing else queued with them): in the pool's run a
// step's time also holds its waits for the lab the double shares.
func printExchangeDialTone(w io.Writer, runs []exchangeDialTone) {
	if len(runs) == 0 {
		return
	}
	path := runs[len(runs)-1].f.longestPath
	fmt.Fprintf(w, "\nTime to dial tone through the exchange provider and its double, site failure of %d databases (modelled; time_scale %g):\n", runs[0].f.recoveries, runs[0].f.timeScale)
	fmt.Fprintf(w, "  the longest single recovery's own path, its steps one at a time: %s\n", path.Round(time.Second))
	for _, run := range runs {
		f := run.f
		ratio := float64(f.last) / float64(path)
		verdict := "pass"
		if ratio > 3 {
			verdict = "miss"
		}
		sessions := fmt.Sprintf("%d PowerShell sessions", run.sessions)
		if run.sessions == 1 {
			sessions = "one PowerShell session"
		}
		fmt.Fprintf(w, "  -parallelism=%d (%s): last user's dial tone %s: %.2fx the path (target <= 3x: %s; wall %s)\n",
			run.parallelism, sessions, f.last.Round(time.Second), ratio, verdict, f.wall.Round(time.Millisecond))
		if o := run.own; o != nil && o.requests > 0 {
			fmt.Fprintf(w, "    the double's own work: %d requests, %s in all (mean %s, most %s; real time, not modelled)\n",
				o.requests, o.sum.Round(time.Millisecond), (o.sum / time.Duration(o.requests)).Round(time.Microsecond), o.most.Round(time.Millisecond))
			names := make([]string, 0, len(o.perCmdlet))
			for n := range o.perCmdlet {
				names = append(names, n)
			}
			sort.Slice(names, func(i, j int) bool { return o.perCmdlet[names[i]] > o.perCmdlet[names[j]] })
			for _, n := range names[:min(len(names), 6)] {
				fmt.Fprintf(w, "      %-40s %5d requests %10s\n", n, o.countByCmd[n], o.perCmdlet[n].Round(time.Millisecond))
			}
		}
	}
	if len(runs) == 2 {
		fmt.Fprintf(w, "  the pool gives the last user dial tone %.1fx sooner than one session\n", float64(runs[1].f.last)/float64(runs[0].f.last))
	}
}
