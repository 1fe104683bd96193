package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/labconfig"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabGenerate writes a large organization for benchmarks and rehearsals: a lab built
// in bulk (lab.Generate) and the HCL topology that matches it (servers, databases and,
// with -fail-server, one alternate_server recovery per database of the failed servers,
// each dial tone and recovery database on a surviving server, round robin). It needs no
// configuration: it writes one, into -out (main.hcl, the lab in lab/, the state in
// dialtone.state.json once "dialtone init" runs).
func cmdLabGenerate(c *cli, _ *config.Config, args []string) int {
	fs := newFlagSet(c, "lab generate",
		"lab generate -servers=N -databases-per-server=N -mailboxes-per-database=N [-messages-per-mailbox=N] [-edition=E] [-fail-server=EX001[,EX002...]] [-stage=S] [-out=DIR]")
	var spec lab.GenerateSpec
	fs.IntVar(&spec.Servers, "servers", 2, "Mailbox servers (EX001, EX002, ...)")
	fs.IntVar(&spec.DatabasesPerServer, "databases-per-server", 2, "databases per server (DB0001, ... numbered across servers)")
	fs.IntVar(&spec.MailboxesPerDatabase, "mailboxes-per-database", 10, "user mailboxes per database")
	fs.IntVar(&spec.MessagesPerMailbox, "messages-per-mailbox", 0, "messages delivered to every user mailbox")
	fs.StringVar(&spec.Edition, "edition", "enterprise", "servers' edition: standard or enterprise")
	failed := fs.String("fail-server", "", "write one recovery per database of these servers (comma-separated), as for a site failure")
	stage := fs.String("stage", config.StageDialTone, "the stage the recoveries ask for")
	out := fs.String("out", ".", "folder to write main.hcl and lab/ into")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab generate takes no arguments (got %q)", fs.Arg(0))
	}
	topo := spec.Topology()
	var fail []string
	if *failed != "" {
		for _, name := range strings.Split(*failed, ",") {
			name = strings.TrimSpace(name)
			if !slices.ContainsFunc(topo.Servers, func(s lab.ServerSpec) bool { return s.Name == name }) {
				return c.errorf("-fail-server: %s is not one of the generated servers (%s ... %s)", name, spec.ServerName(1), spec.ServerName(spec.Servers))
			}
			fail = append(fail, name)
		}
		if len(fail) >= spec.Servers {
			return c.errorf("-fail-server: at least one server must survive to host the dial tone databases")
		}
	}
	dir := c.path(*out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c.errorf("%v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(m) > 0 {
		return c.errorf("%s already holds a configuration (%s): generate into an empty folder", dir, filepath.Base(m[0]))
	}
	labDir := filepath.Join(dir, "lab")
	if _, err := os.Stat(labDir); err == nil {
		return c.errorf("lab folder %s already exists: remove it first", labDir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return c.errorf("lab folder %s: %v", labDir, err)
	}
	hcl := labconfig.HCL(topo, fail, *stage)
	start := time.Now()
	l, err := lab.Generate(labDir, spec)
	if err != nil {
		return c.errorf("generating the lab in %s: %v", labDir, err)
	}
	if err := l.Close(); err != nil {
		return c.errorf("closing the lab %s: %v", labDir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), hcl, 0o644); err != nil {
		return c.errorf("%v", err)
	}
	views.NewLabAdmin(c.streams()).Generated(len(topo.Servers), len(topo.Databases), len(topo.Databases)*spec.MailboxesPerDatabase, labDir,
		time.Since(start), filepath.Join(dir, "main.hcl"), fail)
	return exitOK
}
