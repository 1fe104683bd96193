package render

import (
	"strings"
)

func longestRun(s string, c byte) int {
	most, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			most = max(most, run)
		} else {
			run = 0
		}
	}
	return most
}

// mdCode is s as an inline code span (cleaned of control characters); inCell escapes
// "|" for a table cell, where GitHub splits cells even inside code.
func mdCode(s string, inCell bool) string {
	s = clean(s)
	if inCell {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || ticks != "`" {
		return ticks + " " + s + " " + ticks
	}
	return ticks + s + ticks
}

// mdText escapes s (cleaned of control characters) so that it reads as plain text in
// Markdown: no emphasis, links, HTML or table cells can come out of a name. A
// backslash is escaped only before punctuation, so Windows paths stay readable.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '_':
			// Inside a word (same_server) an underscore is never emphasis.
			if i == 0 || i+1 == len(s) || !isWordByte(s[i-1]) || !isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case '*', '`', '[', ']', '|', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\\':
			if i+1 == len(s) || isPunct(s[i+1]) {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// MarkdownText is mdText for the other writers of Markdown (the run report): one
// escaper for every Markdown dialtone writes.
func MarkdownText(s string) string { return mdText(s) }

// mdCell is mdText for a table cell.
func mdCell(s string) string { return mdText(s) }

// mdLineStart escapes what would make an escaped text start a list, quote or heading
// when it begins a line.
func mdLineStart(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=':
		return `\` + s
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
