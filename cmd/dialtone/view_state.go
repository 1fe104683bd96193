package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/state"
)

// sortedKeys returns the keys of a map in order, so output never depends on map order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeStateText prints a summary of the state: servers, databases with their status
// and mailbox counts, recoveries with their stage and finished steps (merge steps are
// counted, not listed).
func writeStateText(c *cli, path string, st *state.State) {
	w := c.stdout
	fmt.Fprintf(w, "State %s: lineage %s, serial %d\n", path, st.Lineage, st.Serial)

	fmt.Fprintf(w, "\nServers (%d):\n", len(st.Servers))
	for _, name := range sortedKeys(st.Servers) {
		s := st.Servers[name]
		up := "up"
		if !s.Up {
			up = "down"
		}
		fmt.Fprintf(w, "  %-10s site %s, %s, %s, %s\n", s.Name, s.Site, s.Edition, s.Version, up)
	}

	perDB := map[string]int{}
	for _, m := range st.Mailboxes {
		perDB[m.Database]++
	}
	fmt.Fprintf(w, "\nDatabases (%d):\n", len(st.Databases))
	for _, name := range sortedKeys(st.Databases) {
		d := st.Databases[name]
		var flags []string
		if d.Recovery {
			flags = append(flags, "recovery database")
		}
		flags = append(flags, map[bool]string{true: "mounted", false: "dismounted"}[d.Mounted])
		// A mounted database's file is always in Dirty Shutdown (ESE holds it open):
		// saying so of every mounted database read like damage. The shutdown state
		// tells something only of a dismounted database whose files are there.
		if !d.Mounted && d.FilesOK {
			flags = append(flags, map[bool]string{true: "clean shutdown", false: "dirty shutdown"}[d.Clean])
		}
		if !d.FilesOK {
			flags = append(flags, "files missing or damaged")
		}
		if d.AllowFileRestore {
			flags = append(flags, "AllowFileRestore")
		}
		fmt.Fprintf(w, "  %-10s on %-8s %-45s %d mailboxes\n", d.Name, d.Server, strings.Join(flags, ", "), perDB[d.Name])
	}
	fmt.Fprintf(w, "\nMailboxes: %d\n", len(st.Mailboxes))

	fmt.Fprintf(w, "\nRecoveries (%d):\n", len(st.Recoveries))
	for _, name := range sortedKeys(st.Recoveries) {
		r := st.Recoveries[name]
		stage := r.Stage
		if stage == "" {
			stage = "(not started)"
		}
		fmt.Fprintf(w, "  recovery.%s: stage %s, %d steps finished\n", r.Name, stage, len(r.Steps))
		writeStepRecords(c, r, "    ")
	}
	if len(st.RestoreRequests) > 0 {
		fmt.Fprintf(w, "\nRestore requests: %d\n", len(st.RestoreRequests))
	}
}

// writeStepRecords lists a recovery's finished steps in the order they finished;
// merge steps are summarised in one line.
func writeStepRecords(c *cli, r *state.Recovery, indent string) {
	recs := make([]*state.StepRecord, 0, len(r.Steps))
	merges, mergeSkipped := 0, 0
	for _, s := range r.Steps {
		if strings.Contains(s.ID, ".merge[") {
			merges++
			if s.Result == "skipped" {
				mergeSkipped++
			}
			continue
		}
		recs = append(recs, s)
	}
	sort.Slice(recs, func(i, j int) bool {
		if !recs[i].Finished.Equal(recs[j].Finished) {
			return recs[i].Finished.Before(recs[j].Finished)
		}
		return recs[i].ID < recs[j].ID
	})
	for _, s := range recs {
		if s.ConfirmedBy != "" {
			fmt.Fprintf(c.stdout, "%s%s: %s by %s at %s\n", indent, s.ID, s.Result, s.ConfirmedBy, s.Finished.UTC().Format(time.RFC3339))
			continue
		}
		fmt.Fprintf(c.stdout, "%s%s: %s\n", indent, s.ID, s.Result)
	}
	if merges > 0 {
		fmt.Fprintf(c.stdout, "%s%d merge steps finished (%d skipped)\n", indent, merges, mergeSkipped)
	}
}

// writeAttrs prints an object's attributes as "key = value" lines, sorted by key,
// from its JSON form.
func writeAttrs(c *cli, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	width := 0
	for k := range m {
		width = max(width, len(k))
	}
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(c.stdout, "  %-*s = %s\n", width, k, m[k])
	}
	return nil
}
