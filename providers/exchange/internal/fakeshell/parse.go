package main

import (
	"fmt"
	"strings"
	"unicode"
)

// The subset of PowerShell the Exchange provider emits, read with a real tokenizer:
// single-quoted literals (any of the five single quotes; a doubled quote is one quote),
// $variables ($true, $false, $null, $env:NAME, $_ with .Member), numbers, -Parameters
// (with -Param:value), barewords, comma lists, ( pipelines ), { script blocks },
// @{ n='X'; e={[string]$_.X} } hashtables, pipelines with |, statements with ;, and
// $var = pipeline assignments. Everything else (double quotes, backticks, comments,
// redirections, here-strings, operators) is refused loudly.

type tokKind int

const (
	tEOF tokKind = iota
	tString
	tNumber
	tVar     // $name (text: name, lower-cased for $true/$false/$null)
	tMember  // .Name after a variable
	tParam   // -Name (text: Name); colon: -Name:
	tBare    // bareword
	tPipe    // |
	tSemi    // ;
	tComma   // ,
	tLParen  // (
	tRParen  // )
	tLBrace  // {
	tRBrace  // }
	tAtBrace // @{
	tAssign  // =
	tTypeLit // [string]
)

type token struct {
	kind  tokKind
	text  string
	colon bool // -Param:
	pos   int
}

func isQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
}

func isBareRune(r rune) bool {
	if unicode.IsSpace(r) || isQuote(r) {
		return false
	}
	switch r {
	case '|', ';', ',', '(', ')', '{', '}', '$', '=', '"', '`', '#', '@', '[', ']', '<', '>', '&':
		return false
	}
	return r >= 0x20
}

func tokenize(s string) ([]token, error) {
	rs := []rune(s)
	var out []token
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			i++
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return nil, fmt.Errorf("control character U+%04X at %d", r, i)
		case isQuote(r):
			start := i
			var b strings.Builder
			closed := false
			for i++; i < len(rs); i++ {
				if isQuote(rs[i]) {
					if i+1 < len(rs) && isQuote(rs[i+1]) {
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
			out = append(out, token{kind: tString, text: b.String(), pos: start})
		case r == '"':
			return nil, fmt.Errorf("double-quoted string at %d: the provider must never emit one (it expands $ and backticks)", i)
		case r == '`':
			return nil, fmt.Errorf("backtick at %d: escapes are not in the subset", i)
		case r == '#':
			return nil, fmt.Errorf("comment at %d: not in the subset", i)
		case r == '|':
			out = append(out, token{kind: tPipe, pos: i})
			i++
		case r == ';':
			out = append(out, token{kind: tSemi, pos: i})
			i++
		case r == ',':
			out = append(out, token{kind: tComma, pos: i})
			i++
		case r == '(':
			out = append(out, token{kind: tLParen, pos: i})
			i++
		case r == ')':
			out = append(out, token{kind: tRParen, pos: i})
			i++
		case r == '{':
			out = append(out, token{kind: tLBrace, pos: i})
			i++
		case r == '}':
			out = append(out, token{kind: tRBrace, pos: i})
			i++
		case r == '=':
			out = append(out, token{kind: tAssign, pos: i})
			i++
		case r == '@':
			if i+1 < len(rs) && rs[i+1] == '{' {
				out = append(out, token{kind: tAtBrace, pos: i})
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
			out = append(out, token{kind: tTypeLit, text: strings.ToLower(string(rs[i+1 : j])), pos: i})
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
			out = append(out, token{kind: tVar, text: name, pos: i})
			i = j
			for i < len(rs) && rs[i] == '.' {
				k := i + 1
				for k < len(rs) && (unicode.IsLetter(rs[k]) || unicode.IsDigit(rs[k])) {
					k++
				}
				if k == i+1 {
					return nil, fmt.Errorf("'.' at %d without a member name", i)
				}
				out = append(out, token{kind: tMember, text: string(rs[i+1 : k]), pos: i})
				i = k
			}
		case r == '-' && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			t := token{kind: tParam, text: string(rs[i+1 : j]), pos: i}
			if j < len(rs) && rs[j] == ':' {
				t.colon = true
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
				out = append(out, token{kind: tBare, text: string(rs[i:j]), pos: i})
			} else {
				out = append(out, token{kind: tNumber, text: string(rs[i:j]), pos: i})
			}
			i = j
		case isBareRune(r):
			j := i
			for j < len(rs) && isBareRune(rs[j]) {
				j++
			}
			out = append(out, token{kind: tBare, text: string(rs[i:j]), pos: i})
			i = j
		default:
			return nil, fmt.Errorf("character %q at %d is not in the subset", r, i)
		}
	}
	return append(out, token{kind: tEOF, pos: len(rs)}), nil
}

// AST.

type script struct{ stmts []*statement }

type statement struct {
	assign string // variable name, or ""
	pipe   []*command
	expr   *value // a bare expression statement ($LASTEXITCODE)
}

type command struct {
	name   string
	params []param
	pos    []*value // positional arguments
}

type param struct {
	name string
	val  *value // nil: a switch
}

type valKind int

const (
	vString valKind = iota
	vNumber
	vVar
	vBare
	vList
	vSub    // ( pipeline )
	vBlock  // { script }
	vHash   // @{ n=...; e=... }
	vMember // $_.Name with [string] cast
)

type value struct {
	kind   valKind
	text   string
	list   []*value
	sub    *statement
	block  *script
	hash   map[string]*value
	member string
	cast   string
}

type parser struct {
	toks []token
	i    int
}

func parse(s string) (*script, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	sc, err := p.script(tEOF)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.errf("unexpected token")
	}
	return sc, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errf(format string, a ...any) error {
	t := p.peek()
	return fmt.Errorf("at %d (%s): %s", t.pos, describe(t), fmt.Sprintf(format, a...))
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of line"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	case tParam:
		return "-" + t.text
	case tVar:
		return "$" + t.text
	}
	return fmt.Sprintf("token %q", t.text)
}

func (p *parser) script(end tokKind) (*script, error) {
	sc := &script{}
	for {
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		sc.stmts = append(sc.stmts, st)
		if p.peek().kind != tSemi {
			break
		}
		p.next()
	}
	if p.peek().kind != end {
		return nil, p.errf("expected the end of the script")
	}
	return sc, nil
}

func (p *parser) statement() (*statement, error) {
	t := p.peek()
	if t.kind == tVar && p.toks[p.i+1].kind == tAssign {
		p.i += 2
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		if st.assign != "" {
			return nil, p.errf("chained assignment")
		}
		st.assign = t.text
		return st, nil
	}
	switch t.kind {
	case tVar, tString, tNumber, tLParen:
		v, err := p.valueList()
		if err != nil {
			return nil, err
		}
		return &statement{expr: v}, nil
	}
	st := &statement{}
	for {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		st.pipe = append(st.pipe, c)
		if p.peek().kind != tPipe {
			return st, nil
		}
		p.next()
	}
}

func (p *parser) command() (*command, error) {
	t := p.next()
	if t.kind != tBare {
		p.i--
		return nil, p.errf("expected a command name")
	}
	c := &command{name: t.text}
	for {
		switch p.peek().kind {
		case tPipe, tSemi, tRParen, tRBrace, tEOF:
			return c, nil
		case tParam:
			pt := p.next()
			pr := param{name: pt.text}
			if pt.colon {
				v, err := p.primary()
				if err != nil {
					return nil, err
				}
				pr.val = v
			} else if argStarts(p.peek().kind) && takesValue(c.name, pt.text) {
				v, err := p.valueList()
				if err != nil {
					return nil, err
				}
				pr.val = v
			}
			c.params = append(c.params, pr)
		default:
			v, err := p.valueList()
			if err != nil {
				return nil, err
			}
			c.pos = append(c.pos, v)
		}
	}
}

func argStarts(k tokKind) bool {
	switch k {
	case tString, tNumber, tVar, tBare, tLParen, tLBrace, tAtBrace:
		return true
	}
	return false
}

func (p *parser) valueList() (*value, error) {
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tComma {
		return v, nil
	}
	list := &value{kind: vList, list: []*value{v}}
	for p.peek().kind == tComma {
		p.next()
		w, err := p.primary()
		if err != nil {
			return nil, err
		}
		list.list = append(list.list, w)
	}
	return list, nil
}

func (p *parser) primary() (*value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &value{kind: vString, text: t.text}, nil
	case tNumber:
		return &value{kind: vNumber, text: t.text}, nil
	case tVar:
		if p.peek().kind == tMember {
			return nil, p.errf("member access outside a [string]$_.Name expression")
		}
		return &value{kind: vVar, text: t.text}, nil
	case tBare:
		return &value{kind: vBare, text: t.text}, nil
	case tLParen:
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tRParen {
			p.i--
			return nil, p.errf("expected )")
		}
		return &value{kind: vSub, sub: st}, nil
	case tLBrace:
		if p.peek().kind == tTypeLit {
			return p.castMember(tRBrace)
		}
		sc, err := p.script(tRBrace)
		if err != nil {
			return nil, err
		}
		p.next()
		return &value{kind: vBlock, block: sc}, nil
	case tAtBrace:
		h := &value{kind: vHash, hash: map[string]*value{}}
		for {
			k := p.next()
			if k.kind != tBare {
				p.i--
				return nil, p.errf("expected a hashtable key")
			}
			if p.next().kind != tAssign {
				p.i--
				return nil, p.errf("expected =")
			}
			v, err := p.primary()
			if err != nil {
				return nil, err
			}
			h.hash[strings.ToLower(k.text)] = v
			sep := p.next()
			if sep.kind == tRBrace {
				return h, nil
			}
			if sep.kind != tSemi {
				p.i--
				return nil, p.errf("expected ; or }")
			}
		}
	}
	p.i--
	return nil, p.errf("expected a value")
}

// castMember reads "[string]$_.Name}" (the expression of a Select-Object property).
func (p *parser) castMember(end tokKind) (*value, error) {
	cast := p.next()
	if cast.text != "string" {
		p.i--
		return nil, p.errf("only [string] casts are in the subset")
	}
	v := p.next()
	m := p.next()
	if v.kind != tVar || v.text != "_" || m.kind != tMember {
		p.i--
		return nil, p.errf("expected $_.Member after [string]")
	}
	if p.next().kind != end {
		p.i--
		return nil, p.errf("expected } after [string]$_.%s", m.text)
	}
	return &value{kind: vMember, member: m.text, cast: "string"}, nil
}
