package runreport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/state"
	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/state/atomicfile"
)

// Store keeps run reports: a state backend that keeps them with the state (see
// state.ReportStore, which pg implements), or the local folder beside the state (Local).
type Store = state.ReportStore

// Dir is where local reports live, relative to the state file's folder.
const Dir = ".dialtone/reports"

// Local keeps reports as <Dir>/<id>.json and <id>.md, 0600 files in 0700 folders,
// each written atomically.
type Local struct{ Dir string }

var _ Store = Local{}

func (l Local) PutReport(_ context.Context, id string, jsonDoc, markdown []byte) error {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return err
	}
	// Both folders of .dialtone/reports are private, also when they existed.
	_ = os.Chmod(l.Dir, 0o700)
	_ = os.Chmod(filepath.Dir(l.Dir), 0o700)
	if err := atomicfile.WriteFile(filepath.Join(l.Dir, id+".md"), markdown, 0o600); err != nil {
		return err
	}
	// The JSON last: a listed report always has its Markdown.
	return atomicfile.WriteFile(filepath.Join(l.Dir, id+".json"), jsonDoc, 0o600)
}

func (l Local) ReportIDs(context.Context) ([]string, error) {
	ents, err := os.ReadDir(l.Dir)
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

func (l Local) GetReport(_ context.Context, id string) ([]byte, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("report %q: %w", id, os.ErrNotExist)
	}
	return os.ReadFile(filepath.Join(l.Dir, id+".json"))
}

// Failed is the store of a backend that could not be opened: every call fails with Err.
type Failed struct{ Err error }

func (f Failed) PutReport(context.Context, string, []byte, []byte) error { return f.Err }
func (f Failed) ReportIDs(context.Context) ([]string, error)             { return nil, f.Err }
func (f Failed) GetReport(context.Context, string) ([]byte, error)       { return nil, f.Err }

// Save stores a report in JSON and Markdown, both passed through scrub first (a report
// carries error texts, which can quote anything, secrets included). The store records
// an interrupted run too: ctx's cancellation does not stop it (see state.ReportStore).
func Save(ctx context.Context, store Store, rep *Report, scrub func([]byte) []byte) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	var md bytes.Buffer
	WriteMarkdown(&md, rep)
	return store.PutReport(ctx, rep.ID, scrub(buf.Bytes()), scrub(md.Bytes()))
}

// LoadAll reads every stored report, oldest first; damaged ones are skipped (and
// logged).
func LoadAll(ctx context.Context, store Store, log hclog.Logger) []*Report {
	if all, ok := store.(state.ReportLister); ok {
		// One round trip for them all (pg).
		ids, docs, err := all.ReportDocs(ctx)
		if err != nil {
			log.Warn("listing run reports", "error", err)
			return nil
		}
		var out []*Report
		for i, doc := range docs {
			var rep Report
			if err := json.Unmarshal(doc, &rep); err != nil {
				log.Warn("skipping a damaged run report", "id", ids[i], "error", err)
				continue
			}
			out = append(out, &rep)
		}
		return out
	}
	ids, err := store.ReportIDs(ctx)
	if err != nil {
		log.Warn("listing run reports", "error", err)
		return nil
	}
	var out []*Report
	for _, id := range ids {
		rep, err := Load(ctx, store, id)
		if err != nil {
			log.Warn("skipping a damaged run report", "id", id, "error", err)
			continue
		}
		out = append(out, rep)
	}
	return out
}

// Load reads one report.
func Load(ctx context.Context, store Store, id string) (*Report, error) {
	data, err := store.GetReport(ctx, id)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	return &rep, nil
}

// Latest is the ID of the run that started last. IDs sort by their second; runs
// started in the same second (a pause, a confirm and the next apply) are told apart by
// their recorded start.
func Latest(ctx context.Context, store Store, ids []string) string {
	last := ids[len(ids)-1]
	stamp, _, _ := strings.Cut(last, "-")
	var best *Report
	for i := len(ids) - 1; i >= 0 && strings.HasPrefix(ids[i], stamp+"-"); i-- {
		rep, err := Load(ctx, store, ids[i])
		if err == nil && (best == nil || rep.Started.After(best.Started)) {
			best = rep
		}
	}
	if best == nil {
		return last
	}
	return best.ID
}
