// Package ansi holds the terminal colours of dialtone's human output, used only
// through Paint, which drops them when colour is off.
package ansi

const (
	Red    = "\x1b[31m"
	Green  = "\x1b[32m"
	Yellow = "\x1b[33m"
	Bold   = "\x1b[1m"
	Reset  = "\x1b[0m"
)

// Paint is s in the colour code when on, s itself otherwise.
func Paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + Reset
}
