package exchange

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeErrorsNameCmdletAndField(t *testing.T) {
	recs, err := decodeRecords("Get-MailboxDatabase", []byte(`[{"Name":"DB01","Mounted":"yes","Recovery":false}]`))
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if _, err := r.boolean("Mounted", true); err == nil || !strings.Contains(err.Error(), `Get-MailboxDatabase: object 1 ("DB01"): field Mounted: want true or false`) {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := r.str("Server", true); err == nil || err.Error() != `Get-MailboxDatabase: object 1 ("DB01"): field Server is missing` {
		t.Errorf("missing: %v", err)
	}
	if _, err := r.boolean("Recovery", false); err != nil {
		t.Error(err)
	}
	if _, err := decodeRecords("Get-Mailbox", []byte(`{"a":1}`)); err == nil || !strings.Contains(err.Error(), "Get-Mailbox: the response is not a JSON array") {
		t.Errorf("not an array: %v", err)
	}
	if _, err := decodeRecords("Get-Mailbox", []byte(`[1]`)); err == nil || !strings.Contains(err.Error(), "object 1 of the response is not a JSON object") {
		t.Errorf("not an object: %v", err)
	}
}

func TestDecodeValues(t *testing.T) {
	recs, _ := decodeRecords("x", []byte(`[{"A":"1.5 GB (1,610,612,736 bytes)","B":"","C":42,"D":"Unlimited","E":"12"}]`))
	r := recs[0]
	if n, err := r.size("A"); err != nil || n != 1610612736 {
		t.Errorf("size: %d %v", n, err)
	}
	if n, err := r.size("B"); err != nil || n != 0 {
		t.Errorf("empty size: %d %v", n, err)
	}
	if n, err := r.number("C", true); err != nil || n != 42 {
		t.Errorf("number: %d %v", n, err)
	}
	if n, err := r.number("D", true); err != nil || n != -1 {
		t.Errorf("Unlimited: %d %v", n, err)
	}
	if n, err := r.number("E", true); err != nil || n != 12 {
		t.Errorf("text number: %d %v", n, err)
	}
	for in, want := range map[string]string{"Version 15.2 (Build 1544.4)": "15.2.1544.4", "15.1.2507.6": "15.1.2507.6"} {
		if got, ok := exchangeVersion(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	if _, ok := exchangeVersion("banana"); ok {
		t.Error("banana is a version")
	}
}

func TestCredentials(t *testing.T) {
	t.Setenv("DTX_USERNAME", "CONTOSO\\admin")
	t.Setenv("DTX_PASSWORD", "pa'ss$(x)")
	p, err := New(Settings{CredentialEnv: "DTX"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.startup() {
		if strings.Contains(l, "pa'ss") || strings.Contains(l, "admin") {
			t.Fatalf("a credential reached a command line: %s", l)
		}
	}
	t.Setenv("DTX_PASSWORD", "")
	if _, err := New(Settings{CredentialEnv: "DTX"}, nil); err == nil || !strings.Contains(err.Error(), "DTX_PASSWORD") {
		t.Errorf("missing password: %v", err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "cred")
	os.WriteFile(f, []byte("CONTOSO\\admin\nsecret-value\n"), 0o644)
	if _, err := New(Settings{CredentialFile: f}, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "secret-value") {
		t.Errorf("readable credential file: %v", err)
	}
	os.Chmod(f, 0o600)
	p, err = New(Settings{CredentialFile: f}, nil)
	if err != nil || p.cred.password != "secret-value" {
		t.Fatalf("credential file: %v", err)
	}
	os.WriteFile(f, []byte("only-a-user\n"), 0o600)
	if _, err := New(Settings{CredentialFile: f}, nil); err == nil || strings.Contains(err.Error(), "only-a-user") {
		t.Errorf("short credential file: %v", err)
	}
	if _, err := New(Settings{Authentication: "Basic"}, nil); err == nil {
		t.Error("Basic without a credential")
	}
}
