package pg

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// errorf formats an error and scrubs the credentials out of its text. The result does
// not wrap the cause (whose own text may hold them); only the SQLSTATE is kept.
func (b *Backend) errorf(format string, args ...any) error {
	return scrubErr(b.secrets, fmt.Errorf(format, args...))
}

func (b *Backend) scrub(err error) error {
	if err == nil {
		return nil
	}
	return scrubErr(b.secrets, err)
}

// Error is an error of this package: its text is scrubbed of credentials.
type Error struct {
	msg string
	// Code is the SQLSTATE of the server's error, if the cause was one.
	Code string
}

func (e *Error) Error() string { return e.msg }

var (
	passwordKV  = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
	passwordURL = regexp.MustCompile(`(?i)(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)`)
)

// scrubErr returns err's text with every secret replaced by "********", and any
// password in a connection string (key=value or URL) as well.
func scrubErr(secrets []string, err error) error {
	if err == nil {
		return nil
	}
	msg := scrubString(secrets, err.Error())
	e := &Error{msg: msg}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e.Code = pe.Code
	}
	return e
}

func scrubString(secrets []string, msg string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "********")
		}
	}
	msg = passwordKV.ReplaceAllString(msg, "${1}********")
	msg = passwordURL.ReplaceAllString(msg, "${1}********${3}")
	return msg
}

// connSecrets are the strings of connStr that must never be shown: the string itself
// and its password, however it is spelled.
func connSecrets(connStr string) []string {
	secrets := []string{connStr}
	if u, err := url.Parse(connStr); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	if m := passwordKV.FindStringSubmatch(connStr); m != nil {
		p := strings.Trim(m[2], "'")
		secrets = append(secrets, m[2], p)
	}
	return secrets
}
