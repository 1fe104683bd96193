package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// splitWinPath splits an absolute Windows path (D:\Databases\DB01\DB01.edb) into its
// drive letter and components. It refuses anything that could name a place outside the
// drive's tree: relative paths, empty components, "." and "..", and characters Windows
// forbids in names.
func splitWinPath(p string) (drive string, comps []string, err error) {
	if len(p) < 3 || p[1] != ':' || (p[2] != '\\' && p[2] != '/') {
		return "", nil, fmt.Errorf("path %q is not an absolute Windows path such as D:\\Databases\\DB01", p)
	}
	d := p[0]
	if !(d >= 'A' && d <= 'Z' || d >= 'a' && d <= 'z') {
		return "", nil, fmt.Errorf("path %q does not start with a drive letter", p)
	}
	rest := strings.TrimRight(p[3:], `\/`)
	if rest == "" {
		return "", nil, fmt.Errorf("path %q is a drive root", p)
	}
	comps = append(comps, strings.FieldsFunc(rest, func(r rune) bool { return r == '\\' || r == '/' })...)
	// FieldsFunc hides empty components; count separators to catch "a\\b".
	if n := strings.Count(rest, `\`) + strings.Count(rest, "/") + 1; n != len(comps) {
		return "", nil, fmt.Errorf("path %q has an empty component", p)
	}
	for _, c := range comps {
		if err := checkName(c); err != nil {
			return "", nil, fmt.Errorf("path %q: %v", p, err)
		}
	}
	return strings.ToUpper(string(d)), comps, nil
}

// checkName refuses a single path component or object name that could escape a folder.
func checkName(c string) error {
	if c == "" || c == "." || c == ".." {
		return fmt.Errorf("component %q is not allowed", c)
	}
	if strings.ContainsAny(c, "\\/:*?\"<>|\x00") {
		return fmt.Errorf("component %q holds a character Windows forbids in names", c)
	}
	return nil
}

// hostPath maps a Windows path on server to its place under the lab folder.
func (l *Lab) hostPath(server, winPath string) (string, error) {
	if err := checkName(server); err != nil {
		return "", fmt.Errorf("server name %q: %v", server, err)
	}
	drive, comps, err := splitWinPath(winPath)
	if err != nil {
		return "", err
	}
	parts := append([]string{l.dir, "servers", server, drive}, comps...)
	path := filepath.Join(parts...)
	if err := l.confined(path); err != nil {
		return "", fmt.Errorf("%s on %s: %w", winPath, server, err)
	}
	return path, nil
}

// confined refuses a path under the lab folder that passes through a symbolic link:
// a link planted inside the lab (a log folder replaced by a link to /tmp/x) could
// otherwise lead reads and writes outside it. Every component that exists below the
// lab folder is checked; the lab folder itself may be reached through links.
func (l *Lab) confined(path string) error {
	rel, err := filepath.Rel(l.dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%s is outside the lab folder %s", path, l.dir)
	}
	cur := l.dir
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		if err != nil {
			return nil // nothing further exists yet: whatever is created stays inside
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("refusing to follow the symbolic link %s: the lab keeps every file inside its folder %s", cur, l.dir)
		}
	}
	return nil
}

// winBase is the last component of a Windows path.
func winBase(p string) string {
	p = strings.TrimRight(p, `\/`)
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}
