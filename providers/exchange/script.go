package exchange

import (
	"strings"

	"github.com/dialtone/dialtone/providers"
)

// cmdBuilder builds one cmdlet invocation. Code (cmdlet and parameter names, switches)
// comes only from constants in this package; every value goes through str/strs, which
// check it (providers.PSCheckValue) and quote it (providers.PSQuote). The first refused
// value is kept and reported by line.
type cmdBuilder struct {
	b   strings.Builder
	err error
}

func newCmd(name string) *cmdBuilder {
	c := &cmdBuilder{}
	c.b.WriteString(name)
	return c
}

// str adds "-Param 'value'"; field names the value in an error.
func (c *cmdBuilder) str(param, field, value string) *cmdBuilder {
	if c.err == nil {
		c.err = providers.PSCheckValue(field, value)
	}
	c.b.WriteString(" " + param + " " + providers.PSQuote(value))
	return c
}

// strs adds "-Param 'a','b'".
func (c *cmdBuilder) strs(param, field string, values []string) *cmdBuilder {
	q := make([]string, len(values))
	for i, v := range values {
		if c.err == nil {
			c.err = providers.PSCheckValue(field, v)
		}
		q[i] = providers.PSQuote(v)
	}
	c.b.WriteString(" " + param + " " + strings.Join(q, ","))
	return c
}

func (c *cmdBuilder) sw(param string) *cmdBuilder { c.b.WriteString(" " + param); return c }

// raw appends constant code (never a value).
func (c *cmdBuilder) raw(code string) *cmdBuilder { c.b.WriteString(" " + code); return c }

func (c *cmdBuilder) line() (string, error) { return c.b.String(), c.err }

// pipeline joins built commands with " | ", returning the first error.
func pipeline(cmds ...*cmdBuilder) (string, error) {
	parts := make([]string, len(cmds))
	for i, c := range cmds {
		s, err := c.line()
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return strings.Join(parts, " | "), nil
}

// statements renders built commands as statements, each followed by "; " (the
// request's last statement comes after them), returning the first error.
func statements(cmds ...*cmdBuilder) (string, error) {
	var b strings.Builder
	for _, c := range cmds {
		s, err := c.line()
		if err != nil {
			return "", err
		}
		b.WriteString(s + "; ")
	}
	return b.String(), nil
}

// ex starts an Exchange cmdlet with -DomainController pinned (when configured). Every
// Exchange cmdlet this provider uses takes -DomainController, except the transport
// queue cmdlets (Get-Queue, Retry-Queue), which are built with newCmd.
func (p *Provider) ex(name string) *cmdBuilder {
	c := newCmd(name)
	if p.cfg.DomainController != "" {
		c.str("-DomainController", "domain_controller", p.cfg.DomainController)
	}
	return c
}

// selectProps is Select-Object keeping plain (booleans and numbers, as they are) and
// asString properties (converted with [string], so that AD identities, enums, sizes and
// paths arrive as the text Exchange shows, whether the session is remote or local).
func selectProps(plain []string, asString []string) *cmdBuilder {
	parts := append([]string(nil), plain...)
	for _, s := range asString {
		parts = append(parts, "@{n='"+s+"';e={[string]$_."+s+"}}")
	}
	return newCmd("Select-Object").raw("-Property " + strings.Join(parts, ","))
}

// onServer wraps statements in Invoke-Command -ComputerName server -ScriptBlock { ... }:
// the way file and eseutil commands reach an Exchange server from this process.
func (p *Provider) onServer(server string, statements ...string) (string, error) {
	c := newCmd("Invoke-Command").str("-ComputerName", "server name", server)
	if p.cred != nil {
		c.raw("-Credential $dtCred").str("-Authentication", "authentication", p.cfg.Authentication)
	}
	s, err := c.line()
	if err != nil {
		return "", err
	}
	return s + " -ScriptBlock { " + strings.Join(statements, "; ") + " }", nil
}
