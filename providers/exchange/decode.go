package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// record is one object of a response, with what an error needs to name it.
type record struct {
	cmdlet string
	index  int
	m      map[string]json.RawMessage
}

// decodeRecords splits a response into its objects. Each must be a JSON object.
func decodeRecords(cmdlet string, data []byte) ([]record, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: the response is not a JSON array: %v", cmdlet, err)
	}
	out := make([]record, 0, len(raw))
	for i, r := range raw {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%s: object %d of the response is not a JSON object: %.60s", cmdlet, i+1, r)
		}
		out = append(out, record{cmdlet: cmdlet, index: i + 1, m: m})
	}
	return out, nil
}

func (r record) where() string {
	if v, ok := r.m["Name"]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			return fmt.Sprintf("%s: object %d (%q)", r.cmdlet, r.index, s)
		}
	}
	return fmt.Sprintf("%s: object %d", r.cmdlet, r.index)
}

func (r record) missing(field string) error {
	return fmt.Errorf("%s: field %s is missing", r.where(), field)
}

func (r record) wrongType(field, want string, v json.RawMessage) error {
	return fmt.Errorf("%s: field %s: want %s, got %.60s", r.where(), field, want, v)
}

func isNull(v json.RawMessage) bool {
	return len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null"
}

// str reads a string field; required refuses an absent, null or empty one.
func (r record) str(field string, required bool) (string, error) {
	v, ok := r.m[field]
	if !ok {
		if required {
			return "", r.missing(field)
		}
		return "", nil
	}
	if isNull(v) {
		if required {
			return "", fmt.Errorf("%s: field %s is empty", r.where(), field)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", r.wrongType(field, "a string", v)
	}
	if required && s == "" {
		return "", fmt.Errorf("%s: field %s is empty", r.where(), field)
	}
	return s, nil
}

// boolean reads a true/false field; null is refused unless nullable (then nil).
func (r record) boolean(field string, nullable bool) (*bool, error) {
	v, ok := r.m[field]
	if !ok {
		return nil, r.missing(field)
	}
	if isNull(v) {
		if nullable {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: field %s is null, want true or false", r.where(), field)
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		return nil, r.wrongType(field, "true or false", v)
	}
	return &b, nil
}

// number reads an integer field given as a number or as its text ("10"); null and
// absent read as 0 unless required.
func (r record) number(field string, required bool) (int64, error) {
	v, ok := r.m[field]
	if !ok || isNull(v) {
		if required {
			return 0, r.missing(field)
		}
		return 0, nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		if f, err := n.Float64(); err == nil {
			return int64(f), nil
		}
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		s = strings.TrimSpace(s)
		if s == "" && !required {
			return 0, nil
		}
		if strings.EqualFold(s, "Unlimited") {
			return -1, nil
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	return 0, r.wrongType(field, "a whole number", v)
}

var bytesInParens = regexp.MustCompile(`\(([0-9][0-9,. \x{a0}]*) bytes\)`)

// size reads a ByteQuantifiedSize shown as text ("1.5 GB (1,610,612,736 bytes)") or a
// number of bytes; empty or null is 0 (a dismounted database reports none).
func (r record) size(field string) (int64, error) {
	v, ok := r.m[field]
	if !ok || isNull(v) {
		return 0, nil
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return 0, r.wrongType(field, `a size such as "1.5 GB (1,610,612,736 bytes)"`, v)
	}
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	m := bytesInParens.FindStringSubmatch(s)
	if m == nil {
		return 0, r.wrongType(field, `a size such as "1.5 GB (1,610,612,736 bytes)"`, v)
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, m[1])
	i, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, r.wrongType(field, "a size in bytes", v)
	}
	return i, nil
}

var versionText = regexp.MustCompile(`(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)\)`)

// exchangeVersion turns AdminDisplayVersion ("Version 15.2 (Build 1544.4)") into
// "15.2.1544.4"; a dotted build is kept as it is.
func exchangeVersion(s string) (string, bool) {
	if m := versionText.FindStringSubmatch(s); m != nil {
		return m[1] + "." + m[2] + "." + m[3] + "." + m[4], true
	}
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ".")
	if len(parts) >= 2 {
		for _, p := range parts {
			if _, err := strconv.Atoi(p); err != nil {
				return "", false
			}
		}
		return s, true
	}
	return "", false
}

// lastSegment is the last element of an AD canonical name shown as text
// ("contoso.com/Configuration/Sites/HQ" -> "HQ").
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
