package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dialtone/dialtone/config/limits"
	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/atomicfile"
)

// planFileKind marks a dialtone plan file, so that a state file or any other JSON
// handed to apply is recognised as "not a plan file".
const planFileKind = "dialtone-plan"

// planFile is the on-disk envelope of a saved plan. Checksum is the SHA-256 of the
// compact JSON of Plan, so that a truncated or hand-edited plan is refused rather
// than applied.
type planFile struct {
	FormatVersion int             `json:"format_version"`
	Kind          string          `json:"kind"`
	Checksum      string          `json:"checksum"`
	Plan          json.RawMessage `json:"plan"`
}

// WritePlanFile saves p at path: versioned JSON, written atomically (the old file or
// the whole new one after a crash), readable by the owner only (0600).
func WritePlanFile(path string, p *Plan) error {
	if p == nil {
		return errors.New("no plan to write")
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	sum := sha256.Sum256(body)
	doc, err := json.MarshalIndent(planFile{
		FormatVersion: PlanFormatVersion,
		Kind:          planFileKind,
		Checksum:      "sha256:" + hex.EncodeToString(sum[:]),
		Plan:          body,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	doc = append(doc, '\n')

	if err := atomicfile.WriteFile(path, doc, 0o600); err != nil {
		return fmt.Errorf("writing the plan file %s: %w", path, err)
	}
	return nil
}

// ReadPlanFile loads a plan saved by WritePlanFile. It tells apart a file that is not
// a plan file, one written by a newer dialtone, and a damaged one (truncated, edited,
// checksum mismatch); it never panics on any input.
//
// A plan file larger than opts.MaxBytes is refused before it is read, with a
// *state.LimitError naming DIALTONE_MAX_PLAN_BYTES.
func ReadPlanFile(path string, opts ReadPlanOptions) (*Plan, error) {
	limit := limits.Or(opts.MaxBytes, DefaultMaxPlanBytes)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, &state.LimitError{What: fmt.Sprintf("plan file %s", path), Size: fi.Size(), Limit: limit, Env: EnvMaxPlanBytes}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &state.LimitError{What: fmt.Sprintf("plan file %s", path), Size: int64(len(data)), Limit: limit, Env: EnvMaxPlanBytes}
	}
	return decodePlanFile(data)
}

// ReadPlanOptions are the settings of ReadPlanFile.
type ReadPlanOptions struct {
	// MaxBytes is the largest plan file read; zero is DefaultMaxPlanBytes. The command
	// line sets it from EnvMaxPlanBytes.
	MaxBytes int64
}

// EnvMaxPlanBytes sets the largest plan file the command line reads (a number of bytes,
// or with a KiB, MiB or GiB suffix); DefaultMaxPlanBytes when unset.
const EnvMaxPlanBytes = "DIALTONE_MAX_PLAN_BYTES"

// DefaultMaxPlanBytes is 2 GiB: a plan file holds about 1.4 KB per mailbox it merges
// back, so 500,000 mailboxes make about 700 MB.
const DefaultMaxPlanBytes = 2 << 30

func decodePlanFile(data []byte) (*Plan, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("not a plan file: it is empty")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("not a plan file: it is not a JSON document")
	}
	var probe struct {
		FormatVersion *int   `json:"format_version"`
		Kind          string `json:"kind"`
		Lineage       string `json:"lineage"`
	}
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, fmt.Errorf("the plan file is damaged (invalid JSON: %v)", err)
	}
	if probe.Kind != planFileKind {
		if probe.Lineage != "" {
			return nil, errors.New("not a plan file: it looks like a state file")
		}
		return nil, errors.New("not a plan file: it has no \"kind\": \"dialtone-plan\"")
	}
	switch {
	case probe.FormatVersion == nil || *probe.FormatVersion < 1:
		return nil, errors.New("the plan file is damaged: it has no valid format_version")
	case *probe.FormatVersion > PlanFormatVersion:
		return nil, fmt.Errorf("the plan file has format_version %d, newer than this dialtone reads (%d): apply it with the dialtone that made it, or plan again",
			*probe.FormatVersion, PlanFormatVersion)
	}
	var f planFile
	if err := json.Unmarshal(trimmed, &f); err != nil {
		return nil, fmt.Errorf("the plan file is damaged: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, f.Plan); err != nil || compact.Len() == 0 {
		return nil, errors.New("the plan file is damaged: it holds no plan")
	}
	sum := sha256.Sum256(compact.Bytes())
	if f.Checksum != "sha256:"+hex.EncodeToString(sum[:]) {
		return nil, errors.New("the plan file is damaged: its checksum does not match (edited or truncated)")
	}
	var p Plan
	if err := json.Unmarshal(compact.Bytes(), &p); err != nil {
		return nil, fmt.Errorf("the plan file is damaged: %v", err)
	}
	if p.FormatVersion != *probe.FormatVersion {
		return nil, fmt.Errorf("the plan file is damaged: envelope format_version %d, plan format_version %d", *probe.FormatVersion, p.FormatVersion)
	}
	seen := make(map[string]bool, len(p.Steps))
	for i, s := range p.Steps {
		if s == nil || s.ID == "" || s.Operation.Kind == "" {
			return nil, fmt.Errorf("the plan file is damaged: step %d is incomplete", i+1)
		}
		if seen[s.ID] {
			return nil, fmt.Errorf("the plan file is damaged: step %s appears twice", s.ID)
		}
		seen[s.ID] = true
	}
	return &p, nil
}
