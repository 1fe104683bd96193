package ems

import (
	"fmt"
	"strings"
	"unicode"
)

// Script invocations: a reader of the PowerShell that dialtone writes (runbooks, plan
// command lines, the provider's requests), lenient enough for the runbook's loops and
// guards. It finds every command in command position (the start of a statement, after
// a pipe, an opening parenthesis or brace, or an assignment) and, for commands of the
// reference, binds -Parameters and their values using the reference's types (a switch
// takes no value). It is a checker's reader, not a PowerShell parser: it never runs
// anything and needs no more than the forms dialtone writes.

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tString // single- or double-quoted; lit false when a double-quoted string expands
	tNumber
	tVar
	tParam
	tOp // | ; , = and other operators
	tOpen
	tClose
	tNewline
)

type tok struct {
	kind  tokKind
	text  string
	colon bool // -Param:
	lit   bool // a string without expansion
	line  int
}

func isQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
}

func isDQuote(r rune) bool { return r == '"' || r == '\u201C' || r == '\u201D' || r == '\u201E' }

// subEnd returns the index after the parenthesis that closes the one at open, skipping
// quoted strings (a double-quoted one may hold subexpressions of its own).
func subEnd(rs []rune, open int) (int, error) {
	depth := 0
	for i := open; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case isQuote(r):
			for i++; i < len(rs) && !isQuote(rs[i]); i++ {
			}
		case isDQuote(r):
			for i++; i < len(rs) && !isDQuote(rs[i]); i++ {
				if rs[i] == '`' {
					i++
				} else if rs[i] == '$' && i+1 < len(rs) && rs[i+1] == '(' {
					end, err := subEnd(rs, i+1)
					if err != nil {
						return 0, err
					}
					i = end - 1
				}
			}
		}
	}
	return 0, fmt.Errorf("unterminated subexpression")
}

func tokenize(src string) ([]tok, error) {
	rs := []rune(src)
	var out []tok
	line := 1
	i := 0
	emit := func(k tokKind, text string) { out = append(out, tok{kind: k, text: text, line: line, lit: true}) }
	for i < len(rs) {
		r := rs[i]
		switch {
		case r == '\n':
			emit(tNewline, "\n")
			line++
			i++
		case r == '`' && i+1 < len(rs) && rs[i+1] == '\n': // line continuation
			i += 2
			line++
		case unicode.IsSpace(r):
			i++
		case r == '<' && i+1 < len(rs) && rs[i+1] == '#':
			end := strings.Index(string(rs[i:]), "#>")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated block comment", line)
			}
			body := []rune(string(rs[i:])[:end])
			line += strings.Count(string(body), "\n")
			i += len(body) + 2
		case r == '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case isQuote(r):
			var b strings.Builder
			i++
			for {
				if i >= len(rs) {
					return nil, fmt.Errorf("line %d: unterminated string", line)
				}
				if isQuote(rs[i]) {
					if i+1 < len(rs) && isQuote(rs[i+1]) {
						b.WriteRune(rs[i])
						i += 2
						continue
					}
					i++
					break
				}
				if rs[i] == '\n' {
					line++
				}
				b.WriteRune(rs[i])
				i++
			}
			emit(tString, b.String())
		case isDQuote(r):
			var b strings.Builder
			expands := false
			i++
			for {
				if i >= len(rs) {
					return nil, fmt.Errorf("line %d: unterminated string", line)
				}
				c := rs[i]
				if c == '`' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if isDQuote(c) {
					if i+1 < len(rs) && isDQuote(rs[i+1]) {
						b.WriteRune(c)
						i += 2
						continue
					}
					i++
					break
				}
				if c == '$' {
					expands = true
					if i+1 < len(rs) && rs[i+1] == '(' {
						// A subexpression: it ends at its own closing parenthesis,
						// whatever quotes it holds.
						end, err := subEnd(rs, i+1)
						if err != nil {
							return nil, fmt.Errorf("line %d: %v", line, err)
						}
						b.WriteString(string(rs[i:end]))
						i = end
						continue
					}
				}
				if c == '\n' {
					line++
				}
				b.WriteRune(c)
				i++
			}
			out = append(out, tok{kind: tString, text: b.String(), lit: !expands, line: line})
		case r == '$':
			j := i + 1
			if j < len(rs) && rs[j] == '{' {
				for j < len(rs) && rs[j] != '}' {
					j++
				}
				j++
			} else if j < len(rs) && rs[j] == '(' {
				// $( ... ): a subexpression, read as an open parenthesis.
				out = append(out, tok{kind: tOpen, text: "(", line: line})
				i = j + 1
				continue
			} else {
				for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == ':' || rs[j] == '?') {
					j++
				}
			}
			emit(tVar, string(rs[i:j]))
			i = j
		case r == '-' && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || rs[i+1] == '_'):
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_') {
				j++
			}
			t := tok{kind: tParam, text: string(rs[i+1 : j]), line: line}
			if j < len(rs) && rs[j] == ':' {
				t.colon = true
				j++
			}
			out = append(out, t)
			i = j
		case r == '(' || r == '{':
			emit(tOpen, string(r))
			i++
		case r == '@' && i+1 < len(rs) && (rs[i+1] == '(' || rs[i+1] == '{'):
			emit(tOpen, string(rs[i:i+2]))
			i += 2
		case r == ')' || r == '}':
			emit(tClose, string(r))
			i++
		case r == '|' || r == ';' || r == ',' || r == '=' || r == '&' || r == '+' || r == '!' || r == '>' || r == '<':
			j := i + 1
			for j < len(rs) && strings.ContainsRune("|&=>", rs[j]) {
				j++
			}
			emit(tOp, string(rs[i:j]))
			i = j
		case r == '[':
			// A type literal or an index: skipped as one operator.
			depth := 0
			j := i
			for j < len(rs) {
				if rs[j] == '[' {
					depth++
				} else if rs[j] == ']' {
					depth--
					if depth == 0 {
						j++
						break
					}
				}
				j++
			}
			emit(tOp, string(rs[i:j]))
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("|;,(){}='\"`$[]", rs[j]) && !isQuote(rs[j]) && !isDQuote(rs[j]) {
				j++
			}
			if j == i {
				j = i + 1
			}
			text := string(rs[i:j])
			k := tWord
			if text[0] >= '0' && text[0] <= '9' {
				k = tNumber
			}
			if text[0] == '.' && len(out) > 0 && (out[len(out)-1].kind == tClose || out[len(out)-1].kind == tVar) {
				k = tOp // .Member after an expression
			}
			emit(k, text)
			i = j
		}
	}
	return out, nil
}

// ScriptInvocations returns every command invocation of a PowerShell script. Commands
// that are not in the reference are returned with no parameters bound (their
// parameters are PowerShell's).
func ScriptInvocations(src string) ([]Invocation, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	type frame struct {
		cur   *Invocation // the command whose arguments are being read, nil in an expression
		ref   *CmdletRef
		close string
	}
	var out []Invocation
	var stack []frame
	cmdPos := true
	var cur *Invocation
	var cref *CmdletRef
	finish := func() {
		if cur != nil {
			out = append(out, *cur)
		}
		cur, cref = nil, nil
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tNewline:
			// Inside parentheses a line break does not end the command.
			if len(stack) == 0 || stack[len(stack)-1].close != ")" || cur == nil {
				finish()
				cmdPos = true
			}
			continue
		case tOp:
			if t.text == "|" || t.text == ";" || t.text == "=" || t.text == "&&" || t.text == "||" {
				finish()
				cmdPos = true
				continue
			}
			cmdPos = false
			continue
		case tOpen:
			closer := ")"
			if t.text == "{" || t.text == "@{" {
				closer = "}"
			}
			stack = append(stack, frame{cur: cur, ref: cref, close: closer})
			cur, cref = nil, nil
			cmdPos = true
			continue
		case tClose:
			finish()
			if len(stack) > 0 {
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				cur, cref = f.cur, f.ref
			}
			cmdPos = false
			continue
		}
		if cmdPos {
			cmdPos = false
			if t.kind == tWord && isCommandName(t.text) {
				cur = &Invocation{Cmd: t.text, Line: t.line}
				cref = Ref().Cmdlet(t.text)
			}
			if t.kind == tWord && isKeyword(t.text) {
				cmdPos = true // if, else, foreach, do, while, try, ...: a command may follow
			}
			continue
		}
		if cur == nil {
			continue
		}
		if t.kind != tParam {
			cur.Positional++
			continue
		}
		u := ParamUse{Name: t.text}
		switchParam := false
		if cref != nil {
			if p := cref.Param(t.text); p != nil && p.Switch() {
				switchParam = true
			}
		} else {
			// Not an Exchange cmdlet: its parameters are not checked, but a value must
			// not count as positional.
			switchParam = i+1 >= len(toks) || toks[i+1].kind == tParam || toks[i+1].kind == tNewline ||
				toks[i+1].kind == tClose || toks[i+1].kind == tOp && toks[i+1].text != ","
		}
		if t.colon {
			u.HasValue = true
			i++ // the value is not a literal for the value check
			cur.Params = append(cur.Params, u)
			continue
		}
		if !switchParam && i+1 < len(toks) {
			u.HasValue = true
			u.Literal = true
			for {
				i++
				v := toks[i]
				switch v.kind {
				case tString:
					u.Values = append(u.Values, v.text)
					u.Literal = u.Literal && v.lit
				case tWord, tNumber:
					u.Values = append(u.Values, v.text)
				case tVar:
					// $true and $false are literals (checked against a Boolean's values);
					// any other variable is not.
					u.Values = append(u.Values, v.text)
					u.Literal = u.Literal && isBoolLiteral(v.text)
				case tOpen:
					u.Literal = false
					i-- // the group is read as usual: commands inside it are found
				default:
					u.Literal = false
				}
				if v.kind == tOpen {
					break
				}
				if i+2 < len(toks) && toks[i+1].kind == tOp && toks[i+1].text == "," {
					i++
					continue
				}
				// A member access (.Guid after a variable) belongs to the value.
				for i+1 < len(toks) && toks[i+1].kind == tOp && strings.HasPrefix(toks[i+1].text, ".") {
					i++
				}
				break
			}
		}
		cur.Params = append(cur.Params, u)
	}
	finish()
	return out, nil
}

// isCommandName reports whether a word names a command dialtone's checks care about: a
// Verb-Noun cmdlet.
func isCommandName(w string) bool {
	i := strings.IndexByte(w, '-')
	if i <= 0 || i == len(w)-1 {
		return false
	}
	for _, r := range w {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
			return false
		}
	}
	return unicode.IsUpper(rune(w[0]))
}

func isKeyword(w string) bool {
	switch strings.ToLower(w) {
	case "if", "elseif", "else", "foreach", "for", "do", "while", "until", "try", "catch", "finally", "return", "throw", "switch", "param":
		return true
	}
	return false
}

// CheckScript checks every invocation of a script for version v.
func CheckScript(src string, v Version) ([]Problem, error) {
	invs, err := ScriptInvocations(src)
	if err != nil {
		return nil, err
	}
	var out []Problem
	for _, inv := range invs {
		out = append(out, Check(inv, v)...)
	}
	return out, nil
}

// isBoolLiteral reports whether a variable token is $true or $false.
func isBoolLiteral(v string) bool {
	return strings.EqualFold(v, "$true") || strings.EqualFold(v, "$false")
}
