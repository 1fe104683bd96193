package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdForgePlan is "forgeplan FILE STEP FIELD=VALUE...": an attacker's edit of a saved
// plan. It sets the operation fields of step STEP (1-based, or "merges" for every
// merge_mailbox step; an empty VALUE removes the field), leaves the step's summary and
// command lines as they were, and seals the file again with a valid SHA-256, as anyone
// can.
func cmdForgePlan(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: forgeplan FILE STEP FIELD=VALUE...")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	if err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
	var plan map[string]any
	dec := json.NewDecoder(bytes.NewReader(env["plan"]))
	dec.UseNumber()
	if err := dec.Decode(&plan); err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
	steps, _ := plan["steps"].([]any)
	forged := 0
	for i, s := range steps {
		step := s.(map[string]any)
		op := step["operation"].(map[string]any)
		if args[1] == "merges" {
			if op["kind"] != "merge_mailbox" {
				continue
			}
		} else if n, err := strconv.Atoi(args[1]); err != nil || n != i+1 {
			continue
		}
		for _, kv := range args[2:] {
			k, v, _ := strings.Cut(kv, "=")
			if v == "" {
				delete(op, k)
			} else {
				op[k] = v
			}
		}
		forged++
	}
	if forged == 0 {
		ts.Fatalf("forgeplan: no step %s", args[1])
	}
	body, err := json.Marshal(plan)
	if err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
	sum := sha256.Sum256(body)
	env["plan"] = body
	env["checksum"], _ = json.Marshal("sha256:" + hex.EncodeToString(sum[:]))
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o600); err != nil {
		ts.Fatalf("forgeplan: %v", err)
	}
}

// cmdForgeJournal is "forgejournal STATEFILE CHANGES": an attacker's journal record.
// It appends to STATEFILE.journal one record holding CHANGES (a JSON array of state
// changes), made against the lineage and serial of STATEFILE and sealed with a valid
// CRC32, exactly as apply writes one.
func cmdForgeJournal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: forgejournal STATEFILE CHANGES")
	}
	var st struct {
		Lineage string `json:"lineage"`
		Serial  uint64 `json:"serial"`
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &st); err != nil {
		ts.Fatalf("forgejournal: %v", err)
	}
	var changes json.RawMessage
	if err := json.Unmarshal([]byte(args[1]), &changes); err != nil {
		ts.Fatalf("forgejournal: CHANGES: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, changes); err != nil {
		ts.Fatalf("forgejournal: %v", err)
	}
	line, err := json.Marshal(struct {
		Lineage string          `json:"lineage"`
		Serial  uint64          `json:"serial"`
		Changes json.RawMessage `json:"changes"`
		CRC32   uint32          `json:"crc32"`
	}{st.Lineage, st.Serial, compact.Bytes(), crc32.ChecksumIEEE(compact.Bytes())})
	if err != nil {
		ts.Fatalf("forgejournal: %v", err)
	}
	f, err := os.OpenFile(ts.MkAbs(args[0])+".journal", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		ts.Fatalf("forgejournal: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		ts.Fatalf("forgejournal: %v", err)
	}
}

// cmdUnseal is "unseal STATEFILE": the state file with its checksum line removed, as an
// attacker (or an admin editing by hand) leaves it.
func cmdUnseal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unseal STATEFILE")
	}
	var out []string
	removed := false
	for _, l := range strings.SplitAfter(ts.ReadFile(args[0]), "\n") {
		if strings.HasPrefix(l, `  "checksum": "`) {
			removed = true
			continue
		}
		out = append(out, l)
	}
	if !removed {
		ts.Fatalf("unseal: %s has no checksum line", args[0])
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(out, "")), 0o600); err != nil {
		ts.Fatalf("unseal: %v", err)
	}
}
