package config

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Invisible and direction-changing characters make a name read as something else in a
// review: U+202E turns "DB01‮moc.lab" around, a zero-width space makes two names that
// look the same, and GitHub shows them as they are. Exchange names, Windows paths and
// addresses never need one, so every string value and block name is refused with one,
// the diagnostic naming the code point and where it is (never echoing the value, which
// may be sensitive).

// invisibleRune reports whether r is a bidirectional control (U+061C, U+200E/F,
// U+202A-U+202E, U+2066-U+2069) or an invisible formatting character (zero-width space,
// joiners, word joiner and the invisible operators U+2060-U+2064, the byte order mark,
// the soft hyphen, U+180E, U+115F/U+1160/U+3164/U+FFA0 fillers).
func invisibleRune(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E,
		r >= 0x2066 && r <= 0x2069,
		r >= 0x200B && r <= 0x200D,
		r >= 0x2060 && r <= 0x2064,
		r == 0xFEFF, r == 0x00AD, r == 0x180E,
		r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		return true
	}
	return false
}

// invisibleProblem says which invisible character s holds first and at which
// character, "" when none.
func invisibleProblem(s string) string {
	i := 0
	for _, r := range s {
		i++
		if invisibleRune(r) {
			kind := "an invisible character"
			if r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				kind = "a bidirectional control character"
			}
			return fmt.Sprintf("%s (U+%04X) at character %d of %d", kind, r, i, utf8.RuneCountInString(s))
		}
	}
	return ""
}

// checkInvisible refuses a value (what: "the name of this server block", "the value of
// name") holding an invisible or direction-changing character, at rng.
func checkInvisible(s string, rng hcl.Range, what string) hcl.Diagnostics {
	p := invisibleProblem(s)
	if p == "" {
		return nil
	}
	return hcl.Diagnostics{errorAt(rng, "Invisible or direction-changing character",
		"%s holds %s. Such characters make a name read differently in a review (a plan comment shows them as they are), and no Exchange name, Windows path or address needs one. Retype it without it.",
		what, p)}
}
