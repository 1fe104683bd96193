package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/mattn/go-isatty"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/envopts"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/logging"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/planner"
)

// Exit statuses.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan -detailed-exitcode: changes present
)

// cli is what every command receives: the streams, the working directory, the colour
// decision and the logger of one invocation. It is built once in run and never
// mutated by a command; commands pass values down as arguments, not through it.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	dir    string // working directory (-chdir), "." by default
	color  bool
	log    hclog.Logger
	// secrets are scrubbed from everything the logger writes; commands add the
	// configuration's sensitive values and credentials as they learn them.
	secrets *secretSet
	// record collects what apply and drill did for their run report (internal/runreport).
	record *runreport.Recorder
	getenv func(string) string
	// limits are the DIALTONE_MAX_* limits and user the lock holder's name, read from
	// the environment once (internal/envopts) and passed down as options.
	limits envopts.Limits
	user   string
	ctx    context.Context
	// acceptUnsealed is -accept-unsealed-state: read a state without its checksum line.
	acceptUnsealed bool
	// readScope, when not nil, names the databases whose mailboxes a refresh reads
	// through a provider that can read some only (openSession sets it from the
	// configuration; plan -refresh=full and refresh -full leave it nil: read everything).
	readScope   []string
	fullRefresh bool
	// ownDrift is what the last refresh attributed to steps an interrupted apply had
	// started (planner.OwnDrift): refresh shows it apart from changes outside dialtone.
	ownDrift []planner.Drift
	// lockTimeout is -lock-timeout: how long to wait for a held state lock (0: fail at
	// once). input is -input: false means never prompt (session_flags.go).
	lockTimeout time.Duration
	input       bool
}

// path resolves p (from the configuration or a flag) against the working directory.
func (c *cli) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// command is one subcommand: its one-line help and its entry point.
type command struct {
	synopsis string
	run      func(c *cli, args []string) int
}

// commands is the table of subcommands, in the order help lists them.
func commands() map[string]command {
	return map[string]command{
		"import":       {"Write the HCL of the organization's servers and databases (-out=FILE)", cmdImport},
		"init":         {"Prepare the working directory: check the backend, create an empty state", cmdInit},
		"validate":     {"Check the configuration; touches no provider and no state", cmdValidate},
		"fmt":          {"Rewrite *.hcl files in the canonical layout (-check, -diff)", cmdFmt},
		"refresh":      {"Read the organization through the provider into the state", cmdRefresh},
		"plan":         {"Show the steps that move each recovery to its requested stage", cmdPlan},
		"apply":        {"Carry out a plan through the provider, step by step", cmdApply},
		"confirm":      {"Record that a manual step was carried out: confirm STEP_ID [-who=NAME]", cmdConfirm},
		"show":         {"Show a saved plan or the current state", cmdShow},
		"graph":        {"Print the plan's step graph (DOT or Mermaid)", cmdGraph},
		"state":        {"Inspect the state: state list | show ADDR | pull | push [-force] FILE", cmdState},
		"force-unlock": {"Remove a stale state lock: force-unlock LOCK_ID", cmdForceUnlock},
		"drill":        {"Rehearse the recovery in this folder on a fresh lab", cmdDrillReported},
		"report":       {"Print a run report: report [-list] [-format=markdown|json] [RUN_ID]", cmdReport},
		"lab":          {"Drive the simulated organization (lab provider)", cmdLab},
		"version":      {"Print the dialtone version", cmdVersion},
	}
}

const globalUsage = `Usage: dialtone [-chdir=DIR] [-no-color] COMMAND [flags]

Global flags (before the command):
  -chdir=DIR   switch to DIR before running the command
  -no-color    no colour in the output (NO_COLOR does the same); also after the command
  -accept-unsealed-state
               read a state whose checksum line was removed (a deliberate edit, checked
               first); refused otherwise. The next write seals it again.
  -version     same as the version command

Commands:
`

func usage(w io.Writer) {
	fmt.Fprint(w, globalUsage)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, cmds[n].synopsis)
	}
}

// run is the whole program: it returns the exit status. It never panics on input.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dialtone", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	chdir := fs.String("chdir", ".", "")
	noColor := fs.Bool("no-color", false, "")
	acceptUnsealed := fs.Bool("accept-unsealed-state", false, "")
	showVersion := fs.Bool("version", false, "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n\n", err)
		usage(stderr)
		return exitError
	}
	rest := fs.Args()

	secrets := &secretSet{}
	addEnvSecrets(secrets, os.Getenv)
	log, closeLog, err := logging.New(os.Getenv, stderr, secrets)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return exitError
	}
	defer closeLog()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c := &cli{
		stdin:   stdin,
		stdout:  stdout,
		stderr:  stderr,
		dir:     *chdir,
		color:   !*noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout),
		log:     log,
		secrets: secrets,
		record:  runreport.NewRecorder(),
		getenv:  os.Getenv,
		ctx:     ctx,

		acceptUnsealed: *acceptUnsealed,
	}
	if *showVersion {
		return cmdVersion(c, nil)
	}
	if *help || len(rest) == 0 {
		w := stdout
		if !*help {
			w = stderr
		}
		usage(w)
		if *help {
			return exitOK
		}
		return exitError
	}
	if st, err := os.Stat(c.dir); err != nil || !st.IsDir() {
		why := "is a file, not a folder"
		switch {
		case errors.Is(err, os.ErrNotExist):
			why = "no such folder"
		case err != nil:
			why = err.Error()
		}
		fmt.Fprintf(stderr, "Error: -chdir=%s: %s\n", c.dir, why)
		return exitError
	}
	name := rest[0]
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "Error: unknown command %q.\n\n", name)
		usage(stderr)
		return exitError
	}
	if c.limits, err = envopts.ReadLimits(c.getenv); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return exitError
	}
	c.user = envopts.User(c.getenv)
	args, noColorAfter := stripNoColor(rest[1:])
	if noColorAfter {
		c.color = false
	}
	c.input = true
	log.Debug("running command", "command", name, "dir", c.dir)
	return cmd.run(c, args)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd())
}

// newFlagSet returns a flag set for one command that reports its own errors on stderr
// with the command's usage line.
func newFlagSet(c *cli, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: dialtone %s\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns -h into exit 0 and bad flags into exit 1.
// ok is false when the caller must return code.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitError, false
	}
	return exitOK, true
}

// errorf prints an error in the house format on stderr and returns exitError.
func (c *cli) errorf(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s %s\n", c.paint(red, "Error:"), fmt.Sprintf(format, args...))
	return exitError
}
