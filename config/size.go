package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/dialtone/dialtone/config/limits"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Size limits bound the memory and time a configuration can cost, whatever it holds:
// the bytes of each file and of all files (*.hcl and .dtvars), the number of blocks
// (for_each instances count), the length of every string and collection an expression
// produces, and the nesting of brackets (a parser recursing once per bracket would
// otherwise run out of stack). Each is refused with a diagnostic naming the limit, the
// actual size and the environment variable that raises it. The defaults are far above
// any real organization: 2,000 databases with their recoveries are under 1 MB of HCL.
const (
	EnvMaxConfigFileBytes   = "DIALTONE_MAX_CONFIG_FILE_BYTES"
	EnvMaxConfigBytes       = "DIALTONE_MAX_CONFIG_BYTES"
	EnvMaxConfigBlocks      = "DIALTONE_MAX_CONFIG_BLOCKS"
	EnvMaxConfigStringBytes = "DIALTONE_MAX_CONFIG_STRING_BYTES"
	EnvMaxConfigListLength  = "DIALTONE_MAX_CONFIG_LIST_LENGTH"

	DefaultMaxConfigFileBytes   = 8 << 20  // one *.hcl or .dtvars file
	DefaultMaxConfigBytes       = 32 << 20 // all of them together
	DefaultMaxConfigBlocks      = 100_000  // blocks of every file, for_each instances included
	DefaultMaxConfigStringBytes = 64 << 10 // any string value, after evaluation
	DefaultMaxConfigListLength  = 10_000   // any list, set, map or object value, after evaluation

	// MaxNesting bounds how deeply brackets, braces and template interpolations nest.
	// It is fixed: no configuration nests anywhere near it.
	MaxNesting = 256
	// maxFormatWidth bounds the width and precision of a format verb (format("%999999999d")
	// would otherwise allocate a gigabyte).
	maxFormatWidth = 1024
)

// SizeLimits are the limits in force (LoadOptions.Limits). A zero field is its default:
// the zero SizeLimits is every default. The command line fills them from the
// environment variables above; this package never reads the environment.
type SizeLimits struct {
	FileBytes, ConfigBytes, Blocks, StringBytes, ListLength int64
}

// orDefaults is lim with each zero (or negative) field replaced by its default.
func (lim SizeLimits) orDefaults() SizeLimits {
	return SizeLimits{
		FileBytes:   limits.Or(lim.FileBytes, DefaultMaxConfigFileBytes),
		ConfigBytes: limits.Or(lim.ConfigBytes, DefaultMaxConfigBytes),
		Blocks:      limits.Or(lim.Blocks, DefaultMaxConfigBlocks),
		StringBytes: limits.Or(lim.StringBytes, DefaultMaxConfigStringBytes),
		ListLength:  limits.Or(lim.ListLength, DefaultMaxConfigListLength),
	}
}

func tooLarge(what string, size, limit int64, env string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Configuration too large",
		Detail: fmt.Sprintf("%s is %d, more than the limit of %d. If it is genuine, raise the limit with the environment variable %s.", what, size, limit, env)}
}

// readLimited reads a configuration or variables file of at most lim.FileBytes, and
// at most what is left of lim.ConfigBytes after the *total bytes read before it; the
// size is checked before anything is read (a -var-file=/dev/zero is refused, not read
// forever).
func readLimited(path, name string, lim SizeLimits, total *int64) ([]byte, *hcl.Diagnostic, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Not a regular file",
			Detail: fmt.Sprintf("%s is not a regular file (%s); configuration and variables files must be.", name, fi.Mode().Type())}, nil
	}
	if fi.Size() > lim.FileBytes {
		return nil, tooLarge(fmt.Sprintf("The file %s, in bytes,", name), fi.Size(), lim.FileBytes, EnvMaxConfigFileBytes), nil
	}
	if *total+fi.Size() > lim.ConfigBytes {
		return nil, tooLarge(fmt.Sprintf("The configuration, in bytes with %s,", name), *total+fi.Size(), lim.ConfigBytes, EnvMaxConfigBytes), nil
	}
	src, err := io.ReadAll(io.LimitReader(f, lim.FileBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(src)) > lim.FileBytes { // it grew meanwhile
		return nil, tooLarge(fmt.Sprintf("The file %s, in bytes,", name), int64(len(src)), lim.FileBytes, EnvMaxConfigFileBytes), nil
	}
	*total += int64(len(src))
	return src, nil, nil
}

// checkNesting refuses source whose brackets nest deeper than MaxNesting, before the
// recursive parser sees it. nestingDepth is a quick scan; the lexer (exact, but slow
// and large) confirms it only when the scan reports a depth over the limit.
func checkNesting(src []byte, name string, start hcl.Pos) *hcl.Diagnostic {
	if utf8.Valid(src) && nestingDepth(src) <= MaxNesting { // the scan reads UTF-8 only
		return nil
	}
	depth, at := lexDepth(src, name, start, MaxNesting)
	if depth <= MaxNesting {
		return nil
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Configuration nested too deeply",
		Detail:  fmt.Sprintf("Brackets, braces, quotes and template interpolations nest more than %d deep here. No configuration needs that; simplify the expression.", MaxNesting),
		Subject: &at}
}

// lexDepth is the deepest nesting of the lexer's tokens, up to the first point past
// stop (and that point's range).
func lexDepth(src []byte, name string, start hcl.Pos, stop int) (int, hcl.Range) {
	toks, _ := hclsyntax.LexConfig(src, name, start)
	depth, deepest := 0, 0
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenOParen, hclsyntax.TokenOBrack, hclsyntax.TokenOBrace, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl,
			hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
			depth++
		case hclsyntax.TokenCParen, hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenTemplateSeqEnd,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			if depth > 0 {
				depth--
			}
		}
		deepest = max(deepest, depth)
		if depth > stop {
			return depth, t.Range
		}
	}
	return deepest, hcl.Range{}
}

// nestingDepth scans src as HCL's lexer would (comments, quoted strings with escapes,
// heredocs, ${ and %{ interpolations) and returns the deepest nesting it finds. Where
// it is unsure it errs on the deep side: it must never report less than the lexer
// (FuzzNestingDepth checks that).
func nestingDepth(src []byte) int {
	type frame struct {
		kind    byte   // 'c' code brace, 'i' interpolation, 's' quoted string, 'h' heredoc
		heredoc []byte // the heredoc's end marker
	}
	var stack []frame
	deepest := 0
	parens := 0
	push := func(f frame) {
		stack = append(stack, f)
		deepest = max(deepest, len(stack)+parens)
	}
	top := func() byte {
		if len(stack) == 0 {
			return 'c'
		}
		return stack[len(stack)-1].kind
	}
	lineStart := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch top() {
		case 's', 'h':
			if top() == 's' {
				if c == '\\' {
					i++
					continue
				}
				if c == '"' {
					stack = stack[:len(stack)-1]
					continue
				}
			} else if lineStart {
				// A heredoc ends at a line holding only its marker (indented for <<-).
				j := i
				for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
					j++
				}
				m := stack[len(stack)-1].heredoc
				if len(src) >= j+len(m) && string(src[j:j+len(m)]) == string(m) {
					k := j + len(m)
					for k < len(src) && (src[k] == ' ' || src[k] == '\t' || src[k] == '\r') {
						k++
					}
					if k == len(src) || src[k] == '\n' {
						stack = stack[:len(stack)-1]
						i = k - 1
						lineStart = false
						continue
					}
				}
			}
			lineStart = c == '\n'
			if (c == '$' || c == '%') && i+1 < len(src) {
				if src[i+1] == c && i+2 < len(src) && src[i+2] == '{' {
					i += 2 // $${ and %%{ are literal
					continue
				}
				if src[i+1] == '{' {
					push(frame{kind: 'i'})
					i++
				}
			}
		default: // code, or an interpolation's code
			lineStart = c == '\n'
			switch c {
			case '#':
				for i < len(src) && src[i] != '\n' {
					i++
				}
				lineStart = true
			case '/':
				if i+1 < len(src) && src[i+1] == '/' {
					for i < len(src) && src[i] != '\n' {
						i++
					}
					lineStart = true
				} else if i+1 < len(src) && src[i+1] == '*' {
					// An unterminated comment is no comment to the lexer: scan on.
					if end := bytes.Index(src[i+2:], []byte("*/")); end >= 0 {
						i += 2 + end + 1
					}
				}
			case '"':
				push(frame{kind: 's'})
			case '<':
				if i+1 < len(src) && src[i+1] == '<' {
					j := i + 2
					if j < len(src) && src[j] == '-' {
						j++
					}
					// The marker is an identifier: a letter, then letters, digits, marks, _ or -.
					k := j
					for k < len(src) {
						r, size := utf8.DecodeRune(src[k:])
						if !(unicode.IsLetter(r) || r == '_' || k > j && (r == '-' || unicode.In(r, unicode.Nd, unicode.Mn, unicode.Mc, unicode.Pc))) {
							break
						}
						k += size
					}
					if k > j && k < len(src) && (src[k] == '\n' || src[k] == '\r' && k+1 < len(src) && src[k+1] == '\n') {
						push(frame{kind: 'h', heredoc: src[j:k]})
						for k < len(src) && src[k] != '\n' {
							k++
						}
						i = k
						lineStart = true
					}
				}
			case '(', '[':
				parens++ // the lexer's modes follow braces only
				deepest = max(deepest, len(stack)+parens)
			case ')', ']':
				if parens > 0 {
					parens--
				}
			case '{':
				push(frame{kind: 'c'})
			case '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	return deepest
}

// countBlocks counts the blocks of a parsed file, nested ones included.
func countBlocks(body hcl.Body) int64 {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return 0
	}
	var n int64
	for _, blk := range b.Blocks {
		n += 1 + countBlocks(blk.Body)
	}
	return n
}

// checkValueSize refuses a value holding a string longer than lim.StringBytes or a
// collection longer than lim.ListLength. rng is the expression that produced it.
func checkValueSize(v cty.Value, lim SizeLimits, rng hcl.Range) *hcl.Diagnostic {
	var d *hcl.Diagnostic
	v, _ = v.UnmarkDeep()
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if d != nil || !x.IsKnown() || x.IsNull() {
			return false, nil
		}
		ty := x.Type()
		switch {
		case ty == cty.String:
			if n := int64(len(x.AsString())); n > lim.StringBytes {
				d = tooLarge("A string value, in bytes,", n, lim.StringBytes, EnvMaxConfigStringBytes)
			}
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType():
			if n := int64(x.LengthInt()); n > lim.ListLength {
				d = tooLarge("A collection value, in elements,", n, lim.ListLength, EnvMaxConfigListLength)
			}
		}
		return d == nil, nil
	})
	if d != nil {
		d.Summary = "Value too large"
		d.Subject = rng.Ptr()
	}
	return d
}

// boundedFormat wraps format or formatlist so that a width or precision over
// maxFormatWidth is refused before it is formatted.
func boundedFormat(f function.Function) function.Function {
	spec := &function.Spec{Params: f.Params(), VarParam: f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) { return f.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String {
				if err := checkFormatWidths(args[0].AsString()); err != nil {
					return cty.NilVal, function.NewArgError(0, err)
				}
			}
			return f.Call(args)
		}}
	return function.New(spec)
}

// checkFormatWidths refuses a number inside a format verb (between % and its letter)
// larger than maxFormatWidth.
func checkFormatWidths(format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format); i++ {
			c := format[i]
			if c >= '0' && c <= '9' {
				j := i
				for j < len(format) && format[j] >= '0' && format[j] <= '9' {
					j++
				}
				if n, err := strconv.Atoi(format[i:j]); err != nil || n > maxFormatWidth {
					return fmt.Errorf("the width or precision %s in the format is over %d", format[i:j], maxFormatWidth)
				}
				i = j - 1
				continue
			}
			if c == '.' || c == '-' || c == '+' || c == '#' || c == ' ' || c == '[' || c == ']' || c == '*' {
				continue
			}
			break // the verb letter, or %%
		}
	}
	return nil
}
