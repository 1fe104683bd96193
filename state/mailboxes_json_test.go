package state

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The hand-written version 1 mailbox encoder must give encoding/json's bytes, and the
// fast decoder encoding/json's result, for every kind of string.
func TestMailboxesJSONMatchesEncodingJSON(t *testing.T) {
	s := bigState(50)
	for i, addr := range []string{`quo"te@x.com`, `back\slash@x.com`, "tab\t@x.com", "<html>&@x.com", "ünï@x.com", "bad\xffutf8@x.com", "line\u2028sep@x.com", ""} {
		s.Mailboxes[addr] = &Mailbox{Address: addr, ExchangeGuid: "g", Database: "DB0001", Kind: []string{"", "arbitration"}[i%2],
			ArchiveDatabase: []string{"", "DB0002"}[i%2], NoAutodiscover: i%3 == 0}
	}
	got, err := encodeV1(s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	doc := normalized(s)
	doc.FormatVersion = 1
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if want := withChecksum(buf.Bytes()); !bytes.Equal(got, want) {
		t.Fatalf("hand-encoded mailboxes differ from encoding/json:\n%s\n---\n%s", got, want)
	}
	if _, ok := decodeFast(got, 1); ok {
		t.Fatal("the fast path took escaped strings")
	}
	fast, err := Decode(got) // the ordinary path, for the escapes
	if err != nil {
		t.Fatal(err)
	}
	plain, err := encodeV1(bigState(50))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := decodeFast(plain, 1); !ok || len(p.Mailboxes) != 50 {
		t.Fatal("the fast path refused Encode's own output")
	}
	var f fileV1
	if err := decodeStrict(got, &f); err != nil {
		t.Fatal(err)
	}
	if err := f.State.validate(); err != nil {
		t.Fatal(err)
	}
	f.State.FormatVersion = FormatVersion // Decode says the version it writes
	if !reflect.DeepEqual(fast, &f.State) {
		t.Fatal("Decode and encoding/json differ")
	}
	// Fast and ordinary decoding of plain strings agree; without its checksum line a
	// document takes the ordinary path.
	i := bytes.Index(plain, checksumKey) + 1
	noSum := append(append([]byte{}, plain[:i]...), plain[i+bytes.IndexByte(plain[i:], '\n')+1:]...)
	if _, ok := decodeFast(noSum, 1); ok {
		t.Fatal("fast path taken without a checksum")
	}
	slow, err := Decode(noSum)
	fastPlain, _ := decodeFast(plain, 1)
	if err == nil && !slow.Unsealed {
		t.Fatal("a document without its checksum line is not marked Unsealed")
	}
	if slow != nil {
		slow.Unsealed = false
	}
	if err != nil || !reflect.DeepEqual(slow, fastPlain) {
		t.Fatalf("ordinary decode: %v", err)
	}
}
