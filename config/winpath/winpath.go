// Package winpath compares Windows paths the way Windows resolves them, so that a guard
// on "another database's files" cannot be passed by writing one place two ways: case,
// forward slashes, repeated separators, and the trailing dots and spaces Windows strips
// from every name. Names Windows resolves to something else, or that depend on the disk
// (8.3 short names such as PROGRA~1, device names such as CON and NUL, alternate data
// streams, \\?\ and UNC forms), cannot be compared safely and are refused.
//
// It is a leaf: the configuration's validation, the planner and the providers share it.
package winpath

import (
	"fmt"
	"strings"
)

// Canon returns the canonical form of an absolute drive path: upper case, backslashes,
// no trailing separator, each name without its trailing dots and spaces
// ("E:\Recovery. \x" is E:\RECOVERY\X). A drive root is "E:". It refuses what it
// cannot compare safely, saying why.
func Canon(p string) (string, error) {
	if strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//") {
		return "", fmt.Errorf("path %q is a UNC or device path (\\\\server\\share, \\\\?\\, \\\\.\\): only drive paths such as D:\\Databases can be compared safely", p)
	}
	if len(p) < 2 || p[1] != ':' || !isLetter(p[0]) {
		return "", fmt.Errorf("path %q is not an absolute Windows path such as D:\\Databases\\DB01", p)
	}
	if len(p) > 2 && p[2] != '\\' && p[2] != '/' {
		return "", fmt.Errorf("path %q is relative to the current folder of drive %c: (write %c:\\...)", p, p[0], p[0])
	}
	var b strings.Builder
	b.WriteString(strings.ToUpper(p[:2]))
	for _, c := range strings.FieldsFunc(p[2:], func(r rune) bool { return r == '\\' || r == '/' }) {
		name := strings.TrimRight(c, ". ")
		if err := checkName(p, c, name); err != nil {
			return "", err
		}
		b.WriteByte('\\')
		b.WriteString(strings.ToUpper(name))
	}
	return b.String(), nil
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// checkName refuses one component c of p (name is c without trailing dots and spaces).
func checkName(p, c, name string) error {
	switch {
	case name == "" && (c == "." || c == ".."):
		return fmt.Errorf("path %q has a %q component: it names another folder than it seems to", p, c)
	case name == "":
		return fmt.Errorf("path %q has a component made only of dots and spaces (%q), which Windows strips to nothing", p, c)
	case strings.ContainsAny(name, ":*?\"<>|\x00"):
		return fmt.Errorf("path %q: component %q holds a character Windows forbids in names (or names an alternate data stream)", p, c)
	case isShortName(name):
		return fmt.Errorf("path %q: component %q looks like an 8.3 short name, which may stand for any long name on the disk; write the long name", p, c)
	case isDevice(name):
		return fmt.Errorf("path %q: component %q is a device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9), which Windows opens as the device, not a file", p, c)
	}
	return nil
}

// isShortName is true for names such as PROGRA~1 or DTDB01~2.EDB: a tilde followed by
// a digit, the form Windows generates for 8.3 names.
func isShortName(name string) bool {
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '~' && name[i+1] >= '0' && name[i+1] <= '9' {
			return true
		}
	}
	return false
}

// isDevice is true for the reserved device names, with or without an extension
// ("NUL.edb" opens NUL too), including COM and LPT with superscript digits.
func isDevice(name string) bool {
	base := name
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// Within reports whether the canonical path a is b or lies inside it.
func Within(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+`\`)
}

// Overlap reports whether canonical paths a and b are one, or one holds the other.
func Overlap(a, b string) bool { return Within(a, b) || Within(b, a) }

// Same reports whether two paths name one place; paths that cannot be compared safely
// are not the same (callers that guard must refuse them through Canon first).
func Same(a, b string) bool {
	ca, err1 := Canon(a)
	cb, err2 := Canon(b)
	return err1 == nil && err2 == nil && ca == cb
}
