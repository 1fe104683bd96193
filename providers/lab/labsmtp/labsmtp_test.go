package labsmtp

import (
	"context"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers/lab"
)

func newLab(t *testing.T) *lab.Lab {
	t.Helper()
	topo := lab.Topology{
		Servers: []lab.ServerSpec{{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4"}},
		Databases: []lab.DatabaseSpec{
			{Name: "DB01", Server: "EX01", EdbFilePath: `D:\Databases\DB01\DB01.edb`, LogFolderPath: `D:\Databases\DB01\Logs`},
			{Name: "DB02", Server: "EX01", EdbFilePath: `D:\Databases\DB02\DB02.edb`, LogFolderPath: `D:\Databases\DB02\Logs`},
		},
	}
	l, err := lab.Init(filepath.Join(t.TempDir(), "lab"), topo, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// serve starts the listener on a free loopback port and stops it at the end of the test.
func serve(t *testing.T, l *lab.Lab) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, l, hclog.NewNullLogger()) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve after cancel = %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context was cancelled")
		}
	})
	return ln.Addr().String()
}

func send(addr string, to ...string) error {
	return smtp.SendMail(addr, nil, "alice@example.org", to, []byte("Subject: drill\r\n\r\nhello\r\n"))
}

func verify(t *testing.T, l *lab.Lab) *lab.VerifyReport {
	t.Helper()
	r, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDeliversEachRecipientOnce(t *testing.T) {
	l := newLab(t)
	addr := serve(t, l)
	if err := send(addr, "db01-user0001@contoso.com", "DB02-USER0002@contoso.com"); err != nil {
		t.Fatal(err)
	}
	r := verify(t, l)
	if r.Accepted != 2 || r.Delivered != 2 || !r.OK() {
		t.Fatalf("after one message to two mailboxes: %+v", r)
	}
}

func TestRefusesUnknownRecipientWith550(t *testing.T) {
	l := newLab(t)
	addr := serve(t, l)
	err := send(addr, "nobody@contoso.com")
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 {
		t.Fatalf("mail to an unknown address: %v, want a 550 refusal", err)
	}
	if r := verify(t, l); r.Accepted != 0 {
		t.Fatalf("a refused message reached the ledger: %+v", r)
	}
}

func TestQueuesWhileTheDatabaseIsDown(t *testing.T) {
	l := newLab(t)
	addr := serve(t, l)
	if err := l.FailDatabase("DB01", "corrupt"); err != nil {
		t.Fatal(err)
	}
	if err := send(addr, "db01-user0001@contoso.com"); err != nil {
		t.Fatalf("mail to a mailbox whose database is down must be accepted and queued: %v", err)
	}
	r := verify(t, l)
	if r.Accepted != 1 || len(r.Queued) != 1 {
		t.Fatalf("mail for a failed database: %+v, want 1 accepted and queued", r)
	}
}

func TestServeReturnsWhenTheListenerFails(t *testing.T) {
	l := newLab(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Accept fails at once
	if err := Serve(context.Background(), ln, l, hclog.NewNullLogger()); err == nil {
		t.Fatal("Serve on a closed listener = nil, want its error")
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.1": true, "::1": true,
		"0.0.0.0": false, "192.168.1.10": false, "": false, "mail.contoso.com": false, "::": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
