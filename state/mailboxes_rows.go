package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Format version 2 writes the mailboxes, most of a large state, as an array of rows
// sorted by address, one row a line:
//
//	"mailboxes": [
//	  ["amy@contoso.com", "0b1e7c2a-...-0002", "DB01"],
//	  ["systemmailbox-db01@contoso.com", "...", "DB01", "arbitration", "DB02", "no_autodiscover"]
//	],
//
// Columns: address, exchange_guid, database, then kind, archive_database, flags
// ("no_autodiscover" or empty) and archive_guid, trailing empty columns left out. Version 1 wrote an
// object per mailbox, keyed by address and naming the address again (~175 bytes a
// mailbox against ~80): 500,000 mailboxes took 87 MB to read, hash and parse. Rows
// stay human-readable JSON and are covered by the same checksum; version 1 documents
// are still read (mailboxes_json.go) and written back as version 2.

// mailboxColumns are the columns of a row, in order, for error messages.
var mailboxColumns = [...]string{"address", "exchange_guid", "database", "kind", "archive_database", "flags", "archive_guid"}

// flagNoAutodiscover is the flags column of a mailbox with NoAutodiscover.
const flagNoAutodiscover = "no_autodiscover"

// mailboxRows is the mailboxes array as encoding/json reads it (the ordinary path).
type mailboxRows [][]string

// toMap turns rows into the state's map, refusing what a row cannot say.
func (rows mailboxRows) toMap() (map[string]*Mailbox, error) {
	m := make(map[string]*Mailbox, len(rows))
	for i, r := range rows {
		if len(r) < 3 || len(r) > len(mailboxColumns) {
			return nil, fmt.Errorf("mailboxes row %d has %d columns: a row is [%s] (the last four may be left out)",
				i+1, len(r), strings.Join(mailboxColumns[:], ", "))
		}
		mb, err := rowMailbox(r)
		if err != nil {
			return nil, fmt.Errorf("mailboxes row %d (%q): %v", i+1, r[0], err)
		}
		if _, dup := m[mb.Address]; dup {
			return nil, fmt.Errorf("mailboxes row %d: %q appears twice", i+1, mb.Address)
		}
		m[mb.Address] = mb
	}
	return m, nil
}

func rowMailbox(r []string) (*Mailbox, error) {
	mb := &Mailbox{Address: r[0], ExchangeGuid: r[1], Database: r[2]}
	if len(r) > 3 {
		mb.Kind = r[3]
	}
	if len(r) > 4 {
		mb.ArchiveDatabase = r[4]
	}
	if len(r) > 5 {
		switch r[5] {
		case "":
		case flagNoAutodiscover:
			mb.NoAutodiscover = true
		default:
			return nil, fmt.Errorf("flags %q: the only flag is %q", r[5], flagNoAutodiscover)
		}
	}
	if len(r) > 6 {
		mb.ArchiveGuid = r[6]
	}
	return mb, nil
}

// spliceMailboxRows replaces the empty mailboxes object that encoding/json wrote for
// doc (encoded with Mailboxes empty) by the rows of m. A mailbox whose Address is set
// and differs from its key cannot be written (a row names it once) and is an error.
func spliceMailboxRows(doc []byte, m map[string]*Mailbox) ([]byte, error) {
	i := bytes.Index(doc, mailboxesKey)
	if i < 0 || !bytes.HasPrefix(doc[i+len(mailboxesKey):], []byte("{}")) {
		return nil, fmt.Errorf("the mailboxes key is not where it belongs")
	}
	keys := make([]string, 0, len(m))
	for k, mb := range m {
		if mb.Address != "" && mb.Address != k {
			return nil, fmt.Errorf("mailboxes[%q] names itself %q: the key and the name must be the same", k, mb.Address)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	at := i + len(mailboxesKey)
	out := make([]byte, 0, len(doc)+len(m)*96)
	out = append(out, doc[:at]...)
	if len(keys) == 0 {
		out = append(out, "[]"...)
	} else {
		out = append(out, '[')
		for n, k := range keys {
			mb := m[k]
			if n > 0 {
				out = append(out, ',')
			}
			out = append(out, "\n    ["...)
			out = appendString(out, k)
			out = append(out, ", "...)
			out = appendString(out, mb.ExchangeGuid)
			out = append(out, ", "...)
			out = appendString(out, mb.Database)
			cols := 3
			switch {
			case mb.ArchiveGuid != "":
				cols = 7
			case mb.NoAutodiscover:
				cols = 6
			case mb.ArchiveDatabase != "":
				cols = 5
			case mb.Kind != "":
				cols = 4
			}
			if cols > 3 {
				out = append(out, ", "...)
				out = appendString(out, mb.Kind)
			}
			if cols > 4 {
				out = append(out, ", "...)
				out = appendString(out, mb.ArchiveDatabase)
			}
			if cols > 5 {
				flag := ""
				if mb.NoAutodiscover {
					flag = flagNoAutodiscover
				}
				out = append(out, ", "...)
				out = appendString(out, flag)
			}
			if cols > 6 {
				out = append(out, ", "...)
				out = appendString(out, mb.ArchiveGuid)
			}
			out = append(out, ']')
		}
		out = append(out, "\n  ]"...)
	}
	return append(out, doc[at+2:]...), nil
}

// cutMailboxRows finds the mailboxes array of a version 2 document in Encode's layout
// and reads it by hand. It returns the document with the array replaced by {} (for
// encoding/json to decode the rest into a State) and the map; ok is false for anything
// else (escapes, other spacing, a wrong column), and the caller then decodes the whole
// document the ordinary way, which decides and words every error.
//
// Every string of the map is a substring of one copy of the array's bytes (one
// allocation instead of two per mailbox), and the mailboxes themselves are one slice:
// 500,000 mailboxes are a handful of allocations.
func cutMailboxRows(b []byte) (rest []byte, m map[string]*Mailbox, ok bool) {
	i := bytes.Index(b, mailboxesKey)
	if i < 0 || bytes.Contains(b[i+1:], mailboxesKey) {
		return nil, nil, false
	}
	start := i + len(mailboxesKey)
	var end int // just after the closing ]
	switch {
	case bytes.HasPrefix(b[start:], []byte("[]")):
		end = start + 2
	case bytes.HasPrefix(b[start:], []byte("[\n")):
		// JSON strings hold no raw newline: the first "\n  ]" closes the top-level array.
		n := bytes.Index(b[start:], []byte("\n  ]"))
		if n < 0 {
			return nil, nil, false
		}
		end = start + n + 4
	default:
		return nil, nil, false
	}
	p := &rowParser{s: string(b[start:end])}
	m, ok = p.rows(bytes.Count(b[start:end], []byte("\n    [")))
	if !ok {
		return nil, nil, false
	}
	rest = make([]byte, 0, start+2+len(b)-end)
	rest = append(rest, b[:start]...)
	rest = append(rest, "{}"...)
	return append(rest, b[end:]...), m, true
}

// rowParser reads the rows exactly as Encode writes them.
type rowParser struct {
	s string
	i int
}

func (p *rowParser) lit(t string) bool {
	if strings.HasPrefix(p.s[p.i:], t) {
		p.i += len(t)
		return true
	}
	return false
}

// str reads a plain string (no escapes, no control bytes, valid UTF-8).
func (p *rowParser) str() (string, bool) {
	if !p.lit(`"`) {
		return "", false
	}
	start := p.i
	ascii := true
	for ; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(v) {
				return "", false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", false
}

func (p *rowParser) rows(n int) (map[string]*Mailbox, bool) {
	m := make(map[string]*Mailbox, n)
	if p.s == "[]" {
		return m, true
	}
	slab := make([]Mailbox, n)
	if !p.lit("[") {
		return nil, false
	}
	for k := 0; ; k++ {
		if k >= n || !p.lit("\n    [") {
			return nil, false
		}
		var cols [7]string
		nc := 0
		for {
			v, ok := p.str()
			if !ok || nc == len(cols) {
				return nil, false
			}
			cols[nc] = v
			nc++
			if !p.lit(", ") {
				break
			}
		}
		if nc < 3 || !p.lit("]") {
			return nil, false
		}
		mb := &slab[k]
		// Substrings of p.s: no allocation, and no need to share database names.
		mb.Address, mb.ExchangeGuid, mb.Database = cols[0], cols[1], cols[2]
		if nc > 3 {
			mb.Kind = cols[3]
		}
		if nc > 4 {
			mb.ArchiveDatabase = cols[4]
		}
		if nc > 5 {
			switch cols[5] {
			case "":
			case flagNoAutodiscover:
				mb.NoAutodiscover = true
			default:
				return nil, false
			}
		}
		if nc > 6 {
			mb.ArchiveGuid = cols[6]
		}
		if m[mb.Address] = mb; len(m) != k+1 {
			return nil, false // an address twice (one map operation per row: the map is most of the cost)
		}
		if p.lit(",") {
			continue
		}
		if k != n-1 || !p.lit("\n  ]") || p.i != len(p.s) {
			return nil, false
		}
		return m, true
	}
}

// checksumOf returns the checksum line's value for b without the line at [from, to).
func checksumOf(b []byte, from, to int) string {
	h := sha256.New()
	h.Write(b[:from])
	h.Write(b[to:])
	return checksumPrefix + hex.EncodeToString(h.Sum(nil))
}
