package config

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
)

// Digest identifies the configuration's bytes: "sha256:" and the hex SHA-256 over
// every source file in name order (name, length, bytes). A plan records it, and apply
// refuses the plan when the files changed since. The order in which a directory lists
// its files does not matter; a renamed file changes the digest.
func (c *Config) Digest() string {
	h := sha256.New()
	if c != nil {
		names := make([]string, 0, len(c.Sources))
		for name := range c.Sources {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			src := c.Sources[name]
			// NUL separators and the length keep (name, bytes) pairs unambiguous.
			h.Write([]byte(name))
			h.Write([]byte{0})
			h.Write([]byte(strconv.Itoa(len(src))))
			h.Write([]byte{0})
			h.Write(src)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// FileDigests gives each loaded file's "sha256:" digest by name (the *.hcl files and
// the .dtvars files read). A plan records them so that a stale plan can say which file
// changed, appeared or went away.
func (c *Config) FileDigests() map[string]string {
	out := map[string]string{}
	if c == nil {
		return out
	}
	for name, src := range c.Sources {
		sum := sha256.Sum256(src)
		out[name] = "sha256:" + hex.EncodeToString(sum[:])
	}
	return out
}
