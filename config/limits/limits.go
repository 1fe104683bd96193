// Package limits parses the values of the DIALTONE_MAX_* variables (the command line
// reads them; the packages take the results as options), so that every limit
// (configuration, state, journal, plan file, the lab's files) takes the same syntax: a
// positive whole number, optionally followed by KiB, MiB or GiB. Each caller keeps its
// own wording for a bad value (a diagnostic for the configuration, an error elsewhere).
package limits

import (
	"strconv"
	"strings"
)

// Or is the limit v in force: v, or def when v is zero or less (not set). Each package's
// limits option leaves a field zero for its default.
func Or(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// Parse reads a limit (surrounding space ignored). ok is false when raw is not a
// positive whole number with an optional KiB, MiB or GiB suffix, or when the result
// does not fit comfortably in an int64.
func Parse(raw string) (n int64, ok bool) {
	v, mult := strings.TrimSpace(raw), int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, false
	}
	return n * mult, true
}
