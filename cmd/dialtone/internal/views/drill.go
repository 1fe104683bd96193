package views

import "fmt"

// The last lines of "dialtone drill" (the drill's own progress is written by its engine,
// internal/drill, as it runs).

// DrillKept says where the drill's lab and state are kept: after a failure, for
// inspection, or with -keep.
func DrillKept(s Streams, work string, failed bool) {
	if failed {
		fmt.Fprintf(s.Out, "\nThe drill's lab and state are kept in %s for inspection.\n", work)
		return
	}
	fmt.Fprintf(s.Out, "\nThe drill's lab and state are kept in %s.\n", work)
}

// DrillReport names the drill's run report, or warns (err) that it could not be written.
func DrillReport(s Streams, id string, err error) {
	if err != nil {
		fmt.Fprintf(s.Err, "%s the drill's run report could not be written: %v\n", s.paint(yellow, "Warning:"), err)
		return
	}
	fmt.Fprintf(s.Out, "\nRun report: dialtone report %s\n", id)
}
