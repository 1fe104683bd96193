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

// TestVariablesDigest: a changed non-sensitive variable is named, a changed sensitive
// one is not; the sensitive value is nowhere in the record, and each plan draws its own
// salt (the same values give different digests).
func TestVariablesDigest(t *testing.T) {
	const secret = "s3cr3t-value-Q1"
	d, err := DigestVariables(varsConfig("1", secret))
	if err != nil {
		t.Fatal(err)
	}
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
	got := variableMoves(d, varsConfig("1", "another-secret"))
	if len(got) != 1 || got[0] != "a sensitive variable changed since the plan" {
		t.Errorf("secret changed: %q", got)
	}
	d2, err := DigestVariables(varsConfig("1", secret))
	if err != nil {
		t.Fatal(err)
	}
	if d2.Salt == d.Salt || d2.Sensitive == d.Sensitive {
		t.Errorf("two plans share a salt or a sensitive digest: %s %s", d.Sensitive, d2.Sensitive)
	}
	if variableMoves(nil, varsConfig("2", "x")) != nil {
		t.Error("a plan without a record of its variables must not be stale for them")
	}
	if d, _ := DigestVariables(&config.Config{}); d != nil {
		t.Errorf("no variables: %+v", d)
	}
}
