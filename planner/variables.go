package planner

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/dialtone/dialtone/config"
)

// VariablesDigest records the variable values a plan was made with (from defaults,
// DIALTONE_VAR_*, .dtvars files, -var-file and -var), so that apply refuses a saved plan
// when one of them changed: a -var changes no configuration file, so the configuration
// digest alone does not see it.
//
// A non-sensitive variable is recorded by name with the SHA-256 of its name, type and
// value (the value is no secret; the digest only keeps the plan short). Sensitive
// variables are never recorded in clear, nor one by one: they contribute to one digest,
// Sensitive, a PBKDF2-HMAC-SHA256 (sensitiveIterations rounds) over all their names and
// values keyed with Salt, 32 random bytes drawn for each plan. The salt makes a table
// computed in advance useless and the rounds make every guess cost as much; like any
// hash of a secret, it still lets someone holding the plan file test guesses of a weak
// value one by one, so plan files stay 0600 and sensitive values should be strong.
type VariablesDigest struct {
	// Values maps each non-sensitive variable to "sha256:" and the hex digest of its
	// value; absent when there is none.
	Values map[string]string `json:"values,omitempty"`
	// Salt (hex) keys Sensitive; both are absent when no variable is sensitive.
	Salt string `json:"salt,omitempty"`
	// Sensitive is "pbkdf2-sha256:" and the hex key derived from every sensitive
	// variable's name and value.
	Sensitive string `json:"sensitive,omitempty"`
}

// sensitiveIterations is the PBKDF2 work factor of VariablesDigest.Sensitive.
const sensitiveIterations = 100_000

// DigestVariables records cfg's variable values (see VariablesDigest); nil when cfg
// declares no variable. Each call draws a new salt.
func DigestVariables(cfg *config.Config) (*VariablesDigest, error) {
	if cfg == nil || len(cfg.Variables) == 0 {
		return nil, nil
	}
	d := &VariablesDigest{}
	if hasSensitive(cfg) {
		salt := make([]byte, 32)
		if _, err := rand.Read(salt); err != nil {
			return nil, fmt.Errorf("drawing the salt of the sensitive variables' digest: %w", err)
		}
		d.Salt = hex.EncodeToString(salt)
	}
	for _, name := range sortedVariables(cfg) {
		v := cfg.Variables[name]
		if v.Sensitive {
			continue
		}
		if d.Values == nil {
			d.Values = map[string]string{}
		}
		sum := sha256.Sum256(variableBytes(v))
		d.Values[name] = "sha256:" + hex.EncodeToString(sum[:])
	}
	if d.Salt != "" {
		s, err := sensitiveDigest(cfg, d.Salt)
		if err != nil {
			return nil, err
		}
		d.Sensitive = s
	}
	return d, nil
}

// variableMoves names the variables whose values differ from those recorded in old: the
// non-sensitive ones by name, the sensitive ones as one reason. A plan that recorded no
// variables (made before they were recorded, or from a configuration without any:
// declaring one changes a file, which the configuration digest sees) gives none.
func variableMoves(old *VariablesDigest, cfg *config.Config) []string {
	if old == nil || cfg == nil {
		return nil
	}
	cur := map[string]string{}
	for _, name := range sortedVariables(cfg) {
		if v := cfg.Variables[name]; !v.Sensitive {
			sum := sha256.Sum256(variableBytes(v))
			cur[name] = "sha256:" + hex.EncodeToString(sum[:])
		}
	}
	var out []string
	for _, name := range unionKeys(old.Values, cur) {
		a, inOld := old.Values[name]
		b, inCur := cur[name]
		switch {
		case !inOld:
			out = append(out, "variable "+name+" has a value now and had none recorded in the plan")
		case !inCur:
			out = append(out, "variable "+name+" is gone or sensitive since the plan")
		case a != b:
			out = append(out, "variable "+name+" changed value since the plan")
		}
	}
	switch {
	case old.Salt == "" && hasSensitive(cfg):
		out = append(out, "a sensitive variable changed since the plan")
	case old.Salt != "":
		now, err := sensitiveDigest(cfg, old.Salt)
		if err != nil || !hmac.Equal([]byte(now), []byte(old.Sensitive)) {
			out = append(out, "a sensitive variable changed since the plan")
		}
	}
	return out
}

// sensitiveDigest derives the digest of every sensitive variable of cfg keyed with
// saltHex; "" when there is none.
func sensitiveDigest(cfg *config.Config, saltHex string) (string, error) {
	salt, err := hex.DecodeString(saltHex)
	if err != nil || len(salt) == 0 {
		return "", fmt.Errorf("the plan's variables salt is not hex")
	}
	var secret []byte
	n := 0
	for _, name := range sortedVariables(cfg) {
		if v := cfg.Variables[name]; v.Sensitive {
			secret = append(secret, variableBytes(v)...)
			n++
		}
	}
	if n == 0 {
		return "", nil
	}
	key, err := pbkdf2.Key(sha256.New, string(secret), salt, sensitiveIterations, 32)
	if err != nil {
		return "", err
	}
	return "pbkdf2-sha256:" + hex.EncodeToString(key), nil
}

// variableBytes is an unambiguous encoding of a variable's name, type and value: each
// part preceded by its length.
func variableBytes(v *config.Variable) []byte {
	val := "(none)"
	if v.Value != cty.NilVal {
		if b, err := ctyjson.Marshal(v.Value, cty.DynamicPseudoType); err == nil {
			val = string(b)
		} else {
			val = v.Value.GoString()
		}
	}
	var out []byte
	for _, part := range []string{v.Name, val} {
		out = append(out, strconv.Itoa(len(part))...)
		out = append(out, ':')
		out = append(out, part...)
	}
	return out
}

func hasSensitive(cfg *config.Config) bool {
	for _, v := range cfg.Variables {
		if v != nil && v.Sensitive {
			return true
		}
	}
	return false
}

func sortedVariables(cfg *config.Config) []string {
	names := make([]string, 0, len(cfg.Variables))
	for name, v := range cfg.Variables {
		if v != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
