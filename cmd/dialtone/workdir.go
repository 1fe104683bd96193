package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/privileged"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
)

// loadConfig loads every *.hcl of the working directory and prints its diagnostics
// (warnings too). ok is false when there were errors. Variables take their values
// from the environment and the .dtvars files of the directory (commands with -var
// and -var-file use loadConfigVars).
func loadConfig(c *cli) (*config.Config, bool) {
	return loadConfigVars(c, nil)
}

// loadConfigWith is loadConfig with the given variable sources.
func loadConfigWith(c *cli, opts config.LoadOptions) (*config.Config, bool) {
	cfg, diags := config.Load(c.dir, opts)
	if cfg != nil && !diags.HasErrors() {
		// Values written into Exchange command lines, against Microsoft's reference for
		// the version of the server they run on.
		diags = append(diags, planner.ReferenceDiagnostics(cfg)...)
	}
	if c.secrets != nil {
		c.secrets.AddConfig(cfg)
		if cfg != nil && cfg.Backend != nil {
			c.secrets.AddConnString(cfg.Backend.ConnStr)
		}
	}
	writeDiags(c, cfg, diags)
	if diags.HasErrors() {
		return cfg, false
	}
	if cfg == nil {
		c.errorf("no configuration loaded from %s", c.dir)
		return nil, false
	}
	if len(cfg.Files) == 0 {
		c.errorf("no configuration files: %s holds no *.hcl file. Write one (see examples/same-server/main.hcl) or use -chdir=DIR.", c.dir)
		return cfg, false
	}
	return cfg, true
}

// backendFactories wires the state backends by name (design: explicit wiring, no
// init() registration). Each returns the backend and how messages name it (the state
// file's path; for pg the database and schema, never the credentials).
func backendFactories() map[string]func(c *cli, be *config.Backend) (state.Backend, string, error) {
	return map[string]func(c *cli, be *config.Backend) (state.Backend, string, error){
		"local": func(c *cli, be *config.Backend) (state.Backend, string, error) {
			p := be.Path
			if p == "" {
				p = config.DefaultStatePath
			}
			return state.NewLocal(c.path(p), state.LocalOptions{Backups: be.Backups, Logger: c.log.Named("state"), AcceptUnsealed: c.acceptUnsealed,
				Limits: c.limits.State, User: c.user}), p, nil
		},
		"pg": func(c *cli, be *config.Backend) (state.Backend, string, error) {
			connStr, _, err := pgConnection(c, be)
			if err != nil {
				return nil, "", err
			}
			if connStr == "" {
				return nil, "", fmt.Errorf("backend \"pg\" needs a connection string: set conn_str in the backend block (from a sensitive variable) or %s", pgConnEnv)
			}
			opts := pg.Options{Backups: be.Backups, AcceptUnsealed: c.acceptUnsealed, Limits: c.limits.State, User: c.user}
			if testHooks.pgOptions != nil {
				testHooks.pgOptions(c, &opts)
			}
			b, err := pg.New(connStr, be.SchemaName, opts)
			if err != nil {
				return nil, "", err
			}
			return b, b.Where(), nil
		},
	}
}

// pgConnEnv holds the pg backend's connection string when the configuration has none.
const pgConnEnv = privileged.PGConnEnv

// configuredBackend is the backend block in effect: the configuration's, or the
// default local one.
func configuredBackend(c *cli, cfg *config.Config) *config.Backend {
	be := &config.Backend{Type: "local", Path: config.DefaultStatePath}
	if cfg != nil && cfg.Backend != nil {
		cp := *cfg.Backend
		be = &cp
		if be.Type == "" {
			be.Type = "local"
		}
	}
	if testHooks.backend != nil {
		be = testHooks.backend(c, be)
	}
	return be
}

// backendFor returns the configured state backend and how messages name it.
func backendFor(c *cli, cfg *config.Config) (state.Backend, string, error) {
	return openBackend(c, configuredBackend(c, cfg))
}

// openBackend opens the backend of a backend block.
func openBackend(c *cli, be *config.Backend) (state.Backend, string, error) {
	f, ok := backendFactories()[be.Type]
	if !ok {
		return nil, "", fmt.Errorf("%s: backend %q does not exist; use backend \"local\" or \"pg\"", be.DeclRange, be.Type)
	}
	return f(c, be)
}

// journalPending is how many journal records the backend's last Read replayed: steps
// finished by an apply that ended before writing the state.
func journalPending(b state.Backend) int {
	if p, ok := b.(state.JournalReporter); ok {
		return p.JournalPending()
	}
	return 0
}

// readState reads the state, turning "no state" into an instruction, and says what it
// replayed from the journal and that it accepted an unsealed state (noteRead).
func readState(c *cli, b state.Backend, path string) (*state.State, error) {
	st, err := b.Read(c.ctx)
	if errors.Is(err, state.ErrNoState) {
		return nil, fmt.Errorf("no state at %s: run \"dialtone init\" first", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", path, err)
	}
	noteRead(c, b, path, st)
	return st, nil
}

// noteRead reports, on stderr and in the log, what a Read of b did beyond reading the
// stored document: it replayed journal records (an apply was interrupted, or someone
// wrote the journal: either way the admin must know, on every command), or it accepted
// a state without its checksum line (-accept-unsealed-state).
func noteRead(c *cli, b state.Backend, path string, st *state.State) {
	var rep state.Replay
	if r, ok := b.(state.JournalReporter); ok {
		rep = r.JournalReplay()
	}
	noteReplay(c, path, st, rep)
}

// noteReplay is noteRead from what the read returned and replayed (state.Push and
// state.Migrate read the state themselves and return both).
func noteReplay(c *cli, path string, st *state.State, rep state.Replay) {
	if st != nil && st.Unsealed {
		views.NewStateNotes(c.streams()).Unsealed(path)
		c.log.Warn("accepted a state without its checksum line", "state", path)
	}
	if rep.Empty() {
		return
	}
	var stages []string
	for _, m := range rep.Stages {
		stages = append(stages, "recovery."+m.Recovery+" -> "+m.Stage)
	}
	views.NewStateNotes(c.streams()).Replayed(path, rep, stages)
	c.log.Warn("journal replayed", "state", path, "records", rep.Records, "steps", rep.Steps, "stages", strings.Join(stages, ", "))
}

// labPath is the folder of the lab provider's simulated organization.
func labPath(c *cli, cfg *config.Config) (string, error) {
	p := config.DefaultLabPath
	if pr := cfg.Provider; pr != nil {
		if pr.Type != "" && pr.Type != "lab" {
			return "", fmt.Errorf("%s: the lab commands work on the simulated organization of provider \"lab\"; this configuration uses provider %q", pr.DeclRange, pr.Type)
		}
		if pr.Path != "" {
			p = pr.Path
		}
	}
	return c.path(p), nil
}

// providerFactories wires concrete providers by name (design: explicit wiring, no
// init() registration). Each factory opens the provider for a working directory.
func providerFactories() map[string]func(c *cli, cfg *config.Config) (providers.Provider, error) {
	return map[string]func(c *cli, cfg *config.Config) (providers.Provider, error){
		"lab": func(c *cli, cfg *config.Config) (providers.Provider, error) {
			l, err := openLab(c, cfg)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		"exchange": openExchange,
	}
}

// openExchange prepares the Exchange provider from provider "exchange" { ... }. The
// PowerShell process starts at the first read, so a configuration error shows before
// anything runs; the credential is read here (from the environment or the file), never
// from the configuration. The privileged settings (command, connection_uri,
// authentication, credential_file) are resolveExchange's: from the configuration only
// when pinned by the environment or allow-listed.
func openExchange(c *cli, cfg *config.Config) (providers.Provider, error) {
	pr := cfg.Provider
	priv, err := resolveExchange(c, pr)
	if err != nil {
		return nil, err
	}
	s := exchange.Settings{
		Command:          priv.Command,
		ConnectionURI:    priv.ConnectionURI,
		Authentication:   priv.Authentication,
		DomainController: pr.DomainController,
		CredentialEnv:    pr.CredentialEnv,
		CredentialFile:   priv.CredentialFile,

		NoAutodiscoverAttribute: pr.NoAutodiscoverAttribute,
		MaxSessions:             pr.MaxSessions,
	}
	if s.CredentialEnv != "" && c.secrets != nil {
		c.secrets.Add(c.getenv(s.CredentialEnv + "_PASSWORD"))
	}
	if s.CredentialFile != "" && c.secrets != nil {
		// The file's content is a secret as well: the password and the user name, read
		// here (nothing is started) so that no log line can carry them.
		if u, pw, err := exchange.ReadCredentialFile(s.CredentialFile); err == nil {
			c.secrets.Add(pw, strings.ReplaceAll(pw, "'", "''"), u)
		}
	}
	p, err := exchange.New(s, c.log.Named("provider")) // it names itself "exchange": dialtone.provider.exchange
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pr.DeclRange, err)
	}
	return p, nil
}

// openProvider opens the configured provider (lab by default).
func openProvider(c *cli, cfg *config.Config) (providers.Provider, error) {
	name := "lab"
	if cfg.Provider != nil && cfg.Provider.Type != "" {
		name = cfg.Provider.Type
	}
	f, ok := providerFactories()[name]
	if !ok {
		return nil, fmt.Errorf("%s: provider %q is not available yet; use provider \"lab\"", cfg.Provider.DeclRange, name)
	}
	return f(c, cfg)
}

// closeProvider releases a provider's resources, if it holds any.
func closeProvider(c *cli, p providers.Provider) {
	if cl, ok := p.(providers.Closer); ok {
		if err := cl.Close(); err != nil {
			c.log.Warn("closing provider", "error", err)
		}
	}
}

// openLab opens the lab folder, saying what to do when it does not exist.
func openLab(c *cli, cfg *config.Config) (*lab.Lab, error) {
	p, err := labPath(c, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lab folder %s does not exist: run \"dialtone lab init\" to build the simulated organization", p)
	}
	l, err := lab.Open(p, lab.Options{Logger: c.log.Named("provider.lab"), Limits: c.limits.Lab})
	if err != nil {
		return nil, fmt.Errorf("opening lab %s: %w", p, err)
	}
	if err := setLabLatency(l, cfg); err != nil {
		return nil, err
	}
	return l, nil
}

// setLabLatency gives the lab the latency model of provider "lab" { latency, ... }.
func setLabLatency(l *lab.Lab, cfg *config.Config) error {
	pr := cfg.Provider
	if pr == nil || pr.Type != "lab" {
		return nil
	}
	m, err := lab.ParseLatency(pr.Latency, pr.LatencyOverrides, pr.TimeScale)
	if err != nil {
		return fmt.Errorf("%s: %w", pr.DeclRange, err)
	}
	l.SetLatency(m)
	return nil
}

// refreshFrom reads the organization through the provider into st (in memory).
func refreshFrom(c *cli, prov providers.Provider, st *state.State) error {
	var obs *state.Observed
	var err error
	sr, scoped := prov.(providers.ScopedReader)
	// A state that knows no mailbox yet is read in full once: the scope's "what the
	// state knew of the others" would be nothing.
	if scoped && c.readScope != nil && len(st.Mailboxes) > 0 {
		c.log.Debug("refresh reads the mailboxes of the databases the plan involves", "databases", len(c.readScope))
		obs, err = sr.ReadScoped(c.ctx, c.readScope)
	} else {
		obs, err = prov.Read(c.ctx)
	}
	if err != nil {
		return fmt.Errorf("refresh: reading the organization: %w", err)
	}
	st.Refresh(obs)
	return nil
}

// lockState takes the state lock for op. A lock left by a holder that is proven gone
// is taken over with a warning, so that "run apply again" after a crash just works:
// for the local backend, a holder of this host whose flock the kernel dropped when it
// died (a lock written from another host through a shared folder is never taken
// over); for pg, a holder whose session ended (the backend replaces its row itself). A
// lock whose holder is alive is an error that names the holder, the operation and the
// lock's age.
func lockState(c *cli, b state.Backend, path, op string) (func() error, error) {
	unlock, err := lockWaiting(c, path, func() (func() error, error) { return b.Lock(c.ctx, op) })
	if err == nil {
		if r, ok := b.(state.LockTakeover); ok {
			if prev := r.ReplacedLock(); prev != nil {
				warnTakeover(c, path, *prev)
			}
		}
		return unlock, nil
	}
	var le *state.LockError
	host, _ := os.Hostname()
	if !errors.As(err, &le) || !le.Gone || le.Info.Host != host {
		//lint:ignore ST1005 the message ends the command: the last sentence says nothing changed
		return nil, fmt.Errorf("acquiring the state lock of %s: %w. Nothing was changed.", path, err)
	}
	warnTakeover(c, path, le.Info)
	if ferr := b.ForceUnlock(c.ctx, le.Info.ID); ferr != nil {
		return nil, fmt.Errorf("acquiring the state lock of %s: %w", path, err)
	}
	unlock, err = b.Lock(c.ctx, op)
	if err != nil {
		//lint:ignore ST1005 the message ends the command: the last sentence says nothing changed
		return nil, fmt.Errorf("acquiring the state lock of %s: %w. Nothing was changed.", path, err)
	}
	return unlock, nil
}

func warnTakeover(c *cli, path string, info state.LockInfo) {
	views.NewStateNotes(c.streams()).TakingOver(path, info)
	c.log.Info("taking over a stale lock", "id", info.ID, "pid", info.PID)
}

// session is what a command that plans works on: the backend and its state (locked when
// the command writes), and the provider.
type session struct {
	b      state.Backend
	path   string // where the state lives, for messages
	st     *state.State
	prov   providers.Provider
	unlock func() error // nil when not locked
	// settings are the privileged provider and backend settings in effect, each with
	// the value the state recorded when it differs (shown in every plan).
	settings []planner.Setting
}

// openSession refuses a backend other than the one init recorded (checkBackendRecord),
// then opens the backend, takes its lock for lockOp (none when lockOp is ""),
// reads the state and opens the provider. Close it with close.
func openSession(c *cli, cfg *config.Config, lockOp string) (*session, error) {
	if err := checkBackendRecord(c, cfg); err != nil {
		return nil, err
	}
	b, path, err := backendFor(c, cfg)
	if err != nil {
		return nil, err
	}
	s := &session{b: b, path: path}
	if !c.fullRefresh {
		c.readScope = planner.ReadScope(cfg)
	}
	if s.settings, err = privilegedSettings(c, cfg, path); err != nil {
		return nil, err
	}
	if lockOp != "" {
		if s.unlock, err = lockState(c, b, path, lockOp); err != nil {
			return nil, err
		}
	}
	if s.st, err = readState(c, b, path); err != nil {
		s.close(c)
		return nil, err
	}
	s.settings = recordSettings(s.st, s.settings)
	if s.prov, err = openProvider(c, cfg); err != nil {
		s.close(c)
		return nil, err
	}
	return s, nil
}

// close closes the provider, then releases the lock.
func (s *session) close(c *cli) {
	if s.prov != nil {
		closeProvider(c, s.prov)
	}
	if s.unlock != nil {
		_ = s.unlock()
	}
}

// recordedState loads the configuration and reads the recorded state, for commands that
// only show it; path says where it lives. ok is false when an error was printed.
func recordedState(c *cli) (st *state.State, path string, ok bool) {
	cfg, ok := loadConfig(c)
	if !ok {
		return nil, "", false
	}
	b, path, err := backendFor(c, cfg)
	if err != nil {
		c.errorf("%v", err)
		return nil, "", false
	}
	if st, err = readState(c, b, path); err != nil {
		c.errorf("%v", err)
		return nil, "", false
	}
	return st, path, true
}
