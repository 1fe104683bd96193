package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
