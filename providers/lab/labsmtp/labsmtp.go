// Package labsmtp is an SMTP listener in front of the lab's transport, so that a drill
// can be driven by any real mail client: each accepted recipient of a message is one lab
// delivery (ledger first; queued while the mailbox's database is not mounted, delivered
// when it is mounted again), exactly like "lab deliver -to=ADDRESS". Unknown recipients
// and system mailboxes are refused with 550.
package labsmtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers/lab"
)

// Serve accepts SMTP connections on ln for the lab l until ctx is done (then it closes
// the listener and returns nil) or the server fails.
func Serve(ctx context.Context, ln net.Listener, l *lab.Lab, log hclog.Logger) error {
	srv := NewServer(l, log)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		srv.Close()
		<-done
		return nil
	case err := <-done:
		if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// NewServer returns the lab's SMTP server (not yet serving).
func NewServer(l *lab.Lab, log hclog.Logger) *smtp.Server {
	srv := smtp.NewServer(&backend{log: log, l: l})
	srv.Domain = "lab.dialtone"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 100
	srv.ErrorLog = hclogSMTP{log}
	return srv
}

// IsLoopback is true for "localhost" and loopback IP addresses: the listener has no
// authentication, so it binds to them unless told otherwise.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// backend hands each connection a session on the lab.
type backend struct {
	log hclog.Logger
	l   *lab.Lab
	mu  sync.Mutex // one delivery at a time: the lab serialises anyway, this keeps the log in order
}

func (b *backend) NewSession(conn *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, remote: conn.Conn().RemoteAddr().String()}, nil
}

// session is one SMTP transaction at a time: MAIL, RCPT..., DATA.
type session struct {
	b      *backend
	remote string
	from   string
	rcpts  []string
}

func (s *session) Reset()        { s.from, s.rcpts = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts a lab user mailbox and refuses anything else with 550 5.1.1.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr, err := s.b.l.LookupRecipient(to)
	if errors.Is(err, lab.ErrNoMailbox) {
		s.b.log.Info("smtp recipient refused", "to", to, "remote", s.remote)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: fmt.Sprintf("%s: no such lab mailbox", to)}
	}
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lab unavailable, try again"}
	}
	s.rcpts = append(s.rcpts, addr)
	return nil
}

// Data reads the message and delivers it once per recipient through the lab transport.
// The lab's messages are its own (the ledger names them); the body only has to arrive.
func (s *session) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for _, to := range s.rcpts {
		acc, err := s.b.l.Deliver(to, 1)
		if err != nil {
			s.b.log.Warn("smtp delivery failed", "to", to, "error", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lab transport failed, try again"}
		}
		for _, a := range acc {
			s.b.log.Info("smtp message accepted", "to", a.To, "message_id", a.MessageID, "queued", a.Queued, "from", s.from)
		}
	}
	return nil
}

// hclogSMTP passes go-smtp's errors to the logger.
type hclogSMTP struct{ log hclog.Logger }

func (h hclogSMTP) Printf(format string, v ...any) { h.log.Warn(fmt.Sprintf(format, v...)) }
func (h hclogSMTP) Println(v ...any)               { h.log.Warn(fmt.Sprint(v...)) }
