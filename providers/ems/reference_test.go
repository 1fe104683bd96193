package ems

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReferenceIsTheSharedOne holds the embedded copy of Microsoft's reference equal to
// ../shared/reference/exchange-cmdlets.json beside the repository, when that is there
// (CI clones the repository with it beside; a clean clone without it checks the copy).
func TestReferenceIsTheSharedOne(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "reference", "exchange-cmdlets.json")
	data, err := os.ReadFile(shared)
	if os.IsNotExist(err) {
		t.Skipf("%s is not there: the embedded copy stands alone", shared)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, ReferenceJSON()) {
		t.Fatalf("providers/ems/reference/exchange-cmdlets.json differs from %s: copy the shared file over it (cp %s providers/ems/reference/)", shared, shared)
	}
}

func TestReferenceParses(t *testing.T) {
	r := Ref()
	for _, name := range []string{"Set-Mailbox", "Get-Mailbox", "New-MailboxRestoreRequest", "Get-Queue", "Retry-Queue", "Set-MailboxDatabase"} {
		if r.Cmdlet(name) == nil {
			t.Errorf("%s missing", name)
		}
	}
	if r.Cmdlet("Set-Mailbox").Param("Monitoring") != nil || r.Cmdlet("Get-Mailbox").Param("Monitoring") == nil {
		t.Error("the reference's -Monitoring facts changed")
	}
	if _, err := ParseReference([]byte(`{"cmdlets":{}}`)); err == nil {
		t.Error("an empty reference parsed")
	}
	if _, err := ParseReference([]byte(`not json`)); err == nil {
		t.Error("garbage parsed")
	}
}
