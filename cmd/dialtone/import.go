package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/importhcl"
	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// cmdImport reads the organization through the configured provider and writes the HCL
// of its Mailbox servers and mailbox databases, leaving out those the folder's other
// *.hcl files already declare. It is read-only: no state is read or written, no lock
// taken, nothing is asked of the provider but a read.
func cmdImport(c *cli, args []string) int {
	fs := newFlagSet(c, "import", "import [-out=FILE] [-force]")
	out := fs.String("out", "", "write the HCL to FILE (relative to the working directory) instead of stdout")
	force := fs.Bool("force", false, "replace FILE when it exists")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("import takes no arguments (got %q); write the HCL to a file with -out=FILE", fs.Arg(0))
	}
	opts := (*varFlags)(nil).loadOptions(c)
	outPath := ""
	if *out != "" {
		outPath = c.path(*out)
		if !strings.HasSuffix(outPath, ".hcl") {
			return c.errorf("-out=%s: the file must end in .hcl so that the configuration loads it", *out)
		}
		info, err := os.Stat(outPath)
		switch {
		case err == nil && info.IsDir():
			return c.errorf("-out=%s is a folder; name the file to write", *out)
		case err == nil && !*force:
			return c.errorf("%s already exists and was left untouched: import into a new file, or replace it with -force", *out)
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return c.errorf("-out=%s: %v", *out, err)
		}
		// The file being replaced is not part of what is already declared: its servers
		// and databases are written again.
		if sameDir(filepath.Dir(outPath), c.path(".")) {
			opts.Exclude = []string{filepath.Base(outPath)}
		}
	}
	cfg, ok := loadConfigWith(c, opts)
	if !ok {
		return exitError
	}
	prov, err := openProvider(c, cfg)
	if err != nil {
		return c.errorf("%v", err)
	}
	defer closeProvider(c, prov)
	obs, err := readTopology(c, prov)
	if err != nil {
		return c.errorf("reading the organization: %v", err)
	}
	at, err := importhcl.Time(c.getenv)
	if err != nil {
		return c.errorf("%v", err)
	}
	res := importhcl.Build(obs, cfg, importhcl.Header(cfg, at))

	// What was added and left out goes to stderr when the HCL goes to stdout, so that
	// "dialtone import > org.hcl" gives a clean file.
	if outPath == "" {
		if _, err := c.stdout.Write(res.HCL); err != nil {
			return c.errorf("%v", err)
		}
		views.ImportSummary(c.stderr, res, "")
		return exitOK
	}
	if len(res.AddedServers)+len(res.AddedDatabases) == 0 {
		// An empty import is not written: a file of comments would only hide that
		// nothing was new.
		views.ImportSummary(c.stdout, res, "")
		views.ImportUnchanged(c.streams(), *out)
		return exitOK
	}
	if err := writeFileAtomic(outPath, res.HCL, 0o644); err != nil {
		return c.errorf("writing %s: %v", *out, err)
	}
	views.ImportSummary(c.stdout, res, *out)
	return exitOK
}

// readTopology reads servers and databases. Mailboxes are not needed: a provider that
// can read those of no database is asked for none; a streaming one drops them as they
// come, so that an organization of 500,000 mailboxes costs no map of them.
func readTopology(c *cli, prov providers.Provider) (*state.Observed, error) {
	if r, ok := prov.(providers.ScopedReader); ok {
		return r.ReadScoped(c.ctx, []string{})
	}
	if r, ok := prov.(providers.MailboxStreamer); ok {
		return r.ReadStream(c.ctx, func(*state.Mailbox) {})
	}
	return prov.Read(c.ctx)
}

// sameDir reports whether a and b are the same folder.
func sameDir(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}
