// Package durfmt formats durations the way dialtone's output shows them: apply lines,
// the drill's tables, people's summaries and run reports.
package durfmt

import (
	"fmt"
	"time"
)

// Short is a duration as apply lines show it: "0.1s".
func Short(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// Fine is a duration for the drill's tables, where lab steps take milliseconds.
func Fine(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// Human is a duration for people: "45s", "12m30s", "2h05m".
func Human(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Measured is a measured duration: milliseconds below a second (lab steps), else
// minutes and seconds.
func Measured(d time.Duration) string {
	if d < time.Second {
		return Fine(d)
	}
	return Human(d)
}

// MS is d in whole milliseconds (the JSON documents' unit).
func MS(d time.Duration) int64 { return d.Milliseconds() }

// FromMS is the duration of v milliseconds.
func FromMS(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
