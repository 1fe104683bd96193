package views

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/state"
)

// State is the view of the recorded state ("show" without a plan file, "state list",
// "state show ADDR"): a summary for people, or the state document itself.
type State interface {
	// Show prints the whole state read from path.
	Show(path string, st *state.State) error
}

// NewState returns the human or the JSON state view.
func NewState(s Streams, asJSON bool) State {
	if asJSON {
		return stateJSON{s}
	}
	return stateHuman{s}
}

type stateHuman struct{ s Streams }

func (h stateHuman) Show(path string, st *state.State) error {
	writeStateText(h.s.Out, path, st)
	return nil
}

// stateJSON prints the state document as stored, ending in a newline.
type stateJSON struct{ s Streams }

func (j stateJSON) Show(_ string, st *state.State) error {
	data, err := state.Encode(st)
	if err != nil {
		return fmt.Errorf("encoding the state: %w", err)
	}
	if _, err := j.s.Out.Write(data); err != nil {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		j.s.Out.Write([]byte("\n"))
	}
	return nil
}

// StateAddresses prints every address of the state, one a line ("state list").
func StateAddresses(s Streams, st *state.State) {
	var addrs []string
	for k := range st.Servers {
		addrs = append(addrs, "server."+k)
	}
	for k := range st.Databases {
		addrs = append(addrs, "database."+k)
	}
	for k := range st.Mailboxes {
		addrs = append(addrs, "mailbox."+k)
	}
	for k := range st.Recoveries {
		addrs = append(addrs, "recovery."+k)
	}
	for k := range st.RestoreRequests {
		addrs = append(addrs, "restore_request."+k)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		fmt.Fprintln(s.Out, a)
	}
}

// StateRecovery prints one recovery of the state ("state show recovery.NAME").
func StateRecovery(s Streams, r *state.Recovery) {
	stage := r.Stage
	if stage == "" {
		stage = "(not started)"
	}
	fmt.Fprintf(s.Out, "# recovery.%s\n  stage = %s\n", r.Name, stage)
	if len(r.CopyServers) > 0 {
		// What add_copies_back adds back, whatever became of the failed database's object.
		fmt.Fprintf(s.Out, "  copy_servers = %s\n", strings.Join(r.CopyServers, ", "))
	}
	fmt.Fprintf(s.Out, "  steps = %d finished\n", len(r.Steps))
	writeStepRecords(s.Out, r, "    ")
}

// StateObject prints one object of the state at addr ("state show ADDR") as
// "key = value" lines.
func StateObject(s Streams, addr string, obj any) error {
	fmt.Fprintf(s.Out, "# %s\n", addr)
	return writeAttrs(s.Out, obj)
}

// writeStateText prints a summary of the state: servers, databases with their status
// and mailbox counts, recoveries with their stage and finished steps (merge steps are
// counted, not listed).
func writeStateText(w io.Writer, path string, st *state.State) {
	fmt.Fprintf(w, "State %s: lineage %s, serial %d\n", path, st.Lineage, st.Serial)

	fmt.Fprintf(w, "\nServers (%d):\n", len(st.Servers))
	for _, name := range slices.Sorted(maps.Keys(st.Servers)) {
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
	for _, name := range slices.Sorted(maps.Keys(st.Databases)) {
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
	for _, name := range slices.Sorted(maps.Keys(st.Recoveries)) {
		r := st.Recoveries[name]
		stage := r.Stage
		if stage == "" {
			stage = "(not started)"
		}
		fmt.Fprintf(w, "  recovery.%s: stage %s, %d steps finished\n", r.Name, stage, len(r.Steps))
		writeStepRecords(w, r, "    ")
	}
	if len(st.RestoreRequests) > 0 {
		fmt.Fprintf(w, "\nRestore requests: %d\n", len(st.RestoreRequests))
	}
}

// writeStepRecords lists a recovery's finished steps in the order they finished;
// merge steps are summarised in one line.
func writeStepRecords(w io.Writer, r *state.Recovery, indent string) {
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
			fmt.Fprintf(w, "%s%s: %s by %s at %s\n", indent, s.ID, s.Result, s.ConfirmedBy, s.Finished.UTC().Format(time.RFC3339))
			continue
		}
		fmt.Fprintf(w, "%s%s: %s\n", indent, s.ID, s.Result)
	}
	if merges > 0 {
		fmt.Fprintf(w, "%s%d merge steps finished (%d skipped)\n", indent, merges, mergeSkipped)
	}
}

// writeAttrs prints an object's attributes as "key = value" lines, sorted by key,
// from its JSON form.
func writeAttrs(w io.Writer, v any) error {
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
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(w, "  %-*s = %s\n", width, k, m[k])
	}
	return nil
}
