package render_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/planner/internal/plantest"
	"github.com/dialtone/dialtone/planner/render"
	"github.com/dialtone/dialtone/providers"
)

// TestJSONMatchesSchema checks render.JSON's documents of the example plans (and a
// site failure, a plan without changes, one with a failed precondition and manual
// steps) against plan-schema.json. Every property the document holds must be
// documented there, so that a new field cannot go undocumented.
func TestJSONMatchesSchema(t *testing.T) {
	raw, err := os.ReadFile("plan-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("plan-schema.json: %v", err)
	}
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema is %v", schema["$schema"])
	}
	plans := examplePlans(t)
	cfg, st := plantest.SiteFailure(2, 2, 3, config.StageComplete)
	plans["site"] = plan(t, cfg, st)
	noChange := plantest.Config(config.StageDialTone)
	delete(noChange.Recoveries, "db01-outage")
	plans["no-change"] = plan(t, noChange, plantest.State(2))
	down := plantest.State(2)
	down.Servers["EX01"].Up = false
	plans["failed-manual"], _ = planner.Compute(plantest.Config(config.StageComplete), down, providers.Capabilities{MoveFiles: true, ReplayLogs: true}, planner.ComputeOptions{})
	plans["drift-estimates"] = driftEstimatePlan(t)

	names := make([]string, 0, len(plans))
	for n := range plans {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render.JSON(&b, plans[name]); err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			v := &validator{root: schema}
			v.check("$", schema, doc)
			for _, e := range v.errs {
				t.Error(e)
			}
		})
	}
}

// TestSchemaValidatorRejects makes sure the validator below catches what it claims to.
func TestSchemaValidatorRejects(t *testing.T) {
	schema := map[string]any{
		"type": "object", "required": []any{"a"},
		"properties": map[string]any{
			"a": map[string]any{"enum": []any{"x"}},
			"b": map[string]any{"type": "array", "items": map[string]any{"type": "integer"}},
			"c": map[string]any{"$ref": "#/$defs/c"},
		},
		"$defs": map[string]any{"c": map[string]any{"const": float64(1)}},
	}
	for doc, want := range map[string]string{
		`{"b":[]}`:            "$: a is required",
		`{"a":"y"}`:           "$.a: \"y\" is not one of",
		`{"a":"x","b":[1.5]}`: "$.b[0]: 1.5 is not integer",
		`{"a":"x","c":2}`:     "$.c: 2 is not 1",
		`{"a":"x","d":true}`:  "$.d: not documented",
		`{"a":"x","b":"str"}`: "$.b: \"str\" is not array",
	} {
		var d any
		json.Unmarshal([]byte(doc), &d)
		v := &validator{root: schema}
		v.check("$", schema, d)
		if len(v.errs) == 0 || !strings.Contains(v.errs[0], want) {
			t.Errorf("%s: errors %q, want %q", doc, v.errs, want)
		}
	}
}

// validator checks the subset of JSON Schema plan-schema.json uses: type (one or a
// list), const, enum, required, properties, additionalProperties (a schema), items
// and $ref to "#/$defs/NAME". A property without a schema is reported as undocumented.
type validator struct {
	root map[string]any
	errs []string
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) check(path string, s map[string]any, x any) {
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := v.root["$defs"].(map[string]any)
		def, _ := defs[name].(map[string]any)
		if !found || def == nil {
			v.errorf(path, "unresolvable $ref %q", ref)
			return
		}
		s = def
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, x) {
		v.errorf(path, "%v is not %v", x, c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, o := range e {
			found = found || reflect.DeepEqual(o, x)
		}
		if !found {
			v.errorf(path, "%q is not one of %v", x, e)
		}
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, e := range t {
				types = append(types, e.(string))
			}
		}
		matched := false
		for _, ty := range types {
			matched = matched || isType(ty, x)
		}
		if !matched {
			v.errorf(path, "%s is not %s", show(x), strings.Join(types, " or "))
			return
		}
	}
	switch x := x.(type) {
	case map[string]any:
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				v.errorf(path, "%s is required", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		extra, _ := s["additionalProperties"].(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, _ := props[k].(map[string]any)
			if ps == nil {
				ps = extra
			}
			if ps == nil {
				v.errorf(path+"."+k, "not documented in planner/render/plan-schema.json; add it there")
				continue
			}
			v.check(path+"."+k, ps, x[k])
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				v.check(fmt.Sprintf("%s[%d]", path, i), items, e)
			}
		}
	}
}

func isType(t string, x any) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "null":
		return x == nil
	case "number":
		_, ok := x.(float64)
		return ok
	case "integer":
		f, ok := x.(float64)
		return ok && f == float64(int64(f))
	}
	return false
}

func show(x any) string {
	b, _ := json.Marshal(x)
	return string(b)
}
