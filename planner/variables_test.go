package planner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/dialtone/dialtone/config"
)

func varsConfig(x, secret string) *config.Config {
	return &config.Config{Variables: map[string]*config.Variable{
		"x":      {Name: "x", Value: cty.StringVal(x)},
		"n":      {Name: "n", Value: cty.NumberIntVal(3)},
		"secret": {Name: "secret", Sensitive: true, Value: cty.StringVal(secret)},
	}}
}

// TestVariablesDigest: a changed non-sensitive variable is named; a sensitive one is
// not recorded at all (it cannot reach a plan), and the same values give the same bytes.
func TestVariablesDigest(t *testing.T) {
	const secret = "s3cr3t-value-Q1"
	d := DigestVariables(varsConfig("1", secret))
	doc, _ := json.Marshal(d)
	if strings.Contains(string(doc), secret) || strings.Contains(string(doc), `"secret"`) {
		t.Fatalf("the record shows the sensitive variable: %s", doc)
	}
	if got := variableMoves(d, varsConfig("1", secret)); len(got) != 0 {
		t.Errorf("same values: %q", got)
	}
	if got := variableMoves(d, varsConfig("2", secret)); len(got) != 1 || got[0] != "variable x changed value since the plan" {
		t.Errorf("x changed: %q", got)
	}
	if got := variableMoves(d, varsConfig("1", "another-secret")); len(got) != 0 {
		t.Errorf("a sensitive variable cannot move a plan: %q", got)
	}
	doc2, _ := json.Marshal(DigestVariables(varsConfig("1", secret)))
	if string(doc2) != string(doc) {
		t.Errorf("the same values gave different records:\n%s\n%s", doc, doc2)
	}
	if variableMoves(nil, varsConfig("2", "x")) != nil {
		t.Error("a plan without a record of its variables must not be stale for them")
	}
	if d := DigestVariables(&config.Config{}); d != nil {
		t.Errorf("no variables: %+v", d)
	}
}
