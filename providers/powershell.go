package providers

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PSQuote returns s as one single-quoted PowerShell literal. Inside single quotes
// PowerShell expands nothing ($(...), backticks and ; are plain text); the only way out
// is a quote, and PowerShell counts the typographic single quotes U+2018, U+2019, U+201A
// and U+201B as quotes too, so every one of them is doubled. Providers that build command
// lines (providers/exchange), the plan's command lines (planner) and the PowerShell
// runbook (planner/render) all quote with it.
func PSQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// PSCheckValue refuses a value that must not reach a PowerShell command line even as a
// quoted literal: control characters and line breaks (a line break would end a request
// of a line-based protocol, and no Exchange name or Windows path holds one). field names
// the value in the error ("database name", "EdbFilePath").
func PSCheckValue(field, s string) error {
	for i, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == '\u0085' ||
			(unicode.Is(unicode.Cc, r)) {
			return fmt.Errorf("%s %q holds a control character or line break (at byte %d); refusing to put it on a PowerShell command line", field, s, i)
		}
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", field, s)
	}
	return nil
}

// PSQuota writes a quota given in bytes (decimal) as a ByteQuantifiedSize argument in
// the largest unit that holds it exactly ("10GB", "2355MB", "1000B"), and "Unlimited"
// as is: the plan's command lines and the Exchange provider write quotas alike. ok is
// false for anything else.
func PSQuota(v string) (string, bool) {
	if strings.EqualFold(v, "Unlimited") {
		return "Unlimited", true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return "", false
	}
	for _, u := range []struct {
		name string
		size int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name, true
		}
	}
	return strconv.FormatInt(n, 10) + "B", true
}
