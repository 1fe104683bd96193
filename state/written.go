package state

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/config/winpath"
)

// Written is one thing dialtone wrote on a server, recorded in the state by the step
// that wrote it, in the same journal record as the step's completion. Clean-up deletes
// nothing else: a file dialtone did not write, or a folder it did not create, stays.
type Written struct {
	Server string `json:"server"`
	// Path is the Windows path as the operation named it.
	Path string `json:"path"`
	Kind string `json:"kind"` // WrittenFile, WrittenFolder or WrittenLogStream
	// Prefix is the log prefix (E00, E01, ...) of a WrittenLogStream.
	Prefix string `json:"prefix,omitempty"`
	// Step is the ID of the step that wrote it.
	Step string `json:"step,omitempty"`
}

// The kinds of Written.
const (
	// WrittenFile is a file dialtone wrote: copied, moved or restored there.
	WrittenFile = "file"
	// WrittenFolder is a folder dialtone created: it did not exist before the step.
	WrittenFolder = "folder"
	// WrittenLogStream is the log stream (the files Prefix*.log, Prefix.chk, Prefix*.jrs,
	// PrefixRes*.jrs, PrefixTmp.log) in the folder Path of a database dialtone created:
	// Exchange writes its generations there for as long as the database runs.
	WrittenLogStream = "log_stream"
)

// Key is the map key of w in State.Written: the server, the kind and the path in the
// form Windows resolves (winpath.Canon; upper case when the path cannot be compared).
func (w Written) Key() string {
	p, err := winpath.Canon(w.Path)
	if err != nil {
		p = strings.ToUpper(w.Path)
	}
	return strings.ToUpper(w.Server) + "|" + w.Kind + "|" + p
}

// WrittenOn returns the records of server, in key order.
func (s *State) WrittenOn(server string) []Written {
	var out []Written
	for _, k := range sortedKeys(s.Written) {
		if w := s.Written[k]; w != nil && strings.EqualFold(w.Server, server) {
			out = append(out, *w)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]*V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkWritten checks that every record is whole and filed under its own key.
func (s *State) checkWritten() error {
	for _, k := range sortedKeys(s.Written) {
		w := s.Written[k]
		switch {
		case w == nil:
			return fmt.Errorf("written[%q] is null", k)
		case w.Server == "" || w.Path == "":
			return fmt.Errorf("written[%q] has no server or no path", k)
		case w.Kind != WrittenFile && w.Kind != WrittenFolder && w.Kind != WrittenLogStream:
			return fmt.Errorf("written[%q] has kind %q; want %q, %q or %q", k, w.Kind, WrittenFile, WrittenFolder, WrittenLogStream)
		case w.Key() != k:
			return fmt.Errorf("written[%q] is filed under the wrong key; want %q", k, w.Key())
		}
	}
	return nil
}
