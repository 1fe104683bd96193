package state

import (
	"bytes"
	"reflect"
	"testing"
)

// Version 2 rows: the fast reader and encoding/json agree, for plain and odd strings,
// and a version 1 document decodes to the same state and is written back as version 2.
func TestMailboxRowsFastAndOrdinaryAgree(t *testing.T) {
	odd := bigState(50)
	for i, addr := range []string{`quo"te@x.com`, `back\slash@x.com`, "tab\t@x.com", "<html>&@x.com", "ünï@x.com", "bad\xffutf8@x.com", "line\u2028sep@x.com", ""} {
		odd.Mailboxes[addr] = &Mailbox{Address: addr, ExchangeGuid: "g", Database: "DB0001", Kind: []string{"", "arbitration"}[i%2],
			ArchiveDatabase: []string{"", "DB0002"}[i%2], NoAutodiscover: i%3 == 0}
	}
	plain := bigState(50)
	plain.Mailboxes["sys@x.com"] = &Mailbox{Address: "sys@x.com", ExchangeGuid: "g", Database: "DB0001", Kind: "arbitration", ArchiveDatabase: "DB0003", NoAutodiscover: true}
	plain.Mailboxes["flag@x.com"] = &Mailbox{Address: "flag@x.com", ExchangeGuid: "g", Database: "DB0001", NoAutodiscover: true}
	for _, c := range []struct {
		name string
		s    *State
		fast bool
	}{{"odd", odd, false}, {"plain", plain, true}} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Encode(c.s)
			if err != nil {
				t.Fatal(err)
			}
			fast, ok := decodeFast(b, 2)
			if ok != c.fast {
				t.Fatalf("fast path taken: %v, want %v", ok, c.fast)
			}
			var f fileV2
			if err := decodeStrict(b, &f); err != nil {
				t.Fatal(err)
			}
			m, err := f.Mailboxes.toMap()
			if err != nil {
				t.Fatal(err)
			}
			f.State.Mailboxes, f.State.FormatVersion = m, FormatVersion
			if err := f.State.validate(); err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, &f.State) || (ok && !reflect.DeepEqual(fast, got)) {
				t.Fatal("fast and ordinary decoding differ")
			}
			if c.fast && !reflect.DeepEqual(got.Mailboxes, c.s.Mailboxes) { // odd: invalid UTF-8 becomes U+FFFD
				t.Fatal("mailboxes changed through Encode and Decode")
			}
			v1, err := encodeV1(c.s)
			if err != nil {
				t.Fatal(err)
			}
			up, err := Decode(v1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(up, got) {
				t.Fatal("the version 1 document decodes differently")
			}
			want, _ := Encode(got) // b itself for valid UTF-8
			again, err := Encode(up)
			if err != nil || !bytes.Equal(again, want) || (c.fast && !bytes.Equal(again, b)) {
				t.Fatalf("version 1 is not written back as the same version 2 bytes: %v", err)
			}
		})
	}
}

// A mailbox whose name differs from its key cannot be written as a row.
func TestEncodeRefusesMisnamedMailbox(t *testing.T) {
	s := New("l")
	s.Mailboxes["a@x"] = &Mailbox{Address: "b@x"}
	if _, err := Encode(s); err == nil {
		t.Fatal("no error")
	}
	s.Mailboxes["a@x"] = &Mailbox{} // an empty name is the key
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Decode(b); err != nil || got.Mailboxes["a@x"].Address != "a@x" {
		t.Fatalf("%v %+v", err, got)
	}
}

// The fast reader refuses rows it does not expect rather than guessing.
func TestMailboxRowsFastRefuses(t *testing.T) {
	good, err := Encode(sampleState())
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range [][2]string{
		{`", "DB01"]`, `", "DB01", "", "", "x"]`},        // bad flag
		{`", "DB01"]`, `"]`},                             // two columns
		{`", "DB01"]`, `", "DB01", "", "", "", "", ""]`}, // eight columns
		{`["amy`, `[ "amy`},                              // other spacing
	} {
		b := bytes.Replace(good, []byte(edit[0]), []byte(edit[1]), 1)
		from, to, _ := checksumLine(b)
		b = bytes.Replace(b, good[from:to], []byte("  \"checksum\": \""+checksumOf(b, from, to)+"\",\n"), 1)
		if _, ok := decodeFast(b, 2); ok {
			t.Errorf("fast path took %q", edit[1])
		}
	}
}
