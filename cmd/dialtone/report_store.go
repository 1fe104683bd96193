package main

import (
	"path/filepath"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/runreport"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state"
)

// reportsDir is where local reports live, relative to the state file's folder.
const reportsDir = runreport.Dir

// reportStore returns where this working directory's reports live: the state backend
// when it is a state.ReportStore (pg), else .dialtone/reports beside the local state
// file (beside the working directory for another backend). A backend that cannot be
// opened gives a store whose every call fails with its error.
func reportStore(c *cli, cfg *config.Config) runreport.Store {
	be := configuredBackend(c, cfg)
	base := c.dir
	if be.Type == "local" {
		p := be.Path
		if p == "" {
			p = config.DefaultStatePath
		}
		base = filepath.Dir(c.path(p))
	} else {
		b, _, err := openBackend(c, be)
		if err != nil {
			return runreport.Failed{Err: err}
		}
		if rs, ok := b.(state.ReportStore); ok {
			return rs
		}
	}
	return runreport.Local{Dir: filepath.Join(base, reportsDir)}
}
