// Package exchange is the Exchange provider: it drives a real Exchange organization
// through the Exchange Management Shell. It runs PowerShell processes (by default
// pwsh -NoLogo -NoProfile -NonInteractive -Command -), up to one per step that apply runs
// at once (pool.go), opens the Exchange session in each (a remote session to
// ConnectionURI, or the local Exchange snap-in), and talks to them over stdin/stdout
// with the framing protocol of shell.go: one request line per command, one JSON
// response line back.
//
// Every value that reaches PowerShell is a single-quoted literal (providers.PSQuote) and
// values with control characters or line breaks are refused (providers.PSCheckValue);
// no value is ever spliced in as code. Every cmdlet that takes -DomainController gets
// the one configured, so each read of a run sees the run's own writes. Files on the
// Exchange servers (copies, moves, eseutil) are handled with Invoke-Command -ComputerName
// <server> from the session's process. Credentials come from environment variables or a file,
// are handed to the process through its environment only, and never appear in a command
// line, a log or an error.
package exchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
	"github.com/dialtone/dialtone/state"
)

// customAttribute matches the names of Exchange's custom mailbox attributes.
var customAttribute = regexp.MustCompile(`^CustomAttribute([1-9]|1[0-5])$`)

// NoAutodiscoverValue is the value of Settings.NoAutodiscoverAttribute that marks a
// mailbox whose clients do not use Autodiscover.
const NoAutodiscoverValue = "NoAutodiscover"

// DefaultCommand is the PowerShell process run when Settings.Command is empty.
var DefaultCommand = []string{"pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"}

// Settings mirror the exchange fields of config.Provider.
type Settings struct {
	Command          []string // the PowerShell process; empty: DefaultCommand
	ConnectionURI    string   // remote session URI (http://ex01.contoso.com/PowerShell/); empty: local Exchange Management Shell snap-in
	Authentication   string   // Kerberos (default) | Negotiate | Basic
	DomainController string   // pinned for the whole run; empty: Exchange picks one per cmdlet
	CredentialEnv    string   // prefix of <PREFIX>_USERNAME and <PREFIX>_PASSWORD
	CredentialFile   string   // a file: the user name on the first line, the password on the second

	// NoAutodiscoverAttribute names the mailbox attribute (CustomAttribute1 to
	// CustomAttribute15) by which the organization marks mailboxes whose clients do not
	// use Autodiscover: a mailbox whose attribute holds "NoAutodiscover" (any case) is
	// read as state.Mailbox.NoAutodiscover, and the plan lists it for a manual profile
	// repointing after each re-home to another server. Empty: Exchange cannot know which
	// clients lack Autodiscover, and no mailbox is marked.
	NoAutodiscoverAttribute string

	// MaxSessions bounds the pool of PowerShell sessions (max_sessions): 0 is
	// DefaultMaxSessions. The pool holds Sessions(-parallelism, MaxSessions).
	MaxSessions int

	// PollInterval is how often a restore request is polled (default 10s).
	PollInterval time.Duration
	// MaxResponseBytes limits one response of PowerShell (default 512 MiB).
	MaxResponseBytes int
	// Env is added to the process's environment (tests use it to configure a double).
	Env []string
}

// The environment variables through which the credential reaches the process. They are
// set in the child's environment only; the startup script reads them and removes the
// password from its environment at once.
const (
	envUser     = "DIALTONE_EXCHANGE_USERNAME"
	envPassword = "DIALTONE_EXCHANGE_PASSWORD"
)

// Provider is the Exchange provider. It is safe for concurrent use: each request runs
// on one session of a pool of PowerShell processes (pool.go), so steps that apply walks
// in parallel run side by side.
type Provider struct {
	cfg  Settings
	log  hclog.Logger
	cred *credential

	pool *pool
	// infoMu guards audit and version, which any session's read may set.
	infoMu sync.Mutex
	audit  *bool // Get-Mailbox -AuditLog/-AuxAuditLog available (Exchange 2016 and later); nil: not known yet
	// version is the organization's Exchange version (its oldest server's), which the
	// command lines of providers/ems are written for; "" until the servers are read.
	version ems.Version
	// ran, set only by tests, is told every providers/ems line the provider runs, as
	// the plan shows it (without -DomainController).
	ran func(ctx context.Context, line string)

	// rdbCache holds the MailboxGuids listed by Get-MailboxStatistics per recovery
	// database during merges; any other operation clears it.
	cacheMu  sync.Mutex
	rdbCache map[string]map[string]bool

	// testRun, set only by this package's fuzz tests, answers every request in place of
	// the PowerShell process, so that the parsing behind Read and Apply meets any bytes.
	testRun func(ctx context.Context, body string) ([]byte, error)
	testMu  sync.Mutex
}

type credential struct{ user, password string }

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Closer   = (*Provider)(nil)
	_ providers.Checker  = (*Provider)(nil)

	_ providers.ScopedReader = (*Provider)(nil)
	_ providers.Parallel     = (*Provider)(nil)
	_ providers.Concurrency  = (*Provider)(nil)
)

// New checks cfg and reads the credential. The PowerShell process starts at the first
// request (so "dialtone validate" and plan rendering never start it).
func New(cfg Settings, log hclog.Logger) (*Provider, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if len(cfg.Command) == 0 {
		cfg.Command = DefaultCommand
	}
	switch strings.ToLower(cfg.Authentication) {
	case "":
		cfg.Authentication = "Kerberos"
	case "kerberos":
		cfg.Authentication = "Kerberos"
	case "negotiate":
		cfg.Authentication = "Negotiate"
	case "basic":
		cfg.Authentication = "Basic"
	default:
		return nil, fmt.Errorf("exchange provider: authentication %q is not Kerberos, Negotiate or Basic", cfg.Authentication)
	}
	for field, v := range map[string]string{"connection_uri": cfg.ConnectionURI, "domain_controller": cfg.DomainController} {
		if err := providers.PSCheckValue(field, v); err != nil {
			return nil, fmt.Errorf("exchange provider: %w", err)
		}
	}
	if cfg.ConnectionURI != "" && !strings.HasPrefix(strings.ToLower(cfg.ConnectionURI), "http://") && !strings.HasPrefix(strings.ToLower(cfg.ConnectionURI), "https://") {
		return nil, fmt.Errorf("exchange provider: connection_uri %q is not an http:// or https:// URI", cfg.ConnectionURI)
	}
	if a := cfg.NoAutodiscoverAttribute; a != "" && !customAttribute.MatchString(a) {
		return nil, fmt.Errorf("exchange provider: no_autodiscover_attribute %q is not CustomAttribute1 to CustomAttribute15", a)
	}
	if cfg.MaxSessions < 0 {
		return nil, fmt.Errorf("exchange provider: max_sessions %d is below 1", cfg.MaxSessions)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 10 * time.Second
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 512 << 20
	}
	cred, err := readCredential(cfg)
	if err != nil {
		return nil, fmt.Errorf("exchange provider: %w", err)
	}
	if cfg.Authentication == "Basic" && cred == nil {
		return nil, errors.New("exchange provider: Basic authentication needs a credential (credential_env or credential_file)")
	}
	p := &Provider{cfg: cfg, log: log.Named("exchange"), cred: cred}
	p.pool = newPool(p.sessions(DefaultSessions))
	return p, nil
}

// readCredential reads the credential from the environment or the file. Errors name the
// variable or the file, never the content.
func readCredential(cfg Settings) (*credential, error) {
	switch {
	case cfg.CredentialEnv != "" && cfg.CredentialFile != "":
		return nil, errors.New("credential_env and credential_file are both set; use one")
	case cfg.CredentialEnv != "":
		u, p := os.Getenv(cfg.CredentialEnv+"_USERNAME"), os.Getenv(cfg.CredentialEnv+"_PASSWORD")
		if u == "" || p == "" {
			return nil, fmt.Errorf("credential_env = %q: set both %s_USERNAME and %s_PASSWORD in the environment", cfg.CredentialEnv, cfg.CredentialEnv, cfg.CredentialEnv)
		}
		if err := checkCredential(u, p); err != nil {
			return nil, fmt.Errorf("credential from %s_USERNAME/%s_PASSWORD: %w", cfg.CredentialEnv, cfg.CredentialEnv, err)
		}
		return &credential{u, p}, nil
	case cfg.CredentialFile != "":
		st, err := os.Stat(cfg.CredentialFile)
		if err != nil {
			return nil, fmt.Errorf("credential_file: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 && os.PathSeparator == '/' {
			return nil, fmt.Errorf("credential_file %s can be read by other users (mode %v); chmod 600 it", cfg.CredentialFile, st.Mode().Perm())
		}
		u, p, err := ReadCredentialFile(cfg.CredentialFile)
		if err != nil {
			return nil, err
		}
		if err := checkCredential(u, p); err != nil {
			return nil, fmt.Errorf("credential_file %s: %w", cfg.CredentialFile, err)
		}
		return &credential{u, p}, nil
	}
	return nil, nil
}

// ReadCredentialFile reads a credential_file: the user name on the first line, the
// password on the second (CRLF or LF). Errors name the file, never the content. It does
// not check the mode or the characters (the provider does); the caller may use it to
// learn the secrets to keep out of logs without starting anything.
func ReadCredentialFile(path string) (user, password string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("credential_file: %w", err)
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) == "" || lines[1] == "" {
		return "", "", fmt.Errorf("credential_file %s must hold the user name on its first line and the password on its second", path)
	}
	return strings.TrimSpace(lines[0]), lines[1], nil
}

// checkCredential refuses control characters without quoting the value.
func checkCredential(u, p string) error {
	for _, v := range []struct{ name, s string }{{"the user name", u}, {"the password", p}} {
		if providers.PSCheckValue("x", v.s) != nil {
			return fmt.Errorf("%s holds a control character or line break", v.name)
		}
	}
	return nil
}

// Capabilities: the provider moves, copies, renames in place and deletes files and
// replays logs on the servers; restoring from backup software and rebuilding a server
// are manual.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{RestoreBackup: false, MoveFiles: true, RenameFiles: true, DeleteFiles: true, ReplayLogs: true, RecoverServer: false}
}

// Close ends the PowerShell processes: the idle ones now, any still running a request
// when it is answered. A request after Close opens a session again.
func (p *Provider) Close() error {
	return p.pool.closeAll()
}

// startup is the script that prepares the process: stop on every error, take the
// credential from the environment, open the Exchange session.
func (p *Provider) startup() []string {
	lines := []string{"$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'"}
	if p.cred != nil {
		lines = append(lines, "$dtCred = New-Object -TypeName 'System.Management.Automation.PSCredential' -ArgumentList $env:"+envUser+
			",(ConvertTo-SecureString -String $env:"+envPassword+" -AsPlainText -Force); Remove-Item -LiteralPath 'Env:"+envPassword+"'")
	}
	if p.cfg.ConnectionURI != "" {
		c := newCmd("New-PSSession").str("-ConfigurationName", "configuration name", "Microsoft.Exchange").
			str("-ConnectionUri", "connection_uri", p.cfg.ConnectionURI).str("-Authentication", "authentication", p.cfg.Authentication)
		if p.cred != nil {
			c.raw("-Credential $dtCred")
		}
		s, _ := c.line()
		lines = append(lines, "$dtSession = "+s, "Import-PSSession -Session $dtSession -DisableNameChecking -AllowClobber | Out-Null")
	} else {
		lines = append(lines, "Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'")
	}
	return lines
}

// Read reports the organization: servers, databases, mailboxes and restore requests.
func (p *Provider) Read(ctx context.Context) (*state.Observed, error) {
	return p.read(ctx, nil)
}

// ReadScoped is Read with the mailboxes of databases only (Get-Mailbox -Database X
// -ResultSize Unlimited per database and mailbox kind); servers, databases and
// restore requests are read in full.
func (p *Provider) ReadScoped(ctx context.Context, databases []string) (*state.Observed, error) {
	if databases == nil {
		databases = []string{}
	}
	return p.read(ctx, databases)
}
