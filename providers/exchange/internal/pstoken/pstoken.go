// Package pstoken tokenizes the subset of PowerShell the Exchange provider emits: the
// tokenizer of the PowerShell test double (internal/fakeshell), importable so that the
// provider's property tests check a quoted literal exactly as the double reads it.
//
// Single-quoted literals (any of the five single quotes; a doubled quote is one quote),
// $variables ($true, $false, $null, $env:NAME, $_ with .Member), numbers, -Parameters
// (with -Param:value), barewords, commas, parentheses, braces, @{, =, [type] literals,
// pipes and semicolons, and one form of double-quoted string (Expand): constant text
// naming variables, as an OPATH filter names a variable in Microsoft's documentation,
// with a variable either as $name or with its single quotes doubled (QuoteEscapeRE).
// The provider writes such a string only from constants, never with a value in it, so
// one without a variable is an error: a value is always single-quoted. Everything else
// (other double-quoted strings: with a backtick, another $(...), ${...} or a double
// quote inside; backticks, comments, control characters, $(...), a lone @) is an error.
package pstoken

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Kind is a token's kind.
type Kind int

const (
	EOF Kind = iota
	String
	Number
	Var     // $name (text: name, lower-cased for $true/$false/$null)
	Member  // .Name after a variable
	Param   // -Name (text: Name); colon: -Name:
	Bare    // bareword
	Pipe    // |
	Semi    // ;
	Comma   // ,
	LParen  // (
	RParen  // )
	LBrace  // {
	RBrace  // }
	AtBrace // @{
	Assign  // =
	TypeLit // [string]
	Expand  // "text with $name": its text between the quotes, as written
)

// Token is one token: its kind, its text (a string literal's value with doubled
// quotes made single; a variable's or parameter's name), whether a parameter ends
// with a colon, and its position in runes.
type Token struct {
	Kind  Kind
	Text  string
	Colon bool // -Param:
	Pos   int
}

// QuoteEscapeRE matches, at the start of a string, the one subexpression a
// double-quoted string may hold: a variable's value with each single quote doubled,
// as Microsoft's recipient filter documentation writes a variable inside a filter's
// quoted value:
//
//	$($name -replace "'","''")
//
// Group 1 is the name.
var QuoteEscapeRE = regexp.MustCompile(`^\$\(\$([A-Za-z_][A-Za-z0-9_]*) -replace "'","''"\)`)

// IsQuote reports whether r is one of the five characters PowerShell reads as a single
// quote.
func IsQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
}

// isDQuote reports whether r is one of the four characters PowerShell reads as a
// double quote.
func isDQuote(r rune) bool { return r == '"' || r == '\u201C' || r == '\u201D' || r == '\u201E' }

func isBareRune(r rune) bool {
	if unicode.IsSpace(r) || IsQuote(r) || isDQuote(r) {
		return false
	}
	switch r {
	case '|', ';', ',', '(', ')', '{', '}', '$', '=', '"', '`', '#', '@', '[', ']', '<', '>', '&':
		return false
	}
	return r >= 0x20
}

// Tokenize splits s into tokens, ending with an EOF token.
func Tokenize(s string) ([]Token, error) {
	rs := []rune(s)
	var out []Token
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			i++
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return nil, fmt.Errorf("control character U+%04X at %d", r, i)
		case IsQuote(r):
			start := i
			var b strings.Builder
			closed := false
			for i++; i < len(rs); i++ {
				if IsQuote(rs[i]) {
					if i+1 < len(rs) && IsQuote(rs[i+1]) {
						b.WriteRune(rs[i])
						i++
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteRune(rs[i])
			}
			if !closed {
				return nil, fmt.Errorf("unterminated single-quoted string at %d", start)
			}
			out = append(out, Token{Kind: String, Text: b.String(), Pos: start})
		case isDQuote(r):
			start := i
			closed := false
			for i++; i < len(rs); i++ {
				c := rs[i]
				if c == '$' {
					if m := QuoteEscapeRE.FindString(string(rs[i:])); m != "" {
						i += len([]rune(m)) - 1
						continue
					}
					if i+1 >= len(rs) || !(unicode.IsLetter(rs[i+1]) || rs[i+1] == '_') {
						return nil, fmt.Errorf("double-quoted string at %d: '$' at %d is neither a $name variable nor $($name -replace \"'\",\"''\")", start, i)
					}
				}
				if isDQuote(c) {
					closed = true
					break
				}
				if c == '`' || c < 0x20 || c == 0x7f {
					return nil, fmt.Errorf("double-quoted string at %d holds %q: only constant text with $name variables is in the subset", start, c)
				}
			}
			if !closed {
				return nil, fmt.Errorf("unterminated double-quoted string at %d", start)
			}
			if !strings.ContainsRune(string(rs[start+1:i]), '$') {
				return nil, fmt.Errorf("double-quoted string at %d names no variable: a value must be single-quoted", start)
			}
			out = append(out, Token{Kind: Expand, Text: string(rs[start+1 : i]), Pos: start})
			i++
		case r == '`':
			return nil, fmt.Errorf("backtick at %d: escapes are not in the subset", i)
		case r == '#':
			return nil, fmt.Errorf("comment at %d: not in the subset", i)
		case r == '|':
			out = append(out, Token{Kind: Pipe, Pos: i})
			i++
		case r == ';':
			out = append(out, Token{Kind: Semi, Pos: i})
			i++
		case r == ',':
			out = append(out, Token{Kind: Comma, Pos: i})
			i++
		case r == '(':
			out = append(out, Token{Kind: LParen, Pos: i})
			i++
		case r == ')':
			out = append(out, Token{Kind: RParen, Pos: i})
			i++
		case r == '{':
			out = append(out, Token{Kind: LBrace, Pos: i})
			i++
		case r == '}':
			out = append(out, Token{Kind: RBrace, Pos: i})
			i++
		case r == '=':
			out = append(out, Token{Kind: Assign, Pos: i})
			i++
		case r == '@':
			if i+1 < len(rs) && rs[i+1] == '{' {
				out = append(out, Token{Kind: AtBrace, Pos: i})
				i += 2
				continue
			}
			return nil, fmt.Errorf("'@' at %d: only @{ is in the subset", i)
		case r == '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' && (unicode.IsLetter(rs[j]) || rs[j] == '.') {
				j++
			}
			if j >= len(rs) || rs[j] != ']' || j == i+1 {
				return nil, fmt.Errorf("'[' at %d: only a type literal such as [string] is in the subset", i)
			}
			out = append(out, Token{Kind: TypeLit, Text: strings.ToLower(string(rs[i+1 : j])), Pos: i})
			i = j + 1
		case r == '$':
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == ':') {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("'$' at %d without a variable name (no $(...) in the subset)", i)
			}
			name := string(rs[i+1 : j])
			switch strings.ToLower(name) {
			case "true", "false", "null":
				name = strings.ToLower(name)
			}
			out = append(out, Token{Kind: Var, Text: name, Pos: i})
			i = j
			for i < len(rs) && rs[i] == '.' {
				k := i + 1
				for k < len(rs) && (unicode.IsLetter(rs[k]) || unicode.IsDigit(rs[k])) {
					k++
				}
				if k == i+1 {
					return nil, fmt.Errorf("'.' at %d without a member name", i)
				}
				out = append(out, Token{Kind: Member, Text: string(rs[i+1 : k]), Pos: i})
				i = k
			}
		case r == '-' && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			t := Token{Kind: Param, Text: string(rs[i+1 : j]), Pos: i}
			if j < len(rs) && rs[j] == ':' {
				t.Colon = true
				j++
			}
			if j < len(rs) && isBareRune(rs[j]) {
				return nil, fmt.Errorf("parameter at %d runs into %q", i, rs[j])
			}
			out = append(out, t)
			i = j
		case unicode.IsDigit(r) || (r == '-' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			j := i + 1
			for j < len(rs) && unicode.IsDigit(rs[j]) {
				j++
			}
			if j < len(rs) && isBareRune(rs[j]) {
				// a bareword starting with a digit
				for j < len(rs) && isBareRune(rs[j]) {
					j++
				}
				out = append(out, Token{Kind: Bare, Text: string(rs[i:j]), Pos: i})
			} else {
				out = append(out, Token{Kind: Number, Text: string(rs[i:j]), Pos: i})
			}
			i = j
		case isBareRune(r):
			j := i
			for j < len(rs) && isBareRune(rs[j]) {
				j++
			}
			out = append(out, Token{Kind: Bare, Text: string(rs[i:j]), Pos: i})
			i = j
		default:
			return nil, fmt.Errorf("character %q at %d is not in the subset", r, i)
		}
	}
	return append(out, Token{Kind: EOF, Pos: len(rs)}), nil
}
