package config

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ProviderTypes lists the providers this build can use, in the order shown to users.
var ProviderTypes = []string{"lab", "exchange"}

// Authentication mechanisms of a remote Exchange session (New-PSSession -Authentication).
const (
	AuthKerberos  = "Kerberos"
	AuthNegotiate = "Negotiate"
	AuthBasic     = "Basic"
)

// Authentications lists the authentication values of the exchange provider.
var Authentications = []string{AuthKerberos, AuthNegotiate, AuthBasic}

// DefaultExchangeCommand is the PowerShell process the exchange provider runs when
// command is left out; it reads the script from standard input.
var DefaultExchangeCommand = []string{"pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"}

var labProviderSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "path"}, {Name: "latency"}, {Name: "time_scale"}, {Name: "latency_overrides"}},
}

// LatencyModels are the values of provider "lab" { latency }: "none" (the lab's own
// speed, the default) or "exchange" (each operation lasts what it would on Exchange).
var LatencyModels = []string{"none", "exchange"}

// MaxSessionsCeiling is the most max_sessions accepts. Each session is a PowerShell
// process on the machine that runs dialtone and a remote PowerShell runspace on the
// Exchange server connection_uri names, all on that one server, which the recovery
// needs for its own work; and a pool larger than -parallelism is never used.
const MaxSessionsCeiling = 64

// credentialAttributes are names people reach for to put a credential in the block;
// they are in the schema only to be refused with a helpful diagnostic.
var credentialAttributes = []string{"username", "password", "credential"}

var exchangeProviderSchema = &hcl.BodySchema{
	Attributes: append([]hcl.AttributeSchema{
		{Name: "command"},
		{Name: "connection_uri"},
		{Name: "authentication"},
		{Name: "domain_controller"},
		{Name: "no_autodiscover_attribute"},
		{Name: "max_sessions"},
		{Name: "credential_env"},
		{Name: "credential_file"},
	}, func() []hcl.AttributeSchema {
		var out []hcl.AttributeSchema
		for _, name := range credentialAttributes {
			out = append(out, hcl.AttributeSchema{Name: name})
		}
		return out
	}()...),
}

// decodeProvider decodes a provider block; one per working directory.
func (l *loader) decodeProvider(block *hcl.Block) hcl.Diagnostics {
	if l.provider != nil {
		return hcl.Diagnostics{errorAt(block.DefRange, "Duplicate provider block",
			"A provider block was already declared at %s. A working directory recovers through one provider; remove one of them.",
			*l.provider)}
	}
	l.provider = block.DefRange.Ptr()

	typ := block.Labels[0]
	var diags hcl.Diagnostics
	p := &Provider{Type: typ, DeclRange: block.DefRange}
	switch typ {
	case "lab":
		p.Path = DefaultLabPath
		diags = decodeLabProvider(p, block)
	case "exchange":
		p.Command = append([]string(nil), DefaultExchangeCommand...)
		p.Authentication = AuthKerberos
		diags = decodeExchangeProvider(p, block)
	default:
		return hcl.Diagnostics{errorAt(block.LabelRanges[0], "Unknown provider type",
			"dialtone has no provider %q. Supported provider types: %s.", truncate(typ), quoteList(ProviderTypes))}
	}
	l.cfg.Provider = p
	return diags
}

func decodeLabProvider(p *Provider, block *hcl.Block) hcl.Diagnostics {
	body, diags := content(block.Body, labProviderSchema)
	if path := body.Attributes["path"]; path != nil {
		diags = append(diags, decodeString(path, &p.Path)...)
		if p.Path == "" {
			diags = append(diags, errorAt(path.Expr.Range(), "Empty lab path",
				"The lab provider needs the folder of its simulated organization, relative to the working directory. Leave path out for the default %q.",
				DefaultLabPath))
		}
	}
	return append(diags, decodeLatency(p, body)...)
}

// decodeLatency decodes the lab's latency model: latency, time_scale and
// latency_overrides (operation or rate -> duration; the lab checks the names).
func decodeLatency(p *Provider, body *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	lat := body.Attributes["latency"]
	if lat != nil {
		d := decodeString(lat, &p.Latency)
		diags = append(diags, d...)
		if !d.HasErrors() && !oneOf(p.Latency, LatencyModels) {
			diags = append(diags, errorAt(lat.Expr.Range(), "Unknown latency model",
				"latency %q is not a model of the lab. Use \"exchange\" (each operation lasts what it would on Exchange) or \"none\" (the lab's own speed, the default).",
				truncate(p.Latency)))
			p.Latency = ""
		}
	}
	modelled := p.Latency == "exchange"
	if ts := body.Attributes["time_scale"]; ts != nil {
		v, d := literal(ts, cty.Number, "a number")
		diags = append(diags, d...)
		if v != cty.NilVal {
			f, _ := v.AsBigFloat().Float64()
			switch {
			case !modelled:
				diags = append(diags, errorAt(ts.NameRange, "time_scale without a latency model",
					"time_scale scales the modelled durations of latency = \"exchange\"; set latency = \"exchange\" or remove time_scale."))
			case f <= 0 || f > 1000:
				diags = append(diags, errorAt(ts.Expr.Range(), "Invalid time_scale",
					"time_scale is how much of the modelled time the lab waits: above 0 and at most 1000 (1: real time, 0.01: a hundred times faster, as in tests)."))
			default:
				p.TimeScale = f
			}
		}
	}
	if ov := body.Attributes["latency_overrides"]; ov != nil {
		v, d := literal(ov, cty.Map(cty.String), "a map of operation names to durations, like { mount_database = \"45s\" }")
		diags = append(diags, d...)
		switch {
		case v == cty.NilVal:
		case !modelled:
			diags = append(diags, errorAt(ov.NameRange, "latency_overrides without a latency model",
				"latency_overrides changes figures of latency = \"exchange\"; set latency = \"exchange\" or remove latency_overrides."))
		default:
			p.LatencyOverrides = map[string]string{}
			for k, e := range v.AsValueMap() {
				p.LatencyOverrides[k] = e.AsString()
			}
		}
	}
	return diags
}

// envNameRE is the prefix of an environment variable name.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// decodeExchangeProvider decodes provider "exchange": how to reach the Exchange
// Management Shell. Credentials are never literals here: credential_env names the
// environment variables that hold them, credential_file a file.
func decodeExchangeProvider(p *Provider, block *hcl.Block) hcl.Diagnostics {
	body, diags := content(block.Body, exchangeProviderSchema)
	for _, name := range credentialAttributes {
		if attr := body.Attributes[name]; attr != nil {
			// The value is never evaluated or quoted back.
			diags = append(diags, errorAt(attr.NameRange, "Credential in the configuration",
				"Credentials never go in HCL: they would end up in git, in reviews and in backups. Remove %s and set credential_env = \"NAME\" (the provider reads NAME_USERNAME and NAME_PASSWORD from the environment) or credential_file = \"PATH\" (a file holding the credential, outside the repository).",
				name))
		}
	}
	if attr := body.Attributes["command"]; attr != nil {
		cmd, d := decodeCommand(attr)
		diags = append(diags, d...)
		if cmd != nil {
			p.Command = cmd
		}
	}
	uri := body.Attributes["connection_uri"]
	uriOK := false
	if uri != nil {
		d := decodeString(uri, &p.ConnectionURI)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if problem := connectionURIProblem(p.ConnectionURI); problem != "" {
				shown := p.ConnectionURI
				if u, err := url.Parse(shown); err == nil && u.User != nil {
					shown = u.Redacted() // never quote a password back
				}
				diags = append(diags, errorAt(uri.Expr.Range(), "Invalid connection URI",
					"connection_uri %q %s. It is the URL of the Exchange server's remote PowerShell endpoint, like \"https://ex01.contoso.com/PowerShell/\"; leave it out to use a local Exchange Management Shell.",
					truncate(shown), problem))
				p.ConnectionURI = ""
			} else {
				uriOK = true
			}
		}
	}
	auth := body.Attributes["authentication"]
	authOK := false
	if auth != nil {
		d := decodeString(auth, &p.Authentication)
		diags = append(diags, d...)
		switch {
		case d.HasErrors():
		case !oneOf(p.Authentication, Authentications):
			diags = append(diags, errorAt(auth.Expr.Range(), "Invalid authentication",
				"authentication %q is not one dialtone uses. Use %s (spelled as shown); the default is %q.",
				truncate(p.Authentication), quoteList(Authentications), AuthKerberos))
			p.Authentication = AuthKerberos
		default:
			authOK = true
		}
	}
	if dc := body.Attributes["domain_controller"]; dc != nil {
		d := decodeString(dc, &p.DomainController)
		diags = append(diags, d...)
		if !d.HasErrors() && !hostnameRE.MatchString(p.DomainController) {
			diags = append(diags, errorAt(dc.Expr.Range(), "Invalid domain controller",
				"domain_controller %q is not a host name. Write the domain controller's name, like \"dc01.contoso.com\", as -DomainController takes it.",
				truncate(p.DomainController)))
			p.DomainController = ""
		}
	}
	if na := body.Attributes["no_autodiscover_attribute"]; na != nil {
		d := decodeString(na, &p.NoAutodiscoverAttribute)
		diags = append(diags, d...)
		if !d.HasErrors() && !customAttributeRE.MatchString(p.NoAutodiscoverAttribute) {
			diags = append(diags, errorAt(na.Expr.Range(), "Invalid custom attribute",
				"no_autodiscover_attribute %q is not one of Exchange's custom mailbox attributes. Write CustomAttribute1 to CustomAttribute15: the one where your organization writes \"NoAutodiscover\" for mailboxes whose clients do not use Autodiscover.",
				truncate(p.NoAutodiscoverAttribute)))
			p.NoAutodiscoverAttribute = ""
		}
	}
	if ms := body.Attributes["max_sessions"]; ms != nil {
		n := 0
		d := decodeInt(ms, &n)
		diags = append(diags, d...)
		switch {
		case d.HasErrors():
		case n < 1 || n > MaxSessionsCeiling:
			diags = append(diags, errorAt(ms.Expr.Range(), "Invalid max_sessions",
				"max_sessions = %d: the pool holds 1 to %d PowerShell sessions. Leave it out for 12, below the 18 remote PowerShell sessions per user of Exchange's default throttling policy (PowerShellMaxConcurrency); set more only for an account whose throttling policy allows more (Get-ThrottlingPolicy | Format-List Name,PowerShellMaxConcurrency), and keep a few for your own shells. Above %d, each session is still a process here and a runspace on the one Exchange server connection_uri names.",
				n, MaxSessionsCeiling, MaxSessionsCeiling))
		default:
			p.MaxSessions = n
		}
	}
	env, file := body.Attributes["credential_env"], body.Attributes["credential_file"]
	if env != nil {
		d := decodeString(env, &p.CredentialEnv)
		diags = append(diags, d...)
		if !d.HasErrors() && !envNameRE.MatchString(p.CredentialEnv) {
			diags = append(diags, errorAt(env.Expr.Range(), "Invalid credential variable",
				"credential_env %q is not the name of an environment variable. It is a prefix such as \"EXCHANGE\": the provider reads EXCHANGE_USERNAME and EXCHANGE_PASSWORD. Use letters, digits and underscores, starting with a letter.",
				truncate(p.CredentialEnv)))
			p.CredentialEnv = ""
		}
	}
	if file != nil {
		d := decodeString(file, &p.CredentialFile)
		diags = append(diags, d...)
		if !d.HasErrors() && (strings.TrimSpace(p.CredentialFile) == "" || hasControl(p.CredentialFile)) {
			diags = append(diags, errorAt(file.Expr.Range(), "Invalid credential file",
				"credential_file needs the path of the file holding the credential, relative to the working directory or absolute; keep the file out of the repository."))
			p.CredentialFile = ""
		}
	}
	if env != nil && file != nil {
		diags = append(diags, errorAt(file.Expr.Range(), "Two credential sources",
			"Both credential_env and credential_file are set; the provider takes its credential from one place. Remove one of them."))
	}
	if authOK && p.Authentication == AuthBasic {
		switch {
		case uriOK && strings.HasPrefix(strings.ToLower(p.ConnectionURI), "http:"):
			diags = append(diags, errorAt(auth.Expr.Range(), "Basic authentication over http",
				"Basic authentication sends the password readable by anyone on the path when the connection_uri is http://. Use an https:// connection_uri, or authentication = \"Kerberos\" (or \"Negotiate\"), which never send the password."))
		case env == nil && file == nil:
			diags = append(diags, errorAt(auth.Expr.Range(), "Basic authentication without a credential",
				"Basic authentication needs a user name and password. Set credential_env = \"NAME\" (NAME_USERNAME and NAME_PASSWORD in the environment) or credential_file, or use authentication = \"Kerberos\" to run as the signed-in user."))
		}
	}
	return diags
}

// hostnameRE is a DNS name or NetBIOS name: letters, digits, hyphens and dots.
var customAttributeRE = regexp.MustCompile(`^CustomAttribute([1-9]|1[0-5])$`)

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$`)

// connectionURIProblem says why s is not an http(s) URL of a remote PowerShell
// endpoint, or "" when it is one.
func connectionURIProblem(s string) string {
	if hasControl(s) || strings.ContainsAny(s, " \t") {
		return "contains spaces or control characters"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme == "" || u.Opaque != "":
		return "is not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "does not start with http:// or https://"
	case u.Host == "" || u.Hostname() == "":
		return "names no server"
	case u.User != nil:
		return "holds a user name; credentials go in credential_env or credential_file"
	}
	return ""
}

// decodeCommand decodes command = ["pwsh", "-NoLogo", ...]: the program and its
// arguments, each checked at its own range.
func decodeCommand(attr *hcl.Attribute) ([]string, hcl.Diagnostics) {
	const shape = `command is a list of strings in brackets, the program first and then its arguments, like ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"].`
	elems, d := hcl.ExprList(attr.Expr)
	if d.HasErrors() {
		return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid command", "%s", shape)}
	}
	if len(elems) == 0 {
		return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid command",
			"command is empty. %s Leave it out for that default.", shape)}
	}
	var diags hcl.Diagnostics
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		v, d := literal(&hcl.Attribute{Name: "command", Expr: bind(attr.Expr, e), Range: e.Range()}, cty.String, "a string")
		diags = append(diags, d...)
		if v == cty.NilVal {
			continue
		}
		arg := v.AsString()
		if arg == "" || hasControl(arg) {
			diags = append(diags, errorAt(e.Range(), "Invalid command argument",
				"Each element of command is one non-empty argument without control characters or newlines. %s", shape))
			continue
		}
		out = append(out, arg)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return out, diags
}
