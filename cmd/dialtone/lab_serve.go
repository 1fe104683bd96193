package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// cmdLabServe runs an SMTP listener in front of the lab's transport, so that a drill can
// be driven by any real mail client: each accepted recipient of a message is one lab
// delivery (ledger first; queued while the mailbox's database is not mounted, delivered
// when it is mounted again), exactly like "lab deliver -to=ADDRESS". Unknown recipients
// and system mailboxes are refused with 550. It binds to loopback unless -allow-remote,
// prints the address it listens on, and stops on SIGINT or SIGTERM.
func cmdLabServe(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab serve", "lab serve [-smtp=127.0.0.1:2525] [-allow-remote] [-addr-file=FILE]")
	addr := fs.String("smtp", "127.0.0.1:2525", "address the SMTP listener binds to (port 0: any free port)")
	remote := fs.Bool("allow-remote", false, "allow a non-loopback address (the lab has no authentication)")
	addrFile := fs.String("addr-file", "", "write the address listened on to FILE once listening (for scripts)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab serve takes no arguments (got %q)", fs.Arg(0))
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return c.errorf("-smtp=%s: %v", *addr, err)
	}
	if !*remote && !isLoopback(host) {
		return c.errorf("-smtp=%s is not a loopback address: the lab's SMTP listener has no authentication; add -allow-remote to bind to it anyway", *addr)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return c.errorf("listening on %s: %v", *addr, err)
		}
		srv := smtp.NewServer(&smtpBackend{c: c, l: l})
		srv.Domain = "lab.dialtone"
		srv.ReadTimeout = time.Minute
		srv.WriteTimeout = time.Minute
		srv.MaxMessageBytes = 10 << 20
		srv.MaxRecipients = 100
		srv.ErrorLog = hclogSMTP{c}
		bound := ln.Addr().String()
		if *addrFile != "" {
			if err := writeFileAtomic(c.path(*addrFile), []byte(bound+"\n"), 0o644); err != nil {
				ln.Close()
				return c.errorf("writing -addr-file: %v", err)
			}
		}
		fmt.Fprintf(c.stdout, "Lab SMTP listener on %s: mail for the lab's mailboxes goes through its transport (queued while a database is down). Stop with Ctrl-C.\n", bound)
		c.log.Info("lab smtp listening", "addr", bound)
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		select {
		case <-c.ctx.Done():
			srv.Close()
			<-done
			fmt.Fprintln(c.stdout, "Lab SMTP listener stopped.")
			return exitOK
		case err := <-done:
			if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
				return c.errorf("SMTP listener: %v", err)
			}
			return exitOK
		}
	})
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// smtpBackend hands each connection a session on the lab.
type smtpBackend struct {
	c  *cli
	l  *lab.Lab
	mu sync.Mutex // one delivery at a time: the lab serialises anyway, this keeps the log in order
}

func (b *smtpBackend) NewSession(conn *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b, remote: conn.Conn().RemoteAddr().String()}, nil
}

// smtpSession is one SMTP transaction at a time: MAIL, RCPT..., DATA.
type smtpSession struct {
	b      *smtpBackend
	remote string
	from   string
	rcpts  []string
}

func (s *smtpSession) Reset()        { s.from, s.rcpts = "", nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts a lab user mailbox and refuses anything else with 550 5.1.1.
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr, err := s.b.l.LookupRecipient(to)
	if errors.Is(err, lab.ErrNoMailbox) {
		s.b.c.log.Info("smtp recipient refused", "to", to, "remote", s.remote)
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
func (s *smtpSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for _, to := range s.rcpts {
		acc, err := s.b.l.Deliver(to, 1)
		if err != nil {
			s.b.c.log.Warn("smtp delivery failed", "to", to, "error", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lab transport failed, try again"}
		}
		for _, a := range acc {
			s.b.c.log.Info("smtp message accepted", "to", a.To, "message_id", a.MessageID, "queued", a.Queued, "from", s.from)
		}
	}
	return nil
}

// hclogSMTP passes go-smtp's errors to the logger.
type hclogSMTP struct{ c *cli }

func (h hclogSMTP) Printf(format string, v ...any) { h.c.log.Warn(fmt.Sprintf(format, v...)) }
func (h hclogSMTP) Println(v ...any)               { h.c.log.Warn(fmt.Sprint(v...)) }
