package main

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/providers/exchange/internal/pstoken"
)

// The subset of PowerShell the Exchange provider emits, read with a real tokenizer
// (internal/pstoken): single-quoted literals (any of the five single quotes; a doubled
// quote is one quote), $variables ($true, $false, $null, $env:NAME, $_ with .Member),
// numbers, -Parameters (with -Param:value), barewords, comma lists, ( pipelines ),
// { script blocks }, @{ n='X'; e={[string]$_.X} } hashtables, pipelines with |,
// statements with ;, $var = pipeline assignments, and double-quoted strings of constant
// text with $name variables (an OPATH filter naming a variable). Everything else (other
// double-quoted strings, backticks, comments, redirections, here-strings, operators) is
// refused loudly.

type (
	token   = pstoken.Token
	tokKind = pstoken.Kind
)

const (
	tEOF     = pstoken.EOF
	tString  = pstoken.String
	tNumber  = pstoken.Number
	tVar     = pstoken.Var
	tMember  = pstoken.Member
	tParam   = pstoken.Param
	tBare    = pstoken.Bare
	tPipe    = pstoken.Pipe
	tSemi    = pstoken.Semi
	tComma   = pstoken.Comma
	tLParen  = pstoken.LParen
	tRParen  = pstoken.RParen
	tLBrace  = pstoken.LBrace
	tRBrace  = pstoken.RBrace
	tAtBrace = pstoken.AtBrace
	tAssign  = pstoken.Assign
	tTypeLit = pstoken.TypeLit
	tExpand  = pstoken.Expand
)

func tokenize(s string) ([]token, error) { return pstoken.Tokenize(s) }

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
	name  string
	val   *value // nil: a switch
	colon bool   // -Param:value
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
	vExpand // "text with $name", expanded when evaluated
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
	if p.peek().Kind != tEOF {
		return nil, p.errf("unexpected token")
	}
	return sc, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errf(format string, a ...any) error {
	t := p.peek()
	return fmt.Errorf("at %d (%s): %s", t.Pos, describe(t), fmt.Sprintf(format, a...))
}

func describe(t token) string {
	switch t.Kind {
	case tEOF:
		return "end of line"
	case tString:
		return fmt.Sprintf("string %q", t.Text)
	case tParam:
		return "-" + t.Text
	case tVar:
		return "$" + t.Text
	}
	return fmt.Sprintf("token %q", t.Text)
}

func (p *parser) script(end tokKind) (*script, error) {
	sc := &script{}
	for {
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		sc.stmts = append(sc.stmts, st)
		if p.peek().Kind != tSemi {
			break
		}
		p.next()
	}
	if p.peek().Kind != end {
		return nil, p.errf("expected the end of the script")
	}
	return sc, nil
}

func (p *parser) statement() (*statement, error) {
	t := p.peek()
	if t.Kind == tVar && p.toks[p.i+1].Kind == tAssign {
		p.i += 2
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		if st.assign != "" {
			return nil, p.errf("chained assignment")
		}
		st.assign = t.Text
		return st, nil
	}
	switch t.Kind {
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
		if p.peek().Kind != tPipe {
			return st, nil
		}
		p.next()
	}
}

func (p *parser) command() (*command, error) {
	t := p.next()
	if t.Kind != tBare {
		p.i--
		return nil, p.errf("expected a command name")
	}
	c := &command{name: t.Text}
	for {
		switch p.peek().Kind {
		case tPipe, tSemi, tRParen, tRBrace, tEOF:
			return c, nil
		case tParam:
			pt := p.next()
			pr := param{name: pt.Text, colon: pt.Colon}
			if pt.Colon {
				v, err := p.primary()
				if err != nil {
					return nil, err
				}
				pr.val = v
			} else if argStarts(p.peek().Kind) && takesValue(c.name, pt.Text) {
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
	case tString, tExpand, tNumber, tVar, tBare, tLParen, tLBrace, tAtBrace:
		return true
	}
	return false
}

func (p *parser) valueList() (*value, error) {
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.peek().Kind != tComma {
		return v, nil
	}
	list := &value{kind: vList, list: []*value{v}}
	for p.peek().Kind == tComma {
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
	switch t.Kind {
	case tString:
		return &value{kind: vString, text: t.Text}, nil
	case tExpand:
		return &value{kind: vExpand, text: t.Text}, nil
	case tNumber:
		return &value{kind: vNumber, text: t.Text}, nil
	case tVar:
		if p.peek().Kind == tMember {
			return nil, p.errf("member access outside a [string]$_.Name expression")
		}
		return &value{kind: vVar, text: t.Text}, nil
	case tBare:
		return &value{kind: vBare, text: t.Text}, nil
	case tLParen:
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		if p.next().Kind != tRParen {
			p.i--
			return nil, p.errf("expected )")
		}
		return &value{kind: vSub, sub: st}, nil
	case tLBrace:
		if p.peek().Kind == tTypeLit {
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
			if k.Kind != tBare {
				p.i--
				return nil, p.errf("expected a hashtable key")
			}
			if p.next().Kind != tAssign {
				p.i--
				return nil, p.errf("expected =")
			}
			v, err := p.primary()
			if err != nil {
				return nil, err
			}
			h.hash[strings.ToLower(k.Text)] = v
			sep := p.next()
			if sep.Kind == tRBrace {
				return h, nil
			}
			if sep.Kind != tSemi {
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
	if cast.Text != "string" {
		p.i--
		return nil, p.errf("only [string] casts are in the subset")
	}
	v := p.next()
	m := p.next()
	if v.Kind != tVar || v.Text != "_" || m.Kind != tMember {
		p.i--
		return nil, p.errf("expected $_.Member after [string]")
	}
	if p.next().Kind != end {
		p.i--
		return nil, p.errf("expected } after [string]$_.%s", m.Text)
	}
	return &value{kind: vMember, member: m.Text, cast: "string"}, nil
}
