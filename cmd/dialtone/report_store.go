package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/state/pg"
)

// ReportStore keeps run reports. A state backend may implement it to keep them with the
// state (a team's shared backend: pg keeps them in its reports table); otherwise they
// go to the local folder beside the state (localReports).
type ReportStore interface {
	// PutReport stores a report's JSON document and its Markdown under id.
	PutReport(id string, jsonDoc, markdown []byte) error
	// ReportIDs lists the stored reports' IDs, oldest first.
	ReportIDs() ([]string, error)
	// GetReport returns a report's JSON document; an error wrapping os.ErrNotExist when
	// there is none.
	GetReport(id string) ([]byte, error)
}

// reportsDir is where local reports live, relative to the state file's folder.
const reportsDir = ".dialtone/reports"

// localReports keeps reports as <dir>/<id>.json and <id>.md, 0600 files in 0700 folders.
type localReports struct{ dir string }

var _ ReportStore = localReports{}

func (l localReports) PutReport(id string, jsonDoc, markdown []byte) error {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return err
	}
	// Both folders of .dialtone/reports are private, also when they existed.
	_ = os.Chmod(l.dir, 0o700)
	_ = os.Chmod(filepath.Dir(l.dir), 0o700)
	if err := writeFileAtomic(filepath.Join(l.dir, id+".md"), markdown, 0o600); err != nil {
		return err
	}
	// The JSON last: a listed report always has its Markdown.
	return writeFileAtomic(filepath.Join(l.dir, id+".json"), jsonDoc, 0o600)
}

func (l localReports) ReportIDs() ([]string, error) {
	ents, err := os.ReadDir(l.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func (l localReports) GetReport(id string) ([]byte, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("report %q: %w", id, os.ErrNotExist)
	}
	return os.ReadFile(filepath.Join(l.dir, id+".json"))
}

// reportStore returns where this working directory's reports live: the state backend
// when it implements ReportStore (pg), else .dialtone/reports beside the local state
// file (beside the working directory for another backend). A backend that cannot be
// opened gives a store whose every call fails with its error.
func reportStore(c *cli, cfg *config.Config) ReportStore {
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
			return failedReports{err}
		}
		if rs, ok := b.(ReportStore); ok {
			return rs
		}
	}
	return localReports{dir: filepath.Join(base, reportsDir)}
}

var _ ReportStore = (*pg.Backend)(nil)

// failedReports is the store of a backend that could not be opened.
type failedReports struct{ err error }

func (f failedReports) PutReport(string, []byte, []byte) error { return f.err }
func (f failedReports) ReportIDs() ([]string, error)           { return nil, f.err }
func (f failedReports) GetReport(string) ([]byte, error)       { return nil, f.err }

// saveReport stores a report in JSON and Markdown. Secrets are scrubbed first (a
// report carries error texts, which can quote anything).
func saveReport(c *cli, store ReportStore, rep *runReport) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	var md bytes.Buffer
	writeReportMarkdown(&md, rep)
	return store.PutReport(rep.ID, c.secrets.Scrub(buf.Bytes()), c.secrets.Scrub(md.Bytes()))
}

// loadReports reads every stored report, oldest first; damaged ones are skipped (and
// logged).
func loadReports(c *cli, store ReportStore) []*runReport {
	if all, ok := store.(interface {
		ReportDocs() ([]string, [][]byte, error)
	}); ok {
		// One round trip for them all (pg).
		ids, docs, err := all.ReportDocs()
		if err != nil {
			c.log.Warn("listing run reports", "error", err)
			return nil
		}
		var out []*runReport
		for i, doc := range docs {
			var rep runReport
			if err := json.Unmarshal(doc, &rep); err != nil {
				c.log.Warn("skipping a damaged run report", "id", ids[i], "error", err)
				continue
			}
			out = append(out, &rep)
		}
		return out
	}
	ids, err := store.ReportIDs()
	if err != nil {
		c.log.Warn("listing run reports", "error", err)
		return nil
	}
	var out []*runReport
	for _, id := range ids {
		rep, err := loadReport(store, id)
		if err != nil {
			c.log.Warn("skipping a damaged run report", "id", id, "error", err)
			continue
		}
		out = append(out, rep)
	}
	return out
}

func loadReport(store ReportStore, id string) (*runReport, error) {
	data, err := store.GetReport(id)
	if err != nil {
		return nil, err
	}
	var rep runReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	return &rep, nil
}
