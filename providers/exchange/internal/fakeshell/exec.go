//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/dialtone/dialtone/providers/exchange/internal/pstoken"
)

// execCtx is where a script runs: locally (server "") or on a server inside
// Invoke-Command, with that scope's $LASTEXITCODE and variables.
type execCtx struct {
	server   string
	lastExit int
	vars     map[string]any
}

// object is what a cmdlet returns: named properties.
type object struct {
	typ  string
	keys []string
	m    map[string]any
}

func newObject(typ string, kv ...any) *object {
	o := &object{typ: typ, m: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

func (o *object) set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

func (o *object) get(k string) (any, bool) {
	for _, key := range o.keys {
		if strings.EqualFold(key, k) {
			return o.m[key], true
		}
	}
	return nil, false
}

func (o *object) MarshalJSON() ([]byte, error) { return json.Marshal(o.m) }

type scriptBlock struct{ sc *script }
type credential struct{ user, password string }
type secureString struct{ s string }
type psSession struct{ uri string }
type hashSpec struct{ h map[string]*value }

func (sh *shell) runScript(sc *script, ctx *execCtx) ([]any, error) {
	var out []any
	for _, st := range sc.stmts {
		res, err := sh.runStatement(st, ctx)
		if err != nil {
			return nil, err
		}
		if st.assign != "" {
			var v any
			switch len(res) {
			case 0:
			case 1:
				v = res[0]
			default:
				v = res
			}
			if ctx.server != "" {
				if ctx.vars == nil {
					ctx.vars = map[string]any{}
				}
				ctx.vars[strings.ToLower(st.assign)] = v
			} else {
				sh.vars[strings.ToLower(st.assign)] = v
			}
			continue
		}
		out = append(out, res...)
	}
	return out, nil
}

func (sh *shell) runStatement(st *statement, ctx *execCtx) ([]any, error) {
	if st.expr != nil {
		v, err := sh.eval(st.expr, ctx)
		if err != nil {
			return nil, err
		}
		return []any{v}, nil
	}
	var in []any
	for i, c := range st.pipe {
		out, err := sh.runCommand(c, in, i > 0, ctx)
		if err != nil {
			return nil, err
		}
		in = out
	}
	return in, nil
}

func (sh *shell) eval(v *value, ctx *execCtx) (any, error) {
	switch v.kind {
	case vString, vBare:
		return v.text, nil
	case vNumber:
		n, err := strconv.ParseInt(v.text, 10, 64)
		return n, err
	case vVar:
		name := strings.ToLower(v.text)
		switch {
		case name == "true":
			return true, nil
		case name == "false":
			return false, nil
		case name == "null":
			return nil, nil
		case name == "lastexitcode":
			return int64(ctx.lastExit), nil
		case strings.HasPrefix(name, "env:"):
			val, ok := os.LookupEnv(v.text[4:])
			if !ok {
				return nil, nil
			}
			return val, nil
		}
		if ctx.server != "" {
			if x, ok := ctx.vars[name]; ok {
				return x, nil
			}
		}
		if x, ok := sh.vars[name]; ok {
			return x, nil
		}
		return nil, fmt.Errorf("fakeshell: variable $%s is not set", v.text)
	case vList:
		out := make([]any, 0, len(v.list))
		for _, w := range v.list {
			x, err := sh.eval(w, ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case vSub:
		res, err := sh.runStatement(v.sub, ctx)
		if err != nil {
			return nil, err
		}
		if len(res) == 1 {
			return res[0], nil
		}
		return res, nil
	case vExpand:
		return sh.expand(v.text, ctx)
	case vBlock:
		return &scriptBlock{v.block}, nil
	case vHash:
		return &hashSpec{v.hash}, nil
	}
	return nil, fmt.Errorf("fakeshell: a %v value cannot stand here", v.kind)
}

// expand is a double-quoted string's value: each $name replaced by the variable's
// text, each pstoken.QuoteEscapeRE by that text with its single quotes doubled. The
// tokenizer let through only constant text and these two forms.
func (sh *shell) expand(text string, ctx *execCtx) (string, error) {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '$' {
			b.WriteByte(text[i])
			continue
		}
		name, double := "", false
		if m := pstoken.QuoteEscapeRE.FindStringSubmatch(text[i:]); m != nil {
			name, double = m[1], true
			i += len(m[0]) - 1
		} else {
			j := i + 1
			for j < len(text) && (text[j] == '_' || unicode.IsLetter(rune(text[j])) || unicode.IsDigit(rune(text[j]))) {
				j++
			}
			name = text[i+1 : j]
			i = j - 1
		}
		x, err := sh.eval(&value{kind: vVar, text: name}, ctx)
		if err != nil {
			return "", err
		}
		switch x := x.(type) {
		case nil: // PowerShell expands an unset or $null variable to nothing
		case string:
			if double {
				x = strings.ReplaceAll(x, "'", "''")
			}
			b.WriteString(x)
		default:
			return "", fmt.Errorf("fakeshell: $%s is a %T, not text, inside a double-quoted string", name, x)
		}
	}
	return b.String(), nil
}

// bind evaluates and checks a command's arguments against its spec.
func (sh *shell) bind(c *command, s *cmdSpec, ctx *execCtx) (*args, error) {
	a := &args{cmd: c.name, named: map[string]any{}}
	for _, p := range c.params {
		key := strings.ToLower(p.name)
		kind, ok := s.params[key]
		if !ok {
			return nil, fmt.Errorf("fakeshell: A parameter cannot be found that matches parameter name '%s' (%s)", p.name, c.name)
		}
		if _, dup := a.named[key]; dup {
			return nil, fmt.Errorf("fakeshell: %s: parameter -%s given twice", c.name, p.name)
		}
		switch {
		case kind == sw && p.val != nil:
			v, err := sh.eval(p.val, ctx)
			if err != nil {
				return nil, err
			}
			a.named[key] = v
		case kind == sw:
			a.named[key] = true
		case p.val == nil:
			return nil, fmt.Errorf("fakeshell: %s: Missing an argument for parameter '%s'", c.name, p.name)
		default:
			v, err := sh.eval(p.val, ctx)
			if err != nil {
				return nil, err
			}
			a.named[key] = v
		}
	}
	for _, pv := range c.pos {
		v, err := sh.eval(pv, ctx)
		if err != nil {
			return nil, err
		}
		a.pos = append(a.pos, v)
	}
	if len(a.pos) > 0 && !s.native {
		return nil, fmt.Errorf("fakeshell: %s: A positional parameter cannot be found that accepts argument '%v'", c.name, a.pos[0])
	}
	if s.dc && sh.dc != "" {
		got, ok := a.named["domaincontroller"]
		if !ok {
			return nil, fmt.Errorf("fakeshell: %s without -DomainController (the run is pinned to %s)", c.name, sh.dc)
		}
		if got != sh.dc {
			return nil, fmt.Errorf("fakeshell: %s -DomainController %v, but the run is pinned to %s", c.name, got, sh.dc)
		}
	}
	return a, nil
}

func (sh *shell) logCall(a *args, ctx *execCtx) {
	if sh.log == nil {
		return
	}
	named := map[string]any{}
	for k, v := range a.named {
		switch x := v.(type) {
		case *credential:
			named[k] = "<credential>"
		case *secureString:
			named[k] = "<securestring>"
		case *scriptBlock, *hashSpec, *psSession:
			named[k] = fmt.Sprintf("<%T>", x)
		case []any:
			var parts []any
			for _, e := range x {
				switch e.(type) {
				case *secureString, *credential:
					parts = append(parts, "<secret>")
				case *hashSpec:
					parts = append(parts, "<hash>")
				default:
					parts = append(parts, e)
				}
			}
			named[k] = parts
		default:
			named[k] = v
		}
	}
	data, _ := json.Marshal(map[string]any{"cmd": a.cmd, "server": ctx.server, "args": named, "pos": a.pos})
	sh.log.Write(append(data, '\n'))
}

func (sh *shell) runCommand(c *command, in []any, piped bool, ctx *execCtx) ([]any, error) {
	s := specs[strings.ToLower(c.name)]
	if s == nil {
		return nil, fmt.Errorf("fakeshell: The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program", c.name)
	}
	if s.exchange && (!sh.exchange || ctx.server != "") {
		return nil, fmt.Errorf("fakeshell: The term '%s' is not recognized (no Exchange session here)", c.name)
	}
	if s.server && ctx.server == "" {
		return nil, fmt.Errorf("fakeshell: %s runs on this machine, not on an Exchange server: use Invoke-Command -ComputerName", c.name)
	}
	if s.exchange {
		if err := sh.checkReference(c); err != nil {
			return nil, err
		}
	}
	a, err := sh.bind(c, s, ctx)
	if err != nil {
		return nil, err
	}
	sh.logCall(a, ctx)
	switch strings.ToLower(c.name) {
	case "out-null":
		return nil, nil
	case "select-object":
		return sh.selectObject(a, in)
	case "where-object":
		return whereObject(a, in)
	case "new-object":
		return sh.newObject(a)
	case "convertto-securestring":
		str, err := a.str("String")
		if err != nil {
			return nil, err
		}
		if !a.has("AsPlainText") || !a.has("Force") {
			return nil, fmt.Errorf("ConvertTo-SecureString: plain text needs -AsPlainText -Force")
		}
		return []any{&secureString{str}}, nil
	case "new-pssession":
		return sh.newSession(a)
	case "import-pssession":
		if _, ok := a.named["session"].(*psSession); !ok {
			return nil, fmt.Errorf("Import-PSSession: -Session is not a session")
		}
		sh.exchange = true
		return []any{newObject("PSModuleInfo", "Name", "tmp_fake")}, nil
	case "add-pssnapin":
		n, err := a.str("Name")
		if err != nil {
			return nil, err
		}
		if n != "Microsoft.Exchange.Management.PowerShell.SnapIn" {
			return nil, fmt.Errorf("Add-PSSnapin: no snap-in %q", n)
		}
		sh.exchange = true
		return nil, nil
	case "invoke-command":
		return sh.invokeCommand(a)
	case "remove-item":
		if ctx.server == "" {
			return sh.removeEnv(a)
		}
		return sh.removeItem(a, ctx)
	case "get-childitem":
		return sh.getChildItem(a, ctx)
	case "get-filehash":
		return sh.getFileHash(a, ctx)
	case "copy-item":
		return sh.copyItem(a, ctx)
	case "move-item":
		return sh.moveItem(a, ctx)
	case "new-item":
		return sh.newItem(a, ctx)
	case "test-path":
		return sh.testPath(a, ctx)
	case "eseutil":
		return sh.eseutil(a, ctx)
	case "restart-service":
		return sh.restartService(a, ctx)
	}
	return sh.exchangeCmdlet(strings.ToLower(c.name), a, in, piped)
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = toString(e)
		}
		return strings.Join(parts, " ")
	case *object:
		return x.typ
	}
	return fmt.Sprint(v)
}

func (sh *shell) selectObject(a *args, in []any) ([]any, error) {
	if name, ok := a.named["expandproperty"]; ok {
		if _, both := a.named["property"]; both {
			return nil, fmt.Errorf("Select-Object: -Property and -ExpandProperty together are not in the subset")
		}
		return expandProperty(name, in)
	}
	props, ok := a.named["property"]
	if !ok {
		return nil, fmt.Errorf("Select-Object: -Property or -ExpandProperty is required here")
	}
	list, ok := props.([]any)
	if !ok {
		list = []any{props}
	}
	out := make([]any, 0, len(in))
	for _, x := range in {
		o, ok := x.(*object)
		if !ok {
			return nil, fmt.Errorf("Select-Object: input is %T, not an object", x)
		}
		n := newObject("Selected." + o.typ)
		for _, p := range list {
			switch q := p.(type) {
			case string:
				v, _ := o.get(q)
				n.set(q, v)
			case *hashSpec:
				nameV, eV := q.h["n"], q.h["e"]
				if nameV == nil || eV == nil || nameV.kind != vString || eV.kind != vMember {
					return nil, fmt.Errorf("Select-Object: a calculated property must be @{n='Name';e={[string]$_.Name}}")
				}
				v, _ := o.get(eV.member)
				n.set(nameV.text, toString(v))
			default:
				return nil, fmt.Errorf("Select-Object: property %T is not in the subset", p)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// expandProperty is Select-Object -ExpandProperty Name: each input's value of Name; an
// object without it is an error, as in PowerShell.
func expandProperty(name any, in []any) ([]any, error) {
	n, ok := name.(string)
	if !ok {
		return nil, fmt.Errorf("Select-Object: -ExpandProperty takes one property name")
	}
	out := make([]any, 0, len(in))
	for _, x := range in {
		o, ok := x.(*object)
		if !ok {
			return nil, fmt.Errorf("Select-Object: input is %T, not an object", x)
		}
		v, has := o.get(n)
		if !has {
			return nil, fmt.Errorf("Select-Object : Property %q cannot be found.", n)
		}
		out = append(out, v)
	}
	return out, nil
}

func whereObject(a *args, in []any) ([]any, error) {
	prop, err := a.str("Property")
	if err != nil {
		return nil, err
	}
	eq, notMatch := a.has("EQ"), a.has("NotMatch")
	if eq == notMatch {
		return nil, fmt.Errorf("Where-Object: one of -EQ and -NotMatch is in the subset")
	}
	want, err := a.str("Value")
	if err != nil {
		return nil, err
	}
	var re *regexp.Regexp
	if notMatch {
		if re, err = regexp.Compile("(?i)" + want); err != nil {
			return nil, fmt.Errorf("Where-Object: -NotMatch %q: %v", want, err)
		}
	}
	var out []any
	for _, x := range in {
		if o, ok := x.(*object); ok {
			v, _ := o.get(prop)
			if eq && strings.EqualFold(toString(v), want) || notMatch && !re.MatchString(toString(v)) {
				out = append(out, x)
			}
		}
	}
	return out, nil
}

func (sh *shell) newObject(a *args) ([]any, error) {
	t, err := a.str("TypeName")
	if err != nil {
		return nil, err
	}
	if t != "System.Management.Automation.PSCredential" {
		return nil, fmt.Errorf("New-Object: type %q is not in the subset", t)
	}
	list, ok := a.named["argumentlist"].([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("New-Object PSCredential: -ArgumentList must be a user name and a secure string")
	}
	user, ok1 := list[0].(string)
	pw, ok2 := list[1].(*secureString)
	if !ok1 || !ok2 || user == "" {
		return nil, fmt.Errorf("New-Object PSCredential: -ArgumentList must be a user name and a secure string (the environment variables were not set?)")
	}
	return []any{&credential{user, pw.s}}, nil
}

func (sh *shell) newSession(a *args) ([]any, error) {
	conf, err := a.str("ConfigurationName")
	if err != nil {
		return nil, err
	}
	if conf != "Microsoft.Exchange" {
		return nil, fmt.Errorf("New-PSSession: configuration %q is not Microsoft.Exchange", conf)
	}
	uri, err := a.str("ConnectionUri")
	if err != nil {
		return nil, err
	}
	auth, err := a.str("Authentication")
	if err != nil {
		return nil, err
	}
	switch auth {
	case "Kerberos", "Negotiate", "Basic":
	default:
		return nil, fmt.Errorf("New-PSSession: authentication %q", auth)
	}
	wantUser, wantPass := os.Getenv("FAKESHELL_USER"), os.Getenv("FAKESHELL_PASSWORD")
	if wantUser != "" {
		c, ok := a.named["credential"].(*credential)
		if !ok || c.user != wantUser || c.password != wantPass {
			return nil, fmt.Errorf("Connecting to remote server failed: Access is denied")
		}
	}
	return []any{&psSession{uri}}, nil
}

func (sh *shell) invokeCommand(a *args) ([]any, error) {
	server, err := a.str("ComputerName")
	if err != nil {
		return nil, err
	}
	sb, ok := a.named["scriptblock"].(*scriptBlock)
	if !ok {
		return nil, fmt.Errorf("Invoke-Command: -ScriptBlock is required")
	}
	if a.has("Credential") {
		if _, ok := a.named["credential"].(*credential); !ok {
			return nil, fmt.Errorf("Invoke-Command: -Credential is not a credential")
		}
	}
	obs, err := sh.topology()
	if err != nil {
		return nil, err
	}
	srv := obs.Servers[server]
	if srv == nil || !srv.Up {
		return nil, fmt.Errorf("Connecting to remote server %s failed with the following error message : WinRM cannot complete the operation", server)
	}
	return sh.runScript(sb.sc, &execCtx{server: server})
}

func (sh *shell) removeEnv(a *args) ([]any, error) {
	p, err := a.str("LiteralPath")
	if err != nil {
		return nil, err
	}
	name, ok := strings.CutPrefix(p, "Env:")
	if !ok {
		return nil, fmt.Errorf("Remove-Item %s: only Env: items can be removed on this machine", p)
	}
	os.Unsetenv(name)
	return nil, nil
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
