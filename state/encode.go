package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Encode returns the JSON form of s: indented by two spaces, map keys sorted, a trailing
// newline, format_version first and then a checksum of the rest (see checksum.go), so
// that the same state always gives the same bytes. format_version is always the one this
// code writes; nil maps are written as {} and nil map entries are left out.
func Encode(s *State) ([]byte, error) {
	if s == nil {
		return nil, errors.New("encode state: the state is nil")
	}
	doc := normalized(s)
	mailboxes := doc.Mailboxes
	doc.Mailboxes = map[string]*Mailbox{} // written by hand below (mailboxes_json.go)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // addresses and paths stay readable: no \u003c for <
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	body, err := spliceMailboxRows(buf.Bytes(), mailboxes) // format version 2 (mailboxes_rows.go)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return withChecksum(body), nil
}

// normalized returns a shallow copy of s that encodes the same way however s was built:
// current format version, no nil maps, no nil entries. s itself is not modified, and
// maps are copied only when they need to change.
func normalized(s *State) *State {
	doc := *s
	doc.FormatVersion = FormatVersion
	doc.Servers = withoutNil(doc.Servers)
	doc.Databases = withoutNil(doc.Databases)
	doc.Mailboxes = withoutNil(doc.Mailboxes)
	doc.RestoreRequests = withoutNil(doc.RestoreRequests)
	doc.Recoveries = withoutNil(doc.Recoveries)
	if len(doc.Written) > 0 {
		doc.Written = withoutNil(doc.Written)
	}
	for _, r := range doc.Recoveries {
		if r.Steps == nil || len(withoutNil(r.Steps)) != len(r.Steps) {
			out := make(map[string]*Recovery, len(doc.Recoveries))
			for name, r := range doc.Recoveries {
				cp := *r
				cp.Steps = withoutNil(r.Steps)
				out[name] = &cp
			}
			doc.Recoveries = out
			break
		}
	}
	return &doc
}

// withoutNil returns m without its nil entries (m itself when it has none), never nil.
func withoutNil[V any](m map[string]*V) map[string]*V {
	if m == nil {
		return map[string]*V{}
	}
	for _, v := range m {
		if v == nil {
			out := make(map[string]*V, len(m))
			for k, v := range m {
				if v != nil {
					out[k] = v
				}
			}
			return out
		}
	}
	return m
}

// fileV1 is the on-disk document of format version 1: the State plus the checksum line
// that Encode adds.
type fileV1 struct {
	State
	Checksum string `json:"checksum,omitempty"`
}

// fileV2 is the document of format version 2: version 1 with the mailboxes as rows
// (mailboxes_rows.go). Its Mailboxes field is shallower than State's, so encoding/json
// reads "mailboxes" into it and leaves State.Mailboxes alone.
type fileV2 struct {
	State
	Checksum  string      `json:"checksum,omitempty"`
	Mailboxes mailboxRows `json:"mailboxes"`
}

// VersionError is returned by Decode for a document written by a newer dialtone.
type VersionError struct {
	Version int // the document's format_version
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("format_version %d was written by a newer dialtone; this dialtone supports format version %d: upgrade dialtone",
		e.Version, FormatVersion)
}

// Decode parses a state document. It reads format_version first, so that a document
// from a newer dialtone is refused as such (*VersionError) rather than as garbage; then
// it decodes strictly (unknown fields, trailing data, wrong types, nil entries, a
// missing lineage and a checksum mismatch are errors). Syntax errors carry a line and
// column. Nil maps come back empty. Decode never panics.
func Decode(b []byte) (*State, error) {
	v, err := sniffVersion(b)
	if err != nil {
		return nil, err
	}
	switch {
	case v > FormatVersion:
		return nil, &VersionError{Version: v}
	case v < 1:
		return nil, fmt.Errorf("format_version %d is not valid: this dialtone writes format version %d", v, FormatVersion)
	}

	if s, ok := decodeFast(b, v); ok {
		return s, nil
	}
	var s *State
	var sum string
	if v == 1 {
		var f fileV1
		if err := decodeStrict(b, &f); err != nil {
			return nil, err
		}
		s, sum = &f.State, f.Checksum
	} else {
		var f fileV2
		if err := decodeStrict(b, &f); err != nil {
			return nil, err
		}
		s, sum = &f.State, f.Checksum
		if f.Mailboxes != nil {
			m, err := f.Mailboxes.toMap()
			if err != nil {
				return nil, err
			}
			s.Mailboxes = m
		}
	}
	if sum != "" {
		if err := verifyChecksum(b, sum); err != nil {
			return nil, err
		}
	}
	s.Unsealed = sum == ""
	s.FormatVersion = FormatVersion // what it is in memory: the version Encode writes
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeStrict decodes b into f (a *fileV1 or *fileV2) with Decode's rules: no unknown
// fields, nothing after the document, errors with a line and column.
func decodeStrict(b []byte, f any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return jsonError(b, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(b, int(dec.InputOffset()))
		return fmt.Errorf("unexpected data after the end of the state document at line %d, column %d", line, col)
	}
	return nil
}

// decodeFast decodes a document of version v exactly as Encode wrote it: its checksum
// line holds, so its layout is Encode's, and the mailboxes are read by hand
// (mailboxes_rows.go for version 2, mailboxes_json.go for version 1). The checksum is
// computed on another goroutine while the mailboxes are parsed (two cores: the
// SHA-256 of a large state costs as much as reading it); nothing is returned before
// it matched. ok is false for anything else, and Decode then takes the ordinary path,
// which decides and words every error.
func decodeFast(b []byte, v int) (*State, bool) {
	i := bytes.Index(b, checksumKey)
	if i < 0 {
		return nil, false
	}
	start := i + len(checksumKey)
	end := bytes.IndexByte(b[start:], '"')
	from, to, found := checksumLine(b)
	if end < 0 || !found {
		return nil, false
	}
	want := string(b[start : start+end])
	sumOK := make(chan bool, 1)
	go func() { sumOK <- want == checksumOf(b, from, to) }()
	var rest []byte
	var mailboxes map[string]*Mailbox
	var ok bool
	if v == 1 {
		rest, mailboxes, ok = cutMailboxes(b)
	} else {
		rest, mailboxes, ok = cutMailboxRows(b)
	}
	if !<-sumOK || !ok {
		return nil, false
	}
	var f fileV1 // the rest holds "mailboxes": {} in either version
	if err := decodeStrict(rest, &f); err != nil {
		return nil, false
	}
	f.State.Mailboxes = mailboxes
	s := &f.State
	s.FormatVersion = FormatVersion
	if err := s.validate(); err != nil {
		return nil, false
	}
	return s, true
}

// sniffVersion reads top-level keys until format_version, without decoding the rest.
// Encode writes format_version first, so for our own files this reads a few bytes.
func sniffVersion(b []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return 0, errors.New("the file is empty")
		}
		return 0, jsonError(b, dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return 0, errors.New("not a state document: it does not start with a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, jsonError(b, dec, err)
		}
		key, _ := tok.(string)
		if key != "format_version" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, jsonError(b, dec, err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, jsonError(b, dec, err)
		}
		if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
			return 0, fmt.Errorf("format_version is not a number: it is %s", truncate(raw, 40))
		}
		v, err := strconv.Atoi(string(raw))
		if err != nil {
			return 0, fmt.Errorf("format_version %s is not a whole number", truncate(raw, 40))
		}
		return v, nil
	}
	return 0, errors.New("format_version is missing: this is not a dialtone state document")
}

// jsonError turns an encoding/json error into a message with a line and column.
func jsonError(b []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(b, int(syn.Offset)-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %s", line, col, syn.Error())
	case errors.As(err, &typ):
		line, col := position(b, int(typ.Offset)-1)
		field := strings.TrimPrefix(typ.Field, "State.")
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("wrong type at line %d, column %d: %s cannot be a JSON %s", line, col, field, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(b, len(b))
		return fmt.Errorf("invalid JSON at line %d, column %d: the document ends early (truncated?)", line, col)
	}
	line, col := position(b, int(dec.InputOffset()))
	return fmt.Errorf("at line %d, column %d: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
}

// position converts a byte offset of b to a 1-based line and column (in bytes).
func position(b []byte, off int) (line, col int) {
	off = max(0, min(off, len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// truncate shortens b for an error message.
func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
