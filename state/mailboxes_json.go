package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Format version 1 (read, and written only by encodeV1 for tests and benchmarks):
// the mailboxes as an object of objects keyed by address.
//
// The mailboxes are most of a large state (500,000 of them are ~85 MB of JSON), and
// encoding/json spends most of Encode and Decode on them. This file writes and reads
// that one map by hand, byte for byte as encoding/json does with Encode's settings
// (two-space indent, sorted keys, no HTML escaping), so the document, its format
// version and its checksum are unchanged. Decode takes the fast path only for the
// layout Encode writes; anything else (a hand-edited file, an unknown field, a null,
// an escape, a wrong type) goes through encoding/json as before, which gives the same
// result or the same error with its line and column.

// mailboxesKey is the top-level mailboxes key at Encode's indentation. JSON strings
// hold no raw newline, so this sequence can only be that key.
var mailboxesKey = []byte("\n  \"mailboxes\": ")

// encodeV1 encodes s as format version 1 wrote it (Encode now writes version 2): kept
// so that tests and benchmarks can check that Decode still reads version 1 documents.
func encodeV1(s *State) ([]byte, error) {
	doc := normalized(s)
	doc.FormatVersion = 1
	mailboxes := doc.Mailboxes
	doc.Mailboxes = map[string]*Mailbox{}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	body, ok := spliceMailboxes(buf.Bytes(), mailboxes)
	if !ok {
		return nil, errors.New("the mailboxes key is not where it belongs")
	}
	return withChecksum(body), nil
}

// spliceMailboxes replaces the empty mailboxes object that encoding/json wrote for doc
// (encoded with Mailboxes empty) by the hand-encoded map m.
func spliceMailboxes(doc []byte, m map[string]*Mailbox) ([]byte, bool) {
	i := bytes.Index(doc, mailboxesKey)
	if i < 0 || !bytes.HasPrefix(doc[i+len(mailboxesKey):], []byte("{}")) {
		return nil, false
	}
	at := i + len(mailboxesKey)
	out := make([]byte, 0, len(doc)+len(m)*200)
	out = append(out, doc[:at]...)
	out = appendMailboxes(out, m)
	return append(out, doc[at+2:]...), true
}

// appendMailboxes appends m as encoding/json indents it at the second level.
func appendMailboxes(b []byte, m map[string]*Mailbox) []byte {
	if len(m) == 0 {
		return append(b, "{}"...)
	}
	type entry struct {
		k  string
		mb *Mailbox
	}
	es := make([]entry, 0, len(m))
	for k, mb := range m {
		es = append(es, entry{k, mb})
	}
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.k, b.k) })
	b = append(b, '{')
	for n, e := range es {
		k, mb := e.k, e.mb
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = appendString(b, k)
		b = append(b, ": {\n      \"address\": "...)
		b = appendString(b, mb.Address)
		b = append(b, ",\n      \"exchange_guid\": "...)
		b = appendString(b, mb.ExchangeGuid)
		b = append(b, ",\n      \"database\": "...)
		b = appendString(b, mb.Database)
		if mb.Kind != "" {
			b = append(b, ",\n      \"kind\": "...)
			b = appendString(b, mb.Kind)
		}
		if mb.ArchiveDatabase != "" {
			b = append(b, ",\n      \"archive_database\": "...)
			b = appendString(b, mb.ArchiveDatabase)
		}
		if mb.ArchiveGuid != "" {
			b = append(b, ",\n      \"archive_guid\": "...)
			b = appendString(b, mb.ArchiveGuid)
		}
		if mb.NoAutodiscover {
			b = append(b, ",\n      \"no_autodiscover\": true"...)
		}
		b = append(b, "\n    }"...)
	}
	return append(b, "\n  }"...)
}

// appendString appends s as a JSON string: plain printable ASCII directly, anything
// else through encoding/json (HTML escaping off, as Encode has it).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// cutMailboxes finds the mailboxes object of a document in Encode's layout and decodes
// it by hand. It returns the document with that object replaced by {} (for
// encoding/json to decode the rest) and the map; ok is false when the document is not
// in that layout or the object holds anything the fast reader does not take, and the
// caller must decode the whole document the ordinary way.
func cutMailboxes(b []byte) (rest []byte, m map[string]*Mailbox, ok bool) {
	i := bytes.Index(b, mailboxesKey)
	if i < 0 || bytes.Contains(b[i+1:], mailboxesKey) {
		return nil, nil, false // absent, or twice (encoding/json's last-one-wins stays its job)
	}
	start := i + len(mailboxesKey)
	p := &mbParser{b: b, i: start, dbs: map[string]string{}}
	m, ok = p.object()
	if !ok {
		return nil, nil, false
	}
	rest = make([]byte, 0, start+2+len(b)-p.i)
	rest = append(rest, b[:start]...)
	rest = append(rest, "{}"...)
	return append(rest, b[p.i:]...), m, true
}

// mbParser reads the mailboxes object. It accepts JSON whitespace anywhere but only
// the fields of Mailbox spelled as Encode spells them, strings without escapes and
// valid UTF-8, and true/false for no_autodiscover.
type mbParser struct {
	b   []byte
	i   int
	dbs map[string]string // database names, shared by the mailboxes on them
}

func (p *mbParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\n', '\t', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *mbParser) byte(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// raw returns the bytes of a plain string (no escapes, valid UTF-8, no control bytes).
func (p *mbParser) raw() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return nil, false // encoding/json would substitute U+FFFD
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return nil, false
}

func (p *mbParser) object() (map[string]*Mailbox, bool) {
	if !p.byte('{') {
		return nil, false
	}
	// Presized from the bytes left (a mailbox takes at least ~150 of them in Encode's
	// layout): growing a 500,000-entry map rehashes it again and again.
	m := make(map[string]*Mailbox, (len(p.b)-p.i)/200)
	if p.byte('}') {
		return m, true
	}
	for {
		key, ok := p.raw()
		if !ok || !p.byte(':') {
			return nil, false
		}
		k := string(key)
		mb, ok := p.mailbox(k)
		if !ok {
			return nil, false
		}
		m[k] = mb
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return m, true
		}
		return nil, false
	}
}

func (p *mbParser) mailbox(key string) (*Mailbox, bool) {
	if !p.byte('{') {
		return nil, false // null or another type: the slow path says what is wrong
	}
	mb := &Mailbox{}
	if p.byte('}') {
		return mb, true
	}
	for {
		name, ok := p.raw()
		if !ok || !p.byte(':') {
			return nil, false
		}
		if string(name) == "no_autodiscover" {
			p.ws()
			switch {
			case bytes.HasPrefix(p.b[p.i:], []byte("true")):
				mb.NoAutodiscover, p.i = true, p.i+4
			case bytes.HasPrefix(p.b[p.i:], []byte("false")):
				mb.NoAutodiscover, p.i = false, p.i+5
			default:
				return nil, false
			}
		} else {
			v, ok := p.raw()
			if !ok {
				return nil, false
			}
			switch string(name) {
			case "address":
				if string(v) == key {
					mb.Address = key // one string for the key and the field
				} else {
					mb.Address = string(v)
				}
			case "exchange_guid":
				mb.ExchangeGuid = string(v)
			case "database":
				mb.Database = p.intern(v)
			case "kind":
				mb.Kind = p.intern(v)
			case "archive_database":
				mb.ArchiveDatabase = p.intern(v)
			case "archive_guid":
				mb.ArchiveGuid = string(v)
			default:
				return nil, false // unknown (or differently cased) field
			}
		}
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return mb, true
		}
		return nil, false
	}
}

// intern returns one string per distinct database name (or kind).
func (p *mbParser) intern(v []byte) string {
	if s, ok := p.dbs[string(v)]; ok {
		return s
	}
	s := string(v)
	p.dbs[s] = s
	return s
}
