package ems

import (
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// Kind says how an argument's value is written.
type Kind uint8

const (
	Switch    Kind = iota // -Recovery
	Str                   // -Name 'value': a value, always quoted with providers.PSQuote
	Strs                  // -LiteralPath 'a','b'
	Bool                  // -AllowFileRestore $true
	Int                   // -BadItemLimit 10
	Word                  // -ResultSize Unlimited: a bare word of a fixed vocabulary, never input
	Code                  // -SourceStoreMailbox $dtM.Guid: PowerShell code written as is, never input
	ColonBool             // -Confirm:$false
)

// Arg is one argument of a command: a named parameter (Name without its dash) or, for
// native programs, a positional argument (Name "").
type Arg struct {
	Name   string
	Kind   Kind
	Value  string
	Values []string // Strs
}

// Cmd is one command: an Exchange cmdlet, a PowerShell cmdlet or a native program
// (eseutil, robocopy), with its arguments in order.
type Cmd struct {
	Name string
	Args []Arg
}

// Line is one command line: a pipeline of commands, or a comment when Comment is set.
// Assign, when set, is the name of a variable (dialtone's own, never input) that the
// pipeline's output is stored in: $Assign = pipeline.
type Line struct {
	Pipe    []Cmd
	Comment string
	Assign  string
}

// New starts a command.
func New(name string) *Cmd { return &Cmd{Name: name} }

// Str adds -name 'value'.
func (c *Cmd) Str(name, value string) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Str, Value: value})
	return c
}

// Strs adds -name 'a','b'.
func (c *Cmd) Strs(name string, values []string) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Strs, Values: values})
	return c
}

// Switch adds -name.
func (c *Cmd) Switch(name string) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Switch})
	return c
}

// Bool adds -name $true or -name $false.
func (c *Cmd) Bool(name string, v bool) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Bool, Value: psBool(v)})
	return c
}

// Int adds -name N.
func (c *Cmd) Int(name string, n int) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Int, Value: strconv.Itoa(n)})
	return c
}

// Word adds -name Word, a bare word from dialtone's own vocabulary.
func (c *Cmd) Word(name, word string) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Word, Value: word})
	return c
}

// Code adds -name code (a variable of a runbook loop), written as is.
func (c *Cmd) Code(name, code string) *Cmd {
	c.Args = append(c.Args, Arg{Name: name, Kind: Code, Value: code})
	return c
}

// NoConfirm adds -Confirm:$false.
func (c *Cmd) NoConfirm() *Cmd {
	c.Args = append(c.Args, Arg{Name: "Confirm", Kind: ColonBool, Value: "$false"})
	return c
}

// Pos adds a positional argument: a bare word (an eseutil mode such as /r) when quote
// is false, else a quoted value.
func (c *Cmd) Pos(value string, quote bool) *Cmd {
	k := Word
	if quote {
		k = Str
	}
	c.Args = append(c.Args, Arg{Kind: k, Value: value})
	return c
}

// Line makes a one-command line of c.
func (c *Cmd) Line() Line { return Line{Pipe: []Cmd{*c}} }

// Set makes the line $name = pipeline (name is dialtone's own, never input).
func Set(name string, cmds ...*Cmd) Line {
	l := Pipe(cmds...)
	l.Assign = name
	return l
}

// Pipe makes a pipeline.
func Pipe(cmds ...*Cmd) Line {
	l := Line{Pipe: make([]Cmd, len(cmds))}
	for i, c := range cmds {
		l.Pipe[i] = *c
	}
	return l
}

// Comment makes a comment line; line breaks and control characters become spaces, so
// that no name can end the comment and start a command.
func Comment(text string) Line { return Line{Comment: oneLine(text)} }

// Options say what rendering adds to every line.
type Options struct {
	// DomainController, when set, is added as -DomainController right after the name of
	// every cmdlet that takes it (per the reference), quoted; DomainControllerCode is
	// the same written as code (the runbook's $DomainController).
	DomainController     string
	DomainControllerCode string
}

// String renders the line as the plan shows it (no -DomainController).
func (l Line) String() string {
	s, _ := l.Render(Options{})
	return s
}

// Render renders the line. The error names the first value that cannot be put on a
// PowerShell command line (providers.PSCheckValue); the text is rendered regardless.
func (l Line) Render(o Options) (string, error) {
	if l.Pipe == nil {
		return "# " + l.Comment, nil
	}
	var b strings.Builder
	var err error
	if l.Assign != "" {
		b.WriteString("$" + l.Assign + " = ")
	}
	for i, c := range l.Pipe {
		if i > 0 {
			b.WriteString(" | ")
		}
		if e := c.render(&b, o); err == nil {
			err = e
		}
	}
	return b.String(), err
}

func (c Cmd) render(b *strings.Builder, o Options) error {
	var err error
	check := func(field, v string) {
		if err == nil {
			err = providers.PSCheckValue(field, v)
		}
	}
	b.WriteString(c.Name)
	if o.DomainController != "" || o.DomainControllerCode != "" {
		if ref := Ref().Cmdlet(c.Name); ref != nil && ref.Param("DomainController") != nil {
			if o.DomainControllerCode != "" {
				b.WriteString(" -DomainController " + o.DomainControllerCode)
			} else {
				check("domain controller", o.DomainController)
				b.WriteString(" -DomainController " + providers.PSQuote(o.DomainController))
			}
		}
	}
	for _, a := range c.Args {
		b.WriteByte(' ')
		if a.Name != "" {
			b.WriteString("-" + a.Name)
			if a.Kind == ColonBool {
				b.WriteString(":" + a.Value)
				continue
			}
			if a.Kind != Switch {
				b.WriteByte(' ')
			}
		}
		switch a.Kind {
		case Str:
			check(fieldName(c.Name, a.Name), a.Value)
			b.WriteString(providers.PSQuote(a.Value))
		case Strs:
			for i, v := range a.Values {
				if i > 0 {
					b.WriteByte(',')
				}
				check(fieldName(c.Name, a.Name), v)
				b.WriteString(providers.PSQuote(v))
			}
		case Bool, Int, Word, Code:
			b.WriteString(a.Value)
		}
	}
	return err
}

func fieldName(cmd, param string) string {
	if param == "" {
		return cmd + " argument"
	}
	return cmd + " -" + param
}

// Strings renders lines as the plan shows them.
func Strings(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.String()
	}
	return out
}

func psBool(v bool) string {
	if v {
		return "$true"
	}
	return "$false"
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
