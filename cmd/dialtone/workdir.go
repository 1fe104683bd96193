package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/state"
)

// loadConfig loads every *.hcl of the working directory and prints its diagnostics
// (warnings too). ok is false when there were errors.
func loadConfig(c *cli) (*config.Config, bool) {
	cfg, diags := config.Load(c.dir)
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

// backendFor returns the configured state backend and the path it uses, for messages.
func backendFor(c *cli, cfg *config.Config) (*state.Local, string, error) {
	p := config.DefaultStatePath
	if b := cfg.Backend; b != nil {
		if b.Type != "" && b.Type != "local" {
			return nil, "", fmt.Errorf("%s: backend %q is not available yet; use backend \"local\"", b.DeclRange, b.Type)
		}
		if b.Path != "" {
			p = b.Path
		}
	}
	return state.NewLocal(c.path(p)), p, nil
}

// readState reads the state, turning "no state" into an instruction.
func readState(b *state.Local, path string) (*state.State, error) {
	st, err := b.Read()
	if errors.Is(err, state.ErrNoState) {
		return nil, fmt.Errorf("no state at %s: run \"dialtone init\" first", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", path, err)
	}
	return st, nil
}

// labPath is the folder of the lab provider's simulated organization.
func labPath(c *cli, cfg *config.Config) (string, error) {
	p := config.DefaultLabPath
	if pr := cfg.Provider; pr != nil {
		if pr.Type != "" && pr.Type != "lab" {
			return "", fmt.Errorf("%s: provider %q is not available yet; use provider \"lab\"", pr.DeclRange, pr.Type)
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
	}
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
	l, err := lab.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening lab %s: %w", p, err)
	}
	return l, nil
}

// refreshFrom reads the organization through the provider into st (in memory).
func refreshFrom(c *cli, prov providers.Provider, st *state.State) error {
	obs, err := prov.Read(c.ctx)
	if err != nil {
		return fmt.Errorf("refresh: reading the organization: %w", err)
	}
	st.Refresh(obs)
	return nil
}

// lockState takes the state lock for op. A lock left by a holder that is gone (the
// kernel dropped its flock when it died: a crash, a kill) is taken over with a warning,
// so that "run apply again" after a crash just works; a lock whose holder is alive is
// an error that names the holder, the operation and the lock's age.
func lockState(c *cli, b *state.Local, path, op string) (func() error, error) {
	unlock, err := b.Lock(op)
	var le *state.LockError
	// Only a holder on this host can be proven gone (its flock is gone); a lock
	// written from another host through a shared folder is never taken over.
	host, _ := os.Hostname()
	if err == nil || !errors.As(err, &le) || !le.Stale || le.Info.Host != host {
		if err != nil {
			return nil, fmt.Errorf("acquiring the state lock of %s: %w. Nothing was changed.", path, err)
		}
		return unlock, nil
	}
	fmt.Fprintf(c.stderr, "%s the lock on %s was left by %s (pid %d, %q since %s), which is gone; taking it over.\n",
		c.paint(yellow, "Warning:"), path, le.Info.Who, le.Info.PID, le.Info.Operation, le.Info.Created.UTC().Format("2006-01-02T15:04:05Z"))
	c.log.Info("taking over a stale lock", "id", le.Info.ID, "pid", le.Info.PID)
	if ferr := b.ForceUnlock(le.Info.ID); ferr != nil {
		return nil, fmt.Errorf("acquiring the state lock of %s: %w", path, err)
	}
	unlock, err = b.Lock(op)
	if err != nil {
		return nil, fmt.Errorf("acquiring the state lock of %s: %w. Nothing was changed.", path, err)
	}
	return unlock, nil
}
