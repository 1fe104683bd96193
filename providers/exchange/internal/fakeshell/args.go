//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"fmt"
	"strings"
)

// args are a command's bound arguments.
type args struct {
	cmd   string
	named map[string]any // lower-cased parameter -> value (true for a switch)
	pos   []any
}

func (a *args) has(p string) bool { _, ok := a.named[strings.ToLower(p)]; return ok }

func (a *args) str(p string) (string, error) {
	v, ok := a.named[strings.ToLower(p)]
	if !ok {
		return "", fmt.Errorf("%s: parameter -%s is required", a.cmd, p)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: -%s must be one string, got %T", a.cmd, p, v)
	}
	return s, nil
}

func (a *args) optStr(p string) (string, bool, error) {
	if !a.has(p) {
		return "", false, nil
	}
	s, err := a.str(p)
	return s, true, err
}

func (a *args) strs(p string) ([]string, error) {
	v, ok := a.named[strings.ToLower(p)]
	if !ok {
		return nil, fmt.Errorf("%s: parameter -%s is required", a.cmd, p)
	}
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: -%s element %d is %T, not a string", a.cmd, p, i, e)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: -%s must be strings, got %T", a.cmd, p, v)
}

func (a *args) boolean(p string) (bool, bool, error) {
	v, ok := a.named[strings.ToLower(p)]
	if !ok {
		return false, false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, true, fmt.Errorf("%s: -%s must be $true or $false, got %T %v", a.cmd, p, v, v)
	}
	return b, true, nil
}

func (a *args) num(p string) (int, bool, error) {
	v, ok := a.named[strings.ToLower(p)]
	if !ok {
		return 0, false, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, true, fmt.Errorf("%s: -%s must be a number, got %T", a.cmd, p, v)
	}
	return int(n), true, nil
}

func (a *args) silently() bool {
	v, ok := a.named["erroraction"]
	return ok && v == "SilentlyContinue"
}
