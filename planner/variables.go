package planner

import (
	"crypto/sha256"
	"encoding/hex"
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
// Each non-sensitive variable is recorded by name with the SHA-256 of its name and value
// (the value is no secret; the digest keeps the plan short). Sensitive variables are not
// recorded at all: configuration refuses a sensitive value anywhere it could reach a plan
// (it is allowed only where the state lives, conn_str, and a changed backend is refused
// on its own), so a plan cannot depend on one; and leaving them out keeps plans
// deterministic and gives nobody holding a plan file anything to test guesses against.
type VariablesDigest struct {
	// Values maps each non-sensitive variable to "sha256:" and the hex digest of its
	// name and value.
	Values map[string]string `json:"values,omitempty"`
}

// DigestVariables records cfg's non-sensitive variable values (see VariablesDigest);
// nil when there is none.
func DigestVariables(cfg *config.Config) *VariablesDigest {
	values := variableDigests(cfg)
	if len(values) == 0 {
		return nil
	}
	return &VariablesDigest{Values: values}
}

func variableDigests(cfg *config.Config) map[string]string {
	if cfg == nil {
		return nil
	}
	out := map[string]string{}
	for name, v := range cfg.Variables {
		if v == nil || v.Sensitive {
			continue
		}
		sum := sha256.Sum256(variableBytes(v))
		out[name] = "sha256:" + hex.EncodeToString(sum[:])
	}
	return out
}

// variableMoves names the non-sensitive variables whose values differ from those
// recorded in old. A plan that recorded no variables (made before they were recorded,
// or from a configuration without any: declaring one changes a file, which the
// configuration digest sees) gives none.
func variableMoves(old *VariablesDigest, cfg *config.Config) []string {
	if old == nil || cfg == nil {
		return nil
	}
	cur := variableDigests(cfg)
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
	return out
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
