package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigest(t *testing.T) {
	a := &Config{Sources: map[string][]byte{"a.hcl": []byte("server \"EX01\" {}\n"), "b.hcl": []byte("x")}}
	same := &Config{Sources: map[string][]byte{"b.hcl": []byte("x"), "a.hcl": []byte("server \"EX01\" {}\n")}}
	if !strings.HasPrefix(a.Digest(), "sha256:") || len(a.Digest()) != len("sha256:")+64 {
		t.Fatalf("Digest = %q", a.Digest())
	}
	if a.Digest() != same.Digest() {
		t.Error("digest depends on map order")
	}
	for name, other := range map[string]*Config{
		"one byte":        {Sources: map[string][]byte{"a.hcl": []byte("server \"EX02\" {}\n"), "b.hcl": []byte("x")}},
		"renamed file":    {Sources: map[string][]byte{"a.hcl": []byte("server \"EX01\" {}\n"), "c.hcl": []byte("x")}},
		"bytes moved":     {Sources: map[string][]byte{"a.hcl": []byte("server \"EX01\" {}\nx"), "b.hcl": []byte("")}},
		"file removed":    {Sources: map[string][]byte{"a.hcl": []byte("server \"EX01\" {}\n")}},
		"no files at all": {},
	} {
		if other.Digest() == a.Digest() {
			t.Errorf("%s: digest unchanged", name)
		}
	}
}

// TestDigestOfLoad checks the digest of a loaded directory: the same bytes written in
// another order give the same digest, and a one-byte edit changes it.
func TestDigestOfLoad(t *testing.T) {
	topo, _ := os.ReadFile("testdata/multifile/a_topology.hcl")
	rec, _ := os.ReadFile("testdata/multifile/b_recovery.hcl")
	write := func(dir, name string, src []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d1, d2, d3 := t.TempDir(), t.TempDir(), t.TempDir()
	write(d1, "a_topology.hcl", topo)
	write(d1, "b_recovery.hcl", rec)
	write(d2, "b_recovery.hcl", rec)
	write(d2, "a_topology.hcl", topo)
	edited := append([]byte{}, rec...)
	edited[len(edited)-2] = ' '
	write(d3, "a_topology.hcl", topo)
	write(d3, "b_recovery.hcl", edited)

	c1, _ := Load(d1, LoadOptions{})
	c2, _ := Load(d2, LoadOptions{})
	c3, _ := Load(d3, LoadOptions{})
	if c1.Digest() != c2.Digest() {
		t.Error("same files, different digests")
	}
	if c1.Digest() == c3.Digest() {
		t.Error("one byte changed, same digest")
	}
	if again, _ := Load(d1, LoadOptions{}); again.Digest() != c1.Digest() {
		t.Error("digest not stable across loads")
	}
}
