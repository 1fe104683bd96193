package main

import (
	"reflect"
	"testing"
)

func TestStripNoColor(t *testing.T) {
	for _, tc := range []struct {
		in    []string
		out   []string
		found bool
	}{
		{[]string{"-no-color"}, []string{}, true},
		{[]string{"-out=x.plan", "--no-color", "-json"}, []string{"-out=x.plan", "-json"}, true},
		{[]string{"-no-color=false", "x"}, []string{"x"}, false},
		{[]string{"-no-color=true"}, []string{}, true},
		{[]string{"-no-colour"}, []string{"-no-colour"}, false},           // not ours: the command says it is unknown
		{[]string{"--", "-no-color"}, []string{"--", "-no-color"}, false}, // after --, an argument
		{[]string{"status"}, []string{"status"}, false},
	} {
		out, found := stripNoColor(tc.in)
		if !reflect.DeepEqual(out, tc.out) || found != tc.found {
			t.Errorf("stripNoColor(%q) = %q, %v; want %q, %v", tc.in, out, found, tc.out, tc.found)
		}
	}
}
