package views

import "fmt"

// Init is the view of "dialtone init": what it found and did with the backend.
type Init struct{ s Streams }

// NewInit returns the init view (human only).
func NewInit(s Streams) Init { return Init{s} }

// Reconfigured says the backend changed from prev to now and -reconfigure starts on
// the new one, leaving the old state alone.
func (v Init) Reconfigured(prev, now string) {
	fmt.Fprintf(v.s.Out, "Backend changed from %s to %s: using the new backend as it is (-reconfigure); the state in %s is left alone.\n", prev, now, prev)
}

// NothingToMigrate answers -migrate-state when the backend did not change.
func (v Init) NothingToMigrate(now string) {
	fmt.Fprintf(v.s.Out, "Backend unchanged (%s): nothing to migrate.\n", now)
}

// StateExists says the backend already holds a state.
func (v Init) StateExists(backend, path, lineage string, serial uint64) {
	fmt.Fprintf(v.s.Out, "Backend %q: state %s exists (lineage %s, serial %d); nothing to do.\n", backend, path, lineage, serial)
}

// StateCreated says init wrote an empty state.
func (v Init) StateCreated(backend, path, lineage string) {
	fmt.Fprintf(v.s.Out, "Backend %q: created an empty state at %s (lineage %s).\n", backend, path, lineage)
}

// Initialized is init's last line.
func (v Init) Initialized() {
	fmt.Fprintln(v.s.Out, v.s.paint(green, "dialtone has been successfully initialized!"))
}
