package views

import "fmt"

// The views of the commands that print one line.

// Version is the view of "dialtone version" (and -version).
func Version(s Streams, version, goos, goarch string) {
	fmt.Fprintf(s.Out, "dialtone %s\non %s_%s\n", version, goos, goarch)
}

// Unlocked is the view of "dialtone force-unlock": the lock on the state at path is gone.
func Unlocked(s Streams, path string) {
	fmt.Fprintf(s.Out, "The state %s has been unlocked.\n", path)
}
