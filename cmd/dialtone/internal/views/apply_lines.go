package views

import "fmt"

// Apply's lines outside the walk: before its plan is known (a resumed run), at the
// approval, and after it (the run report).

// ApplyResuming says an interrupted apply's journal held n finished steps, replayed.
func ApplyResuming(s Streams, n int) {
	fmt.Fprintf(s.Out, "Resuming: %d finished steps replayed from the journal of an interrupted apply.\n\n", n)
}

// ApprovalPrompt asks for "yes" before apply changes anything.
func ApprovalPrompt(s Streams) {
	fmt.Fprint(s.Out, "\nDo you want to perform these actions? Only 'yes' will be accepted: ")
}

// ApplyCancelled answers anything but "yes".
func ApplyCancelled(s Streams) { fmt.Fprintln(s.Out, "\nApply cancelled. Nothing was changed.") }

// RunReportNotWritten warns that the run's report could not be written (err); the run
// itself stands.
func RunReportNotWritten(s Streams, err error) {
	fmt.Fprintf(s.Err, "%s the run report could not be written: %v\n", s.paint(yellow, "Warning:"), err)
}
