package state

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestEncodeDecodeRoundtrip(t *testing.T) {
	s := sampleState()
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"format_version\": 2,\n  \"checksum\": \"sha256:")) || !bytes.HasSuffix(b, []byte("}\n")) {
		t.Fatalf("unexpected layout:\n%s", b)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Fatalf("decode+encode changed the bytes:\n%s\n---\n%s", b, again)
	}
	if got.Mailboxes["ceo@contoso.com"].Database != "DB01" || got.Recoveries["db01-outage"].Steps["recovery.db01-outage.create_dial_tone_database"].Detail != "created" {
		t.Fatalf("values lost: %+v", got)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	a, b := New("l"), New("l")
	names := []string{"EX01", "EX02", "EX03", "EX04", "EX05", "EX06"}
	for i := range names {
		a.Servers[names[i]] = &Server{Name: names[i]}
		n := names[len(names)-1-i]
		b.Servers[n] = &Server{Name: n}
		a.Mailboxes[names[i]+"@x"] = &Mailbox{Address: names[i] + "@x", Database: "DB"}
		b.Mailboxes[n+"@x"] = &Mailbox{Address: n + "@x", Database: "DB"}
	}
	ea, _ := Encode(a)
	eb, _ := Encode(b)
	if !bytes.Equal(ea, eb) {
		t.Fatalf("insertion order leaked into the encoding:\n%s\n---\n%s", ea, eb)
	}
}

func TestEncodeNilMapsAndEntries(t *testing.T) {
	s := &State{Lineage: "l", Recoveries: map[string]*Recovery{"r": {Name: "r"}}, Servers: map[string]*Server{"gone": nil}}
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"servers": {}`, `"databases": {}`, `"restore_requests": {}`, `"steps": {}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoding lacks %s:\n%s", want, b)
		}
	}
	if s.Recoveries["r"].Steps != nil || s.Servers["gone"] != nil || len(s.Servers) != 1 {
		t.Error("Encode modified its input")
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("Encode's output does not decode: %v", err)
	}
}

func TestRoundtripGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/roundtrip/*.in.json")
	if len(ins) == 0 {
		t.Fatal("no testdata/roundtrip/*.in.json")
	}
	for _, in := range ins {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			out := strings.TrimSuffix(in, ".in.json") + ".out.json"
			if *update {
				if err := os.WriteFile(out, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: encoding differs from %s:\n%s", in, out, got)
			}
			// The output is a fixed point.
			s2, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := Encode(s2); !bytes.Equal(again, want) {
				t.Fatal("decoding and encoding the golden output changed it")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := Encode(sampleState())
	tampered := bytes.Replace(good, []byte(`"DB01"]`), []byte(`"DB02"]`), 1)
	withoutChecksum := func(b []byte) []byte {
		i := bytes.Index(b, []byte("  \"checksum\""))
		j := i + bytes.IndexByte(b[i:], '\n') + 1
		return append(append([]byte{}, b[:i]...), b[j:]...)
	}
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"garbage", "hello world", "invalid JSON at line 1, column 1"},
		{"array", "[1,2]", "does not start with a JSON object"},
		{"null", "null", "does not start with a JSON object"},
		{"truncated", string(good[:len(good)/2]), "invalid JSON at line"},
		{"truncated syntax", "{\n  \"format_version\": 1,\n  \"lineage\": \"l\",\n  \"servers\": {,\n", "invalid JSON at line 4, column 15"},
		{"newer version", `{"format_version": 3, "lineage": "l"}`, "supports format version 2: upgrade dialtone"},
		{"version zero", `{"format_version": 0, "lineage": "l"}`, "format_version 0 is not valid"},
		{"version missing", `{"lineage": "l", "serial": 1}`, "format_version is missing"},
		{"version not a number", `{"format_version": "1", "lineage": "l"}`, "format_version is not a number"},
		{"version fraction", `{"format_version": 1.5, "lineage": "l"}`, "not a whole number"},
		{"lineage missing", `{"format_version": 1, "serial": 1}`, "lineage is missing"},
		{"unknown field", "{\"format_version\": 1,\n \"lineage\": \"l\",\n \"surprise\": 1}", `unknown field "surprise"`},
		{"wrong type", "{\"format_version\": 1,\n \"lineage\": \"l\",\n \"serial\": -1}", "wrong type at line 3"},
		{"null entry", `{"format_version": 1, "lineage": "l", "servers": {"EX01": null}}`, `servers["EX01"] is null`},
		{"name differs", `{"format_version": 1, "lineage": "l", "mailboxes": {"a@x": {"address": "b@x"}}}`, `mailboxes["a@x"] names itself "b@x"`},
		{"trailing data", `{"format_version": 1, "lineage": "l"} {}`, "unexpected data after the end"},
		{"bad time", `{"format_version": 1, "lineage": "l", "recoveries": {"r": {"steps": {"s": {"started": "yesterday"}}}}}`, "yesterday"},
		{"tampered", string(tampered), "checksum mismatch"},
		{"v2 short row", `{"format_version": 2, "lineage": "l", "mailboxes": [["a@x", "g"]]}`, "mailboxes row 1 has 2 columns"},
		{"v2 long row", `{"format_version": 2, "lineage": "l", "mailboxes": [["a@x", "g", "DB", "", "", "", "", ""]]}`, "mailboxes row 1 has 8 columns"},
		{"v2 null row", `{"format_version": 2, "lineage": "l", "mailboxes": [null]}`, "mailboxes row 1 has 0 columns"},
		{"v2 twice", `{"format_version": 2, "lineage": "l", "mailboxes": [["a@x", "g", "DB"], ["a@x", "h", "DB"]]}`, `row 2: "a@x" appears twice`},
		{"v2 bad flag", `{"format_version": 2, "lineage": "l", "mailboxes": [["a@x", "g", "DB", "", "", "yes"]]}`, `flags "yes"`},
		{"v2 wrong type", "{\"format_version\": 2, \"lineage\": \"l\",\n \"mailboxes\": [[\"a@x\", 1, \"DB\"]]}", "wrong type at line 2"},
		{"v2 object mailboxes", `{"format_version": 2, "lineage": "l", "mailboxes": {"a@x": {"address": "a@x"}}}`, "wrong type"},
		{"v1 rows", `{"format_version": 1, "lineage": "l", "mailboxes": [["a@x", "g", "DB"]]}`, "wrong type"},
		{"reformatted", strings.ReplaceAll(string(good), "\n  \"checksum\"", "\n\"checksum\""), "checksum mismatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Decode([]byte(c.in))
			if err == nil {
				t.Fatalf("no error; got %+v", s)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
	// Deleting the checksum line is how an admin accepts a deliberate edit.
	if _, err := Decode(withoutChecksum(tampered)); err != nil {
		t.Fatalf("an edit without its checksum line must be accepted: %v", err)
	}
	var ve *VersionError
	if _, err := Decode([]byte(`{"format_version": 9, "lineage": "l"}`)); !errors.As(err, &ve) || ve.Version != 9 {
		t.Fatalf("want *VersionError{9}, got %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(sampleState())
	f.Add(good)
	f.Add([]byte(`{"format_version": 1, "lineage": "l"}`))
	if v1, err := encodeV1(sampleState()); err == nil {
		f.Add(v1)
	}
	f.Add([]byte(`{"format_version": 2, "lineage": "l", "mailboxes": [["a@x", "g", "DB", "arbitration", "DB2", "no_autodiscover"], ["b@x", "g", "DB"]]}`))
	f.Add([]byte("{\n  \"format_version\": 2,\n  \"checksum\": \"x\",\n  \"mailboxes\": [\n    [\"a\", \"b\", \"c\"]\n  ]\n}\n"))
	f.Add([]byte(`{"format_version": 1, "lineage": "l", "recoveries": {"r": {"steps": {"s": null}}}}`))
	f.Add([]byte(`{"format_version": 1e400}`))
	f.Add([]byte("{\n  \"format_version\": 1,\n  \"checksum\": \"x\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode, and encode to something that decodes the same.
		out, err := Encode(s)
		if err != nil {
			t.Fatalf("decoded state does not encode: %v", err)
		}
		s2, err := Decode(out)
		if err != nil {
			t.Fatalf("Encode's output does not decode: %v\n%s", err, out)
		}
		if again, _ := Encode(s2); !bytes.Equal(again, out) {
			t.Fatal("encoding is not a fixed point")
		}
	})
}

func BenchmarkEncode500k(b *testing.B) {
	s := bigState(500_000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := Encode(s)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n)/1e6, "MB")
}

func BenchmarkDecode500k(b *testing.B) {
	enc, err := Encode(bigState(500_000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
